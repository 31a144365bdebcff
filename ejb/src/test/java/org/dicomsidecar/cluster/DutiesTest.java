package org.dicomsidecar.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Several nodes' duties over one CouchDB in memory, with time passing only when the test says so. */
class DutiesTest {

    private static final long SECONDS = 30;
    private static final String CHANGES = "orthanc-changes";
    private static final String RECONCILE = "reconcile";

    private final InMemoryClusterStore store = new InMemoryClusterStore();
    private final TestTime time = new TestTime();

    private Duties node(String name, NodeClock clock, boolean takesDuties) {
        Duties duties = new Duties(store, clock, name, SECONDS, takesDuties);
        duties.register(CHANGES);
        duties.register(RECONCILE);
        return duties;
    }

    private Duties node(String name) {
        return node(name, time.clock(), true);
    }

    private static long holders(String duty, Duties... nodes) {
        return Stream.of(nodes).filter(n -> n.holds(duty)).count();
    }

    /** Ticks the nodes given, a third of the lease time apart, this many times. */
    private void rounds(int rounds, Duties... nodes) {
        for (int i = 0; i < rounds; i++) {
            time.advanceSeconds(SECONDS / 3.0);
            Stream.of(nodes).forEach(Duties::tick);
        }
    }

    @Test
    void exactlyOneOfSeveralNodesHoldsEachDuty() {
        Duties a = node("node-a");
        Duties b = node("node-b");
        Duties c = node("node-c");
        c.tick();
        a.tick();
        b.tick();
        assertEquals(List.of(CHANGES, RECONCILE), c.held(), "the first to tick takes both");
        for (int i = 0; i < 20; i++) {
            rounds(1, b, c, a);
            assertEquals(1, holders(CHANGES, a, b, c), "round " + i);
            assertEquals(1, holders(RECONCILE, a, b, c), "round " + i);
        }
        assertEquals(List.of(CHANGES, RECONCILE), c.held(), "the holder keeps its duties while it renews them");
        Lease lease = store.lease(CHANGES).orElseThrow();
        assertEquals("node-c", lease.holder());
        assertEquals(lease.renewed().plusSeconds(SECONDS), lease.expires());
        assertEquals(SECONDS, lease.seconds());
    }

    @Test
    void whenTheHolderStopsAnotherTakesOverOnlyAfterTheLeaseTimeAndTheOldHolderStoppedActingBefore() {
        Duties a = node("node-a");
        Duties b = node("node-b");
        a.tick();
        b.tick(); // b first sees a's revision now: its own clock counts from here
        assertTrue(a.holds(CHANGES));
        // a stops ticking (it hangs, or its process is killed); b ticks every second from now on
        for (int second = 1; second < SECONDS; second++) {
            time.advanceSeconds(1);
            b.tick();
            assertFalse(b.holds(CHANGES), "b waits the whole lease time: " + second + " s");
            assertEquals(second < SECONDS / 2, a.holds(CHANGES), "a acts for half the lease time only: " + second + " s");
        }
        time.advanceSeconds(1);
        b.tick();
        assertTrue(b.holds(CHANGES), "taken over after " + SECONDS + " s of b's own clock");
        assertTrue(b.holds(RECONCILE));
        assertEquals("node-b", store.lease(CHANGES).orElseThrow().holder());
        a.tick();
        assertFalse(a.holds(CHANGES), "a, back, finds the lease taken and leaves it");
        rounds(3, a, b);
        assertEquals(List.of(), a.held());
        assertEquals(List.of(CHANGES, RECONCILE), b.held());
    }

    @Test
    void releaseHandsTheDutiesOverAtTheOtherNodesNextTick() {
        Duties a = node("node-a");
        Duties b = node("node-b");
        rounds(3, a, b);
        assertEquals(List.of(CHANGES, RECONCILE), a.held());
        a.release();
        assertEquals(List.of(), a.held(), "a stops acting at once");
        assertTrue(store.lease(CHANGES).orElseThrow().isFree());
        time.advanceSeconds(1);
        b.tick();
        assertEquals(List.of(CHANGES, RECONCILE), b.held(), "taken at the next tick, without waiting the lease time");
        a.tick();
        assertEquals(List.of(), a.held(), "a released node takes nothing again");
    }

    @Test
    void aNodeWithoutDutiesNeverTakesALease() {
        Duties answering = node("node-a", time.clock(), false);
        rounds(10, answering);
        assertEquals(List.of(), answering.held());
        assertEquals(0, store.writes, "it does not even write a free lease");
        Duties b = node("node-b");
        rounds(1, answering, b);
        assertEquals(List.of(CHANGES, RECONCILE), b.held());
        rounds(10, answering);
        assertFalse(answering.holds(CHANGES), "nor does it take over a lease left unrenewed");
    }

    @Test
    void ofTwoNodesWritingTheSameReadOnlyOneWinsAndTheOtherDoesNotHold() {
        Duties a = node("node-a");
        Duties b = node("node-b");
        store.beforeNextWrite = b::tick; // b reads and writes between a's read and a's write
        a.tick();
        assertTrue(b.holds(CHANGES));
        assertFalse(a.holds(CHANGES), "a's write carried the revision it read: a conflict, so a does not hold");
        assertEquals(1, holders(RECONCILE, a, b));
        rounds(5, a, b);
        assertEquals(1, holders(CHANGES, a, b));
        assertEquals(1, holders(RECONCILE, a, b));
    }

    @Test
    void aHolderWhoseRenewalConflictsStopsActingAtOnce() {
        Duties a = node("node-a");
        a.tick();
        assertTrue(a.holds(CHANGES));
        time.advanceSeconds(SECONDS / 3.0);
        store.beforeNextWrite = () -> store.docs.overwrite(Lease.heldBy("node-x", CHANGES, TestTime.START, SECONDS)
                .document(null));
        a.tick();
        assertFalse(a.holds(CHANGES), "a's renewal conflicted: another node wrote the lease");
        assertTrue(a.holds(RECONCILE));
    }

    @Test
    void whileCouchDbIsUnreachableTheHolderStopsActingAfterHalfTheLeaseTime() {
        Duties a = node("node-a");
        Duties b = node("node-b");
        a.tick();
        b.tick();
        store.down = true;
        time.advanceSeconds(SECONDS / 3.0);
        a.tick(); // throws nothing
        b.tick();
        assertTrue(a.holds(CHANGES), "still within half the lease time of its last renewal");
        time.advanceSeconds(SECONDS / 2.0 - SECONDS / 3.0);
        assertFalse(a.holds(CHANGES), "half the lease time after its last renewal");
        assertEquals(0, holders(CHANGES, a, b));
        time.advanceSeconds(1);
        store.down = false;
        a.tick();
        assertTrue(a.holds(CHANGES), "back: the lease is still its own, renewed");
        b.tick();
        assertFalse(b.holds(CHANGES));
    }

    @Test
    void nodesWhoseClocksAreHoursApartNeverHoldADutyTogether() {
        Duties behind = node("node-a", time.clock(Duration.ofHours(-5), 0), true);
        Duties ahead = node("node-b", time.clock(Duration.ofHours(7), 987_654_321L), true);
        behind.tick();
        ahead.tick();
        assertTrue(behind.holds(CHANGES));
        assertTrue(store.lease(CHANGES).orElseThrow().expires().isBefore(TestTime.START.plus(Duration.ofHours(7))),
                "by the clock of the node ahead the lease expired hours ago");
        for (int i = 0; i < 30; i++) {
            rounds(1, behind, ahead);
            assertEquals(1, holders(CHANGES, behind, ahead), "round " + i);
            assertTrue(behind.holds(CHANGES), "the renewing holder keeps its duty: round " + i);
        }
        // the holder stops: the node ahead takes over after the lease time by its own clock, not before
        for (int second = 1; second < SECONDS; second++) {
            time.advanceSeconds(1);
            ahead.tick();
            assertEquals(second < SECONDS / 2 ? 1 : 0, holders(CHANGES, behind, ahead), second + " s");
        }
        time.advanceSeconds(1);
        ahead.tick();
        assertTrue(ahead.holds(CHANGES));
        assertFalse(behind.holds(CHANGES));
    }

    @Test
    void aLeaseNamingThisNodeUnderARevisionItDidNotWriteIsWaitedOutAsAnothers() {
        Duties before = node("node-a");
        before.tick();
        Duties restarted = node("node-a"); // the same name: a restart after a crash, or a second node misnamed
        restarted.tick();
        assertFalse(restarted.holds(CHANGES), "it cannot tell its earlier life from a namesake that still acts");
        assertTrue(before.holds(CHANGES));
        time.advanceSeconds(SECONDS);
        restarted.tick();
        assertTrue(restarted.holds(CHANGES), "taken over after the lease time, as from any other node");
        before.tick();
        assertFalse(before.holds(CHANGES), "and the earlier one, if it still lives, finds it gone");
    }

    @Test
    void theHoldersLeaseTimeIsTheOneWaitedOut() {
        Duties slow = new Duties(store, time.clock(), "node-a", 2 * SECONDS, true);
        slow.register(CHANGES);
        Duties b = node("node-b");
        slow.tick();
        b.tick();
        time.advanceSeconds(SECONDS);
        b.tick();
        assertFalse(b.holds(CHANGES), "the holder promised " + 2 * SECONDS + " s");
        assertFalse(slow.holds(CHANGES), "it acts for half of them: " + SECONDS + " s");
        time.advanceSeconds(SECONDS);
        b.tick();
        assertTrue(b.holds(CHANGES));
    }
}
