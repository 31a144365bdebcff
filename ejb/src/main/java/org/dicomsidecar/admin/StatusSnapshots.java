package org.dicomsidecar.admin;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.dicomsidecar.config.Setting;
import org.dicomsidecar.config.SidecarSettings;
import org.dicomsidecar.config.SidecarVersion;
import org.dicomsidecar.json.Jsonp;

/**
 * The status report as callers get it: made by one check at a time (callers that come while a check runs get
 * its outcome), and never waited for longer than a deadline (a CouchDB or host call that hangs, or a full
 * connection pool, gives a DEGRADED answer in time instead of a thread held per caller).
 */
@ApplicationScoped
public class StatusSnapshots {

    /** Added to the connect time-outs of CouchDB and the host (the checks run one after the other). */
    static final long DEADLINE_MARGIN_MS = 2_000;

    @Inject
    StatusService status;

    @Inject
    SidecarSettings settings;

    @Resource
    ManagedExecutorService executor;

    private CompletableFuture<StatusService.StatusReport> running;

    public StatusService.StatusReport report() {
        CompletableFuture<StatusService.StatusReport> check = check();
        long deadline = deadlineMillis();
        try {
            return check.get(deadline, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return unfinished("the status checks did not finish within " + deadline + " ms");
        } catch (ExecutionException e) {
            return unfinished("the status checks failed: " + e.getCause().getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unfinished("interrupted while waiting for the status checks");
        }
    }

    private synchronized CompletableFuture<StatusService.StatusReport> check() {
        if (running == null || running.isDone()) {
            running = CompletableFuture.supplyAsync(status::report, executor);
        }
        return running;
    }

    private long deadlineMillis() {
        return settings.getLong(Setting.COUCHDB_CONNECT_TIMEOUT_MS) + settings.getLong(Setting.HOST_CONNECT_TIMEOUT_MS)
                + DEADLINE_MARGIN_MS;
    }

    private static StatusService.StatusReport unfinished(String why) {
        return new StatusService.StatusReport(false, Jsonp.createObjectBuilder()
                .add("status", "DEGRADED")
                .add("version", SidecarVersion.get())
                .add("error", why)
                .build());
    }
}
