package org.dicomsidecar.cluster;

import java.util.Optional;

/**
 * What a node does with a duty's lease at a tick, decided from the lease document as read and what this node itself
 * knows: the revision of its own last write, and how long the document has stood unchanged by its own clock (as
 * Kubernetes' leader election does: another node's instants are never compared with this node's clock). Every write
 * that follows carries the revision read, so of two nodes deciding at once only one succeeds.
 */
public final class LeaseRules {

    /** What to do with a lease at a tick. */
    public enum Decision {
        /** No lease document, or nobody holds it: write it as this node's. */
        TAKE,
        /** This node holds it: write it again. */
        RENEW,
        /** Another node holds it but has not renewed it for the lease's time: write it as this node's. */
        TAKE_OVER,
        /** Another node holds it and renews it: leave it. */
        WAIT
    }

    private LeaseRules() {
    }

    /**
     * Decides.
     *
     * @param current the lease as read, with its revision; empty when there is no document
     * @param node this node's name
     * @param ownRev the revision of this node's last successful write of this lease, null when it has none: a lease
     *        that names this node under another revision (written before a restart, or by a node given the same
     *        name) is treated as another node's
     * @param unchangedForMillis how long, by this node's clock, the document has stood at {@code current}'s revision
     * @param ownSeconds this node's lease time, for a document that does not say its own
     */
    public static Decision decide(Optional<Stored<Lease>> current, String node, String ownRev,
            long unchangedForMillis, long ownSeconds) {
        if (current.isEmpty() || current.get().value().isFree()) {
            return Decision.TAKE;
        }
        Lease lease = current.get().value();
        if (lease.holder().equals(node) && current.get().rev().equals(ownRev)) {
            return Decision.RENEW;
        }
        long seconds = lease.seconds() > 0 ? lease.seconds() : ownSeconds; // the holder's promise, when it made one
        return unchangedForMillis >= seconds * 1000L ? Decision.TAKE_OVER : Decision.WAIT;
    }

    /**
     * How long after its last successful write (measured from when that write was sent) a holder still acts: half
     * the lease time, so it stops well before any other node may take the lease over.
     */
    public static long actingMillis(long seconds) {
        return seconds * 1000L / 2;
    }
}
