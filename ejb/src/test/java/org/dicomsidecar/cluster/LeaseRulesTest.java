package org.dicomsidecar.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Instant;
import java.util.Optional;
import org.dicomsidecar.cluster.LeaseRules.Decision;
import org.junit.jupiter.api.Test;

class LeaseRulesTest {

    private static final Instant NOW = Instant.parse("2025-03-01T08:00:00Z");
    private static final long SECONDS = 30;

    private static Optional<Stored<Lease>> held(String holder, String rev, long seconds) {
        return Optional.of(new Stored<>(Lease.heldBy(holder, "reconcile", NOW, seconds), rev));
    }

    private static Decision decide(Optional<Stored<Lease>> current, String ownRev, long unchangedForMillis) {
        return LeaseRules.decide(current, "node-a", ownRev, unchangedForMillis, SECONDS);
    }

    @Test
    void noLeaseOrAFreeOneIsTaken() {
        assertEquals(Decision.TAKE, decide(Optional.empty(), null, 0));
        assertEquals(Decision.TAKE, decide(Optional.of(new Stored<>(Lease.free("reconcile", NOW, SECONDS), "3-x")),
                null, 0));
    }

    @Test
    void aLeaseThisNodeWroteLastIsRenewed() {
        assertEquals(Decision.RENEW, decide(held("node-a", "5-x", SECONDS), "5-x", 0));
        assertEquals(Decision.RENEW, decide(held("node-a", "5-x", SECONDS), "5-x", 3_600_000));
    }

    @Test
    void anotherNodesLeaseIsWaitedOutByTheUnchangedTimeOnly() {
        assertEquals(Decision.WAIT, decide(held("node-b", "5-x", SECONDS), null, SECONDS * 1000 - 1));
        assertEquals(Decision.TAKE_OVER, decide(held("node-b", "5-x", SECONDS), null, SECONDS * 1000));
        assertEquals(Decision.WAIT, decide(held("node-b", "5-x", SECONDS), "4-x", 0),
                "this node's own last revision was overwritten");
    }

    @Test
    void aLeaseNamingThisNodeUnderAnotherRevisionIsAnothers() {
        assertEquals(Decision.WAIT, decide(held("node-a", "5-x", SECONDS), null, 1000));
        assertEquals(Decision.WAIT, decide(held("node-a", "5-x", SECONDS), "4-x", 1000));
        assertEquals(Decision.TAKE_OVER, decide(held("node-a", "5-x", SECONDS), "4-x", SECONDS * 1000));
    }

    @Test
    void theHoldersOwnLeaseTimeIsWaitedOutElseThisNodes() {
        assertEquals(Decision.WAIT, decide(held("node-b", "5-x", 120), null, SECONDS * 1000));
        assertEquals(Decision.TAKE_OVER, decide(held("node-b", "5-x", 10), null, 10_000));
        assertEquals(Decision.WAIT, decide(held("node-b", "5-x", 0), null, SECONDS * 1000 - 1));
        assertEquals(Decision.TAKE_OVER, decide(held("node-b", "5-x", 0), null, SECONDS * 1000));
    }

    @Test
    void theInstantsInTheDocumentDecideNothing() {
        Lease expiredLongAgo = new Lease("reconcile", "node-b", Instant.EPOCH, Instant.EPOCH, SECONDS);
        assertEquals(Decision.WAIT, decide(Optional.of(new Stored<>(expiredLongAgo, "5-x")), null, 0));
    }

    @Test
    void aHolderActsForHalfTheLeaseTime() {
        assertEquals(15_000, LeaseRules.actingMillis(30));
        assertEquals(500, LeaseRules.actingMillis(1));
    }

    @Test
    void aRevisionIsDatedFromWhenThisNodeFirstSawIt() {
        SeenRevision first = SeenRevision.next(null, "1-x", 100);
        assertEquals(new SeenRevision("1-x", 100), first);
        assertSame(first, SeenRevision.next(first, "1-x", 5_000));
        assertEquals(4_900, first.unchangedFor(5_000));
        assertEquals(new SeenRevision("2-x", 6_000), SeenRevision.next(first, "2-x", 6_000));
    }
}
