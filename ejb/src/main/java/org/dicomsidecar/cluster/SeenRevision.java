package org.dicomsidecar.cluster;

/**
 * A document's revision as this node saw it, and when it first saw that revision by its own monotonic clock
 * ({@link NodeClock#millis()}). How long a document has stood unchanged is measured from here, never from the
 * instants another node wrote into it.
 */
public record SeenRevision(String rev, long firstSeenMillis) {

    /** What this node knows after reading {@code rev} at {@code nowMillis}: unchanged, or a new revision seen now. */
    public static SeenRevision next(SeenRevision last, String rev, long nowMillis) {
        return last != null && last.rev().equals(rev) ? last : new SeenRevision(rev, nowMillis);
    }

    /** How long, by this node's clock, the revision has stood unchanged. */
    public long unchangedFor(long nowMillis) {
        return nowMillis - firstSeenMillis;
    }
}
