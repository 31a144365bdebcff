package org.dicomsidecar.mirror;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.dicomsidecar.cluster.DutyScheduler;
import org.dicomsidecar.config.Setting;
import org.dicomsidecar.config.SidecarSettings;
import org.dicomsidecar.couchdb.CouchDatabase;

/**
 * Starts the mirror when the application starts (replaying the journal), and reconciles: once CouchDB is
 * up after start-up, then every {@code sidecar.reconcile.interval-minutes}; a run that failed is tried again
 * after 30 s, then after longer and longer pauses (at most 15 minutes) while it keeps failing. Of the nodes sharing
 * the database, the one holding the {@code reconcile} duty reconciles; a node that takes the duty over runs a full
 * reconciliation as at start-up (it finds what a node that died had journaled but not mirrored).
 */
@Singleton
@Startup
@DependsOn("DutyScheduler")
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

    @Inject
    DutyScheduler duties;

    private ScheduledFuture<?> task;
    private static final Duration MAX_RETRY_DELAY = Duration.ofMinutes(15);
    private boolean startupRunDone;
    /** Whether this node held the reconcile duty at the last check, and whether it ever did. */
    private boolean held;
    private boolean everHeld;
    private Reconciler.Run lastFailure;
    private int failuresInARow;
    private final Instant startedAt = Instant.now();

    @PostConstruct
    void start() {
        mirror.start();
        duties.reportJournalDepth(mirror::queueDepth);
        startupRunDone = !settings.getBoolean(Setting.RECONCILE_ON_STARTUP);
        task = scheduler.scheduleWithFixedDelay(this::maybeReconcile, 2, 5, TimeUnit.SECONDS);
    }

    private void maybeReconcile() {
        if (!couch.isReady()) {
            return;
        }
        if (!duties.holds(DutyScheduler.RECONCILE)) {
            held = false;
            return;
        }
        String trigger = "startup";
        if (!held) {
            held = true;
            if (everHeld) { // taken over from another node (or back): reconcile as at start-up
                startupRunDone = !settings.getBoolean(Setting.RECONCILE_ON_STARTUP);
                trigger = "duty-taken";
            }
            everHeld = true;
        }
        if (!startupRunDone) {
            startupRunDone = true;
            reconciler.start(trigger, false);
            return;
        }
        Reconciler.Run last = reconciler.lastFinished().orElse(null);
        if (last != null && last.failed() && last.finished != null) {
            // a failed run (the host down at start-up: the changes feed then covers only what comes next) is
            // tried again soon, not at the next scheduled run an hour later
            failuresInARow = last == lastFailure ? failuresInARow : failuresInARow + 1;
            lastFailure = last;
            if (!Instant.now().isBefore(last.finished.plus(retryDelay(failuresInARow)))) {
                reconciler.start("retry", false);
            }
            return;
        }
        failuresInARow = 0;
        long minutes = settings.getLong(Setting.RECONCILE_INTERVAL_MINUTES);
        if (minutes > 0) {
            Instant since = reconciler.lastFinished().map(r -> r.started).orElse(startedAt);
            if (Duration.between(since, Instant.now()).toMinutes() >= minutes) {
                reconciler.start("schedule", true);
            }
        }
    }

    /** 30 s after the first failure, doubling, at most 15 minutes. */
    static Duration retryDelay(int failuresInARow) {
        int doublings = Math.min(Math.max(failuresInARow, 1) - 1, 5);
        Duration delay = Duration.ofSeconds(30L << doublings);
        return delay.compareTo(MAX_RETRY_DELAY) > 0 ? MAX_RETRY_DELAY : delay;
    }

    @PreDestroy
    void stop() {
        if (task != null) {
            task.cancel(false);
        }
    }
}
