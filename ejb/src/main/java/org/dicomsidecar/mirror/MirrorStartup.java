package org.dicomsidecar.mirror;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.dicomsidecar.config.Setting;
import org.dicomsidecar.config.SidecarSettings;
import org.dicomsidecar.couchdb.CouchDatabase;

/**
 * Starts the mirror when the application starts (replaying the journal), and reconciles: once CouchDB is
 * up after start-up, then every {@code sidecar.reconcile.interval-minutes}.
 */
@Singleton
@Startup
public class MirrorStartup {

    @Resource
    ManagedScheduledExecutorService scheduler;

    @Inject
    MirrorService mirror;

    @Inject
    Reconciler reconciler;

    @Inject
    CouchDatabase couch;

    @Inject
    SidecarSettings settings;

    private ScheduledFuture<?> task;
    private boolean startupRunDone;
    private final Instant startedAt = Instant.now();

    @PostConstruct
    void start() {
        mirror.start();
        startupRunDone = !settings.getBoolean(Setting.RECONCILE_ON_STARTUP);
        task = scheduler.scheduleWithFixedDelay(this::maybeReconcile, 2, 5, TimeUnit.SECONDS);
    }

    private void maybeReconcile() {
        if (!couch.isReady()) {
            return;
        }
        if (!startupRunDone) {
            startupRunDone = true;
            reconciler.start("startup", false);
            return;
        }
        long minutes = settings.getLong(Setting.RECONCILE_INTERVAL_MINUTES);
        if (minutes > 0) {
            Instant since = reconciler.lastFinished().map(r -> r.started).orElse(startedAt);
            if (Duration.between(since, Instant.now()).toMinutes() >= minutes) {
                reconciler.start("schedule", true);
            }
        }
    }

    @PreDestroy
    void stop() {
        if (task != null) {
            task.cancel(false);
        }
    }
}
