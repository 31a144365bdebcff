package org.dicomsidecar.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Several nodes' heartbeats over one CouchDB in memory, with time passing only when the test says so. */
class HeartbeatsTest {

    private static final long SECONDS = 30;

    private final InMemoryClusterStore store = new InMemoryClusterStore();
    private final TestTime time = new TestTime();

    private Heartbeats node(String name) {
        return new Heartbeats(store, time.clock(), name, SECONDS);
    }

    private static List<String> names(Heartbeats heartbeats) {
        return heartbeats.recent().stream().map(NodeHeartbeat::name).toList();
    }

    @Test
    void eachNodesJournalDepthIsSeenByTheOthers() {
        Heartbeats a = node("node-a");
        Heartbeats b = node("node-b");
        for (int beat = 0; beat < 2; beat++) {
            a.beat(List.of("reconcile"), 12 + beat);
            b.beat(List.of(), -1);
            time.advanceSeconds(SECONDS / 3.0);
        }
        NodeHeartbeat seenByB = b.recent().stream().filter(h -> h.name().equals("node-a")).findFirst().orElseThrow();
        assertEquals(13, seenByB.journalDepth());
        NodeHeartbeat bItself = b.recent().stream().filter(h -> h.name().equals("node-b")).findFirst().orElseThrow();
        assertEquals(-1, bItself.journalDepth(), "not reported");
    }

    @Test
    void everyNodeSeesItselfAndTheOthersWithTheirDuties() {
        Heartbeats a = node("node-a");
        Heartbeats b = node("node-b");
        a.beat(List.of("orthanc-changes", "reconcile"), -1);
        b.beat(List.of(), -1);
        assertEquals(List.of("node-a"), names(a), "itself at once; b had not written yet");
        assertEquals(List.of("node-b"), names(b), "a's document has not changed since b first read it");
        time.advanceSeconds(SECONDS / 3.0);
        a.beat(List.of("orthanc-changes", "reconcile"), -1);
        b.beat(List.of(), -1);
        assertEquals(List.of("node-a", "node-b"), names(b), "a's document changed since b last read it");
        assertEquals(List.of("node-a"), names(a), "b's document a has read once only");
        time.advanceSeconds(SECONDS / 3.0);
        a.beat(List.of("orthanc-changes", "reconcile"), -1);
        assertEquals(List.of("node-a", "node-b"), names(a));
        NodeHeartbeat seenByB = b.recent().get(0);
        assertEquals(List.of("orthanc-changes", "reconcile"), seenByB.duties());
        assertEquals(TestTime.START.plusSeconds(SECONDS / 3), seenByB.seen(), "by a's clock, for people to read");
    }

    @Test
    void aNodeThatStopsIsNoLongerSeenAfterThreeLeaseTimes() {
        Heartbeats a = node("node-a");
        Heartbeats b = node("node-b");
        for (int i = 0; i < 3; i++) {
            b.beat(List.of(), -1);
            a.beat(List.of(), -1); // a reads b's heartbeat as soon as b wrote it
            time.advanceSeconds(SECONDS / 3.0);
        }
        assertEquals(List.of("node-a", "node-b"), names(a));
        // b stops
        for (int i = 0; i < 7; i++) {
            time.advanceSeconds(SECONDS / 3.0);
            a.beat(List.of(), -1);
        }
        assertEquals(List.of("node-a", "node-b"), names(a), "just under three lease times since b's last heartbeat");
        time.advanceSeconds(SECONDS / 3.0);
        a.beat(List.of(), -1);
        assertEquals(List.of("node-a"), names(a));
    }

    @Test
    void aNodeDocumentLeftFromLongAgoIsNotSeen() {
        store.docs.overwrite(new NodeHeartbeat("node-old", TestTime.START.minus(Duration.ofDays(3)), List.of(), -1)
                .document(null));
        Heartbeats a = node("node-a");
        for (int i = 0; i < 5; i++) {
            a.beat(List.of(), -1);
            time.advanceSeconds(SECONDS / 3.0);
        }
        assertEquals(List.of("node-a"), names(a));
    }

    @Test
    void aNodeWhoseClockIsHoursAheadIsSeenWhileItBeatsAndNotAfter() {
        Heartbeats a = node("node-a");
        Heartbeats ahead = new Heartbeats(store, time.clock(Duration.ofHours(9), 42), "node-b", SECONDS);
        for (int i = 0; i < 3; i++) {
            a.beat(List.of(), -1);
            ahead.beat(List.of(), -1);
            time.advanceSeconds(SECONDS / 3.0);
        }
        assertEquals(List.of("node-a", "node-b"), names(a));
        for (int i = 0; i < 10; i++) {
            time.advanceSeconds(SECONDS / 3.0);
            a.beat(List.of(), -1);
        }
        assertEquals(List.of("node-a"), names(a), "its seen instant, hours ahead, keeps nobody listed");
    }

    @Test
    void aConflictingHeartbeatIsWrittenAgainAtTheNextBeat() {
        Heartbeats a = node("node-a");
        a.beat(List.of(), -1);
        store.docs.overwrite(new NodeHeartbeat("node-a", TestTime.START, List.of("stale"), -1).document(null));
        int writes = store.writes;
        a.beat(List.of("reconcile"), -1);
        assertEquals(List.of("stale"), NodeHeartbeat.of(store.docs.get(NodeHeartbeat.id("node-a")).orElseThrow())
                .duties(), "the write carried an old revision: a conflict, nothing written");
        a.beat(List.of("reconcile"), -1);
        assertEquals(writes + 2, store.writes);
        assertEquals(List.of("reconcile"), NodeHeartbeat.of(store.docs.get(NodeHeartbeat.id("node-a")).orElseThrow())
                .duties());
    }

    @Test
    void whileCouchDbIsUnreachableNothingThrowsAndTheNodesFadeOut() {
        Heartbeats a = node("node-a");
        a.beat(List.of(), -1);
        store.down = true;
        for (int i = 0; i < 8; i++) {
            time.advanceSeconds(SECONDS / 3.0);
            a.beat(List.of(), -1); // throws nothing
        }
        assertEquals(List.of("node-a"), names(a), "what it read last, within three lease times");
        time.advanceSeconds(SECONDS / 3.0);
        assertEquals(List.of(), names(a), "nobody known to be there, itself included");
        store.down = false;
        a.beat(List.of(), -1);
        assertEquals(List.of("node-a"), names(a));
    }
}
