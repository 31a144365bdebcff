package org.dicomsidecar.couchdb;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.inject.Inject;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.dicomsidecar.config.Setting;
import org.dicomsidecar.config.SidecarSettings;

/**
 * Connects to CouchDB at start-up without blocking the deployment, retries while it is down, and keeps
 * checking it afterwards so that a lost database is re-created without anyone asking.
 */
@Singleton
@Startup
public class CouchConnectionScheduler {

    @Resource
    ManagedScheduledExecutorService scheduler;

    @Inject
    CouchDatabase couch;

    @Inject
    SidecarSettings settings;

    private ScheduledFuture<?> task;

    @PostConstruct
    void start() {
        long interval = settings.getInt(Setting.COUCHDB_RETRY_INTERVAL_MS);
        task = scheduler.scheduleWithFixedDelay(couch::connectOrCheck, 0, interval, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (task != null) {
            task.cancel(false);
        }
    }
}
