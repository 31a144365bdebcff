package org.dicomsidecar.cluster;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.dicomsidecar.couchdb.CouchRequestException;
import org.dicomsidecar.couchdb.CouchUnavailableException;

/**
 * The duties that must run on one node only, each held by a lease in CouchDB. Every {@link #tick()} reads each
 * registered duty's lease and takes, renews or takes over as {@link LeaseRules} decide, writing under the revision
 * read; {@link #holds(String)} says whether this node may act on a duty now. A holder stops acting half a lease time
 * after its last successful write, while another node takes over only once the lease has stood unchanged for a
 * whole lease time by its own clock: so at no moment do two nodes act, whatever their clocks say. CouchDB being
 * unreachable never throws out of a tick: this node just cannot renew, and stops acting in time.
 */
public final class Duties {

    private static final Logger LOG = Logger.getLogger(Duties.class.getName());
    private static final long NEVER = Long.MIN_VALUE;

    private final LeaseStore store;
    private final NodeClock clock;
    private final String node;
    private final long seconds;
    private final boolean takesDuties;
    private final Map<String, Held> duties = new ConcurrentSkipListMap<>();
    private volatile boolean released;

    /** What this node knows of one duty's lease. */
    private static final class Held {
        /** The lease's revision as last read or written, and since when by this node's clock (tick thread only). */
        SeenRevision seen;
        /** The revision of this node's last successful write, while the lease is its own; else null. */
        String ownRev;
        /** When (this node's clock) the last successful write was sent; {@link #NEVER} while the lease is not its own. */
        volatile long writtenAt = NEVER;
        /** Why the last tick could not read or write the lease (logged once per change); null after a good tick. */
        String failure;
    }

    /**
     * @param store where the leases are
     * @param clock this node's clocks
     * @param node this node's name, unique among the nodes sharing the database
     * @param seconds the lease time: renewals hold this long for the other nodes, half as long for this one
     * @param takesDuties false: this node never takes a lease
     */
    public Duties(LeaseStore store, NodeClock clock, String node, long seconds, boolean takesDuties) {
        this.store = store;
        this.clock = clock;
        this.node = node;
        this.seconds = seconds;
        this.takesDuties = takesDuties;
    }

    /** Adds a duty to those the ticks try to hold (a name such as {@code orthanc-changes}). */
    public void register(String duty) {
        duties.putIfAbsent(duty, new Held());
    }

    /** Tries every registered duty once: takes, renews, takes over, or lets go of it. Never throws on CouchDB trouble. */
    public synchronized void tick() {
        if (released || !takesDuties) {
            return;
        }
        duties.forEach((duty, held) -> {
            if (!released) {
                tick(duty, held);
            }
        });
    }

    /** Whether this node may act on the duty now: its last successful write of the lease is younger than half the lease time. */
    public boolean holds(String duty) {
        Held held = duties.get(duty);
        if (released || held == null) {
            return false;
        }
        long writtenAt = held.writtenAt;
        return writtenAt != NEVER && clock.millis() - writtenAt < LeaseRules.actingMillis(seconds);
    }

    /** The duties this node may act on now, in name order. */
    public List<String> held() {
        return duties.keySet().stream().filter(this::holds).toList();
    }

    /**
     * Lets every duty go, for good (on shutdown): stops acting at once, then writes each lease this node holds as free,
     * so that another node takes it at its next tick instead of waiting out the lease time.
     */
    public void release() {
        released = true; // before waiting for a tick under way: no acting from now on
        synchronized (this) {
            duties.forEach(this::release);
        }
    }

    private void release(String duty, Held held) {
        held.writtenAt = NEVER;
        if (held.ownRev == null) {
            return;
        }
        try {
            if (store.write(Lease.free(duty, clock.wallTime(), seconds), held.ownRev).isPresent()) {
                LOG.info(() -> "Released duty " + duty);
            }
        } catch (CouchUnavailableException | CouchRequestException e) {
            LOG.log(Level.WARNING, "Could not release duty {0} (another node takes it over in {1} s): {2}",
                    new Object[]{duty, seconds, e.getMessage()});
        }
        held.ownRev = null;
    }

    private void tick(String duty, Held held) {
        try {
            Optional<Stored<Lease>> current = store.read(duty);
            long readAt = clock.millis();
            current.ifPresent(c -> held.seen = SeenRevision.next(held.seen, c.rev(), readAt));
            long unchanged = current.isPresent() ? held.seen.unchangedFor(readAt) : 0;
            LeaseRules.Decision decision = LeaseRules.decide(current, node, held.ownRev, unchanged, seconds);
            if (decision == LeaseRules.Decision.WAIT) {
                lose(duty, held, "held by " + current.map(c -> c.value().holder()).orElse("?"));
            } else {
                write(duty, held, current.map(Stored::rev).orElse(null), decision);
            }
            if (held.failure != null) {
                LOG.info(() -> "Lease of duty " + duty + " readable again");
                held.failure = null;
            }
        } catch (CouchUnavailableException | CouchRequestException e) {
            if (!Objects.equals(e.getMessage(), held.failure)) {
                LOG.log(Level.WARNING, "Cannot read or write the lease of duty {0}{1}: {2}", new Object[]{duty,
                        held.ownRev != null ? " (acting on it until the lease runs short)" : "", e.getMessage()});
            }
            held.failure = e.getMessage();
        }
    }

    private void write(String duty, Held held, String rev, LeaseRules.Decision decision) {
        long sentAt = clock.millis();
        Optional<String> written = store.write(Lease.heldBy(node, duty, clock.wallTime(), seconds), rev);
        if (written.isEmpty()) {
            lose(duty, held, "another node wrote the lease first");
            return;
        }
        if (held.ownRev == null) {
            LOG.info(() -> (decision == LeaseRules.Decision.TAKE_OVER ? "Took over" : "Took") + " duty " + duty);
        }
        held.ownRev = written.get();
        held.seen = new SeenRevision(written.get(), sentAt);
        held.writtenAt = sentAt;
    }

    private void lose(String duty, Held held, String why) {
        held.writtenAt = NEVER;
        if (held.ownRev != null) {
            held.ownRev = null;
            LOG.warning(() -> "Lost duty " + duty + ": " + why);
        }
    }
}
