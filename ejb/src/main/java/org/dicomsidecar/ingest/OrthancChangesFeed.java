package org.dicomsidecar.ingest;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;
import org.dicomsidecar.cluster.DutyScheduler;
import org.dicomsidecar.config.Setting;
import org.dicomsidecar.config.SidecarSettings;
import org.dicomsidecar.couchdb.CouchDatabase;
import org.dicomsidecar.delegation.HostAuthorization;

/**
 * The Orthanc changes feed: when {@code sidecar.ingest.orthanc-url} is set, polls Orthanc's {@code /changes}
 * every {@code sidecar.ingest.orthanc-poll-ms} (at once again while Orthanc has more) and hands every stored
 * instance to the mirror, as the webhook receiver does, without Orthanc having to call anyone (its Lua hook
 * holds up Orthanc's ingest for every notification's round trip). One node of those sharing the database follows
 * it: the one holding the {@code orthanc-changes} duty; the checkpoint lives in CouchDB, so a node that takes the duty
 * over resumes where the last holder stopped. Runs on a thread of its own; stops with the application.
 */
@Singleton
@Startup
@DependsOn({"MirrorStartup", "DutyScheduler"})
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class OrthancChangesFeed {

    private static final Logger LOG = Logger.getLogger(OrthancChangesFeed.class.getName());
    static final String CHECKPOINT_FILE = "orthanc-changes.checkpoint";

    @Resource
    ManagedThreadFactory threads;

    @Inject
    SidecarSettings settings;

    @Inject
    EventSink mirror;

    @Inject
    HostAuthorization hostAuthorization;

    @Inject
    DutyScheduler duties;

    @Inject
    CouchDatabase couch;

    private OrthancRestClient client;
    private OrthancChangesPoller poller;
    private ScheduledExecutorService executor;
    private volatile boolean stopping;
    /** Whether this node held the duty at the last poll (only the poll thread uses it). */
    private boolean held;
    /** The poller's skipped changes already added to the mirror's statistics (only the poll thread uses it). */
    private long skippedCounted;

    /** What the status shows: where the feed has read to, and why its last poll failed (or null). */
    public record Status(long lastSeq, String lastPollError) {
    }

    @PostConstruct
    void start() {
        Optional<String> url = settings.optional(Setting.INGEST_ORTHANC_URL);
        if (url.isEmpty()) {
            return;
        }
        String shown = SidecarSettings.withoutUserInfo(url.get());
        client = new OrthancRestClient(url.get(), hostAuthorization,
                settings.getInt(Setting.HOST_CONNECT_TIMEOUT_MS), settings.getInt(Setting.HOST_READ_TIMEOUT_MS));
        ChangesPosition checkpoint = new CouchChangesCheckpoint(couch,
                DutyScheduler.ORTHANC_CHANGES, shown, duties.node(),
                new ChangesCheckpointFile(mirror.journalDir().resolve(CHECKPOINT_FILE), shown)::read);
        poller = new OrthancChangesPoller(client, checkpoint, this::journal);
        long interval = settings.getLong(Setting.INGEST_ORTHANC_POLL_MS);
        executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = threads.newThread(task);
            t.setName("sidecar-orthanc-changes");
            return t;
        });
        executor.scheduleWithFixedDelay(this::pollWhileMore, 0, interval, TimeUnit.MILLISECONDS);
        LOG.info(() -> "Following Orthanc's changes at " + shown + " every " + interval + " ms");
    }

    /** Empty when the feed is off. */
    public Optional<Status> status() {
        OrthancChangesPoller p = poller;
        return p == null ? Optional.empty() : Optional.of(new Status(p.lastSeq(), p.lastError()));
    }

    private void pollWhileMore() {
        if (!duties.holds(DutyScheduler.ORTHANC_CHANGES)) {
            held = false; // another node follows the feed, or none can while CouchDB is away
            return;
        }
        if (!held) {
            held = true;
            poller.resumeFromCheckpoint(); // the last holder may have moved it on
        }
        try {
            while (!stopping && poller.poll() && duties.holds(DutyScheduler.ORTHANC_CHANGES)) {
                // Orthanc has more waiting: next page at once
            }
        } finally {
            long skipped = poller.skipped();
            mirror.skipped((int) (skipped - skippedCounted));
            skippedCounted = skipped;
        }
    }

    private void journal(List<StoredEvent> events) throws InterruptedException, ExecutionException, TimeoutException {
        mirror.accept(events).get(30, TimeUnit.SECONDS);
    }

    @PreDestroy
    void stop() {
        stopping = true;
        if (executor != null) {
            executor.shutdown(); // a page being read finishes (it is bounded by the read time-out)
            try {
                if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                    executor.shutdownNow();
                }
            } catch (InterruptedException e) {
                executor.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        if (client != null) {
            client.close();
        }
    }
}
