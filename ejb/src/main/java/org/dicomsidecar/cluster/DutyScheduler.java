package org.dicomsidecar.cluster;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.dicomsidecar.config.Setting;
import org.dicomsidecar.config.SidecarSettings;

/**
 * Holds this node's duties and heartbeat: ticks {@link Duties} and {@link Heartbeats} every third of
 * {@code sidecar.lease.seconds} (the first tick at once) on a thread of its own, says whether this node may act on a
 * duty now, and lets its duties go when the application stops, so that another node takes them at its next tick.
 */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class DutyScheduler {

    /** Following Orthanc's changes feed (registered when {@code sidecar.ingest.orthanc-url} is set). */
    public static final String ORTHANC_CHANGES = "orthanc-changes";
    /** The scheduled reconciliation of the mirror with the archive. */
    public static final String RECONCILE = "reconcile";

    private static final Logger LOG = Logger.getLogger(DutyScheduler.class.getName());

    @Resource
    ManagedThreadFactory threads;

    @Inject
    SidecarSettings settings;

    @Inject
    LeaseStore leases;

    @Inject
    HeartbeatStore heartbeatStore;

    private String node;
    private boolean takesDuties;
    private Duties duties;
    private Heartbeats heartbeats;
    private ScheduledExecutorService executor;
    /** What this node reports of its event journal in its heartbeat (-1 until the mirror says). */
    private volatile java.util.function.LongSupplier journalDepth = () -> -1;

    /** What the status shows: this node's name, whether it takes duties, those it holds, the nodes seen recently. */
    public record Status(String node, boolean takesDuties, List<String> held, List<NodeHeartbeat> nodesSeen) {
    }

    @PostConstruct
    void start() {
        node = NodeName.resolve(settings.get(Setting.NODE_NAME), System.getProperty("jboss.node.name"),
                NodeName::hostName);
        takesDuties = settings.getBoolean(Setting.NODE_DUTIES);
        long seconds = settings.getLong(Setting.LEASE_SECONDS);
        NodeClock clock = NodeClock.system();
        duties = new Duties(leases, clock, node, seconds, takesDuties);
        if (settings.optional(Setting.INGEST_ORTHANC_URL).isPresent()) {
            duties.register(ORTHANC_CHANGES);
        }
        duties.register(RECONCILE);
        heartbeats = new Heartbeats(heartbeatStore, clock, node, seconds);
        long interval = Math.max(1, seconds * 1000 / 3);
        executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = threads.newThread(task);
            t.setName("sidecar-duties");
            return t;
        });
        executor.scheduleWithFixedDelay(this::tick, 0, interval, TimeUnit.MILLISECONDS);
        LOG.info(() -> "Node " + node + (takesDuties ? " takes duties, leases of " + seconds + " s"
                : " takes no duties"));
    }

    /** This node's name among the nodes sharing the database. */
    public String node() {
        return node;
    }

    /** Where the heartbeat reads this node's journal depth from (the mirror's events not yet mirrored). */
    public void reportJournalDepth(java.util.function.LongSupplier depth) {
        journalDepth = depth;
    }

    /** Whether this node may act on the duty now. */
    public boolean holds(String duty) {
        return duties != null && duties.holds(duty);
    }

    public Status status() {
        return new Status(node, takesDuties, duties.held(), heartbeats.recent());
    }

    private void tick() {
        try {
            duties.tick();
            heartbeats.beat(duties.held(), journalDepth.getAsLong());
        } catch (RuntimeException e) { // a tick that throws would end the schedule: log it and tick again
            LOG.log(Level.WARNING, "Duty tick failed", e);
        }
    }

    @PreDestroy
    void stop() {
        if (executor == null) {
            return;
        }
        executor.shutdown(); // a tick under way finishes (it is bounded by CouchDB's read time-out)
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        duties.release();
    }
}
