package org.dicomsidecar.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.dicomsidecar.ingest.JournaledEvent;
import org.dicomsidecar.ingest.StoredEvent;
import org.dicomsidecar.mirror.MirrorQueue.Pending;
import org.junit.jupiter.api.Test;

class MirrorQueueTest {

    private static final long QUIET = 300;
    private static final long MAX_DELAY = 1500;
    private long seq;

    private JournaledEvent event(String study, String series, String source) {
        return new JournaledEvent(seq++, 0, new StoredEvent(study, series, null, source), 0);
    }

    /** A flood of made-up studies in one request of the webhook. */
    private void flood(MirrorQueue q, long request, int studies, long now) {
        for (int i = 0; i < studies; i++) {
            q.add(event("9.9." + i, null, "webhook"), request, now);
        }
    }

    private static List<String> keys(List<List<Pending>> jobs) {
        List<String> out = new ArrayList<>();
        jobs.forEach(job -> job.forEach(p -> out.add(p.key)));
        return out;
    }

    private static void checked(List<List<Pending>> jobs) {
        jobs.forEach(job -> job.forEach(p -> p.checked = true));
    }

    @Test
    void aSeriesIsReadyOnceQuietOrOverdue() {
        MirrorQueue q = new MirrorQueue(QUIET, MAX_DELAY);
        q.add(event("1.2", "1.2.3", "webhook"), 1, 0);
        assertEquals(List.of(), q.take(4, 50, 1, QUIET - 1, Set.of()));
        q.add(event("1.2", "1.2.3", "webhook"), 1, 1000);
        assertEquals(List.of(), q.take(4, 50, 1, 1200, Set.of()), "not quiet yet");
        assertEquals(List.of("1.2/1.2.3"), keys(q.take(4, 50, 1, MAX_DELAY, Set.of())), "overdue");
        assertEquals(0, q.size());
    }

    @Test
    void eventsOfOneSeriesAreCoalescedWhicheverRequestBroughtThem() {
        MirrorQueue q = new MirrorQueue(QUIET, MAX_DELAY);
        q.add(event("1.2", "1.2.3", "webhook"), 1, 0);
        q.add(event("1.2", "1.2.3", "orthanc-changes"), 2, 0);
        q.add(event("1.2", "1.2.3", "webhook"), 3, 0);
        List<List<Pending>> jobs = q.take(4, 50, 1, QUIET, Set.of());
        assertEquals(1, jobs.size());
        assertEquals(3, jobs.get(0).get(0).events.size());
    }

    @Test
    void anotherRequestsSeriesIsServedNextDespiteAFloodBeforeIt() {
        MirrorQueue q = new MirrorQueue(QUIET, MAX_DELAY);
        flood(q, 1, 10_000, 0);
        q.add(event("1.2", "1.2.3", "webhook"), 2, 0);
        List<List<Pending>> first = q.take(2, 1, 1, QUIET, Set.of());
        assertEquals(List.of("9.9.0/*", "1.2/1.2.3"), keys(first), "the other request's turn comes second");
    }

    @Test
    void sourcesTakeTurnsThenRequestsWithinASource() {
        MirrorQueue q = new MirrorQueue(QUIET, MAX_DELAY);
        flood(q, 1, 100, 0);
        q.add(event("2.1", "2.1.1", "webhook"), 2, 0);
        q.add(event("3.1", "3.1.1", "orthanc-changes"), 3, 0);
        q.add(event("3.2", "3.2.1", "orthanc-changes"), 3, 0);
        checkedAll(q);
        List<String> order = keys(q.take(6, 1, 1, QUIET, Set.of()));
        assertEquals(List.of("9.9.0/*", "3.1/3.1.1", "2.1/2.1.1", "3.2/3.2.1", "9.9.1/*", "9.9.2/*"), order);
    }

    /** Marks every pending entry's study as checked (takes them all and puts them back, in order). */
    private static void checkedAll(MirrorQueue q) {
        List<List<Pending>> all = q.take(Integer.MAX_VALUE, 1, 1, Long.MAX_VALUE / 2, Set.of());
        checked(all);
        all.forEach(job -> job.forEach(q::putBack));
    }

    @Test
    void uncheckedEntriesOfOneLaneGoTogetherUpToTheBatch() {
        MirrorQueue q = new MirrorQueue(QUIET, MAX_DELAY);
        flood(q, 1, 120, 0);
        q.add(event("1.2", "1.2.3", "orthanc-changes"), 2, 0);
        List<List<Pending>> jobs = q.take(3, 50, 2, QUIET, Set.of());
        assertEquals(List.of(50, 1, 50), jobs.stream().map(List::size).toList());
        assertEquals("1.2/1.2.3", jobs.get(1).get(0).key);
        assertEquals(20, q.size());
    }

    @Test
    void aFloodsChecksGoOneBatchAtATimeWhileAnotherSourcesLoneSeriesStillGoes() {
        MirrorQueue q = new MirrorQueue(QUIET, MAX_DELAY);
        flood(q, 1, 120, 0);
        q.add(event("1.2", "1.2.3", "orthanc-changes"), 2, 0);
        q.add(event("1.3", "1.3.1", "webhook"), 3, 0);
        List<List<Pending>> jobs = q.take(4, 50, 1, QUIET, Set.of());
        assertEquals(List.of(50, 1), jobs.stream().map(List::size).toList());
        assertEquals("1.2/1.2.3", jobs.get(1).get(0).key, "a lone check of another source goes at once");
        assertEquals(List.of(), q.take(4, 50, 0, QUIET, Set.of()), "no batch may go while one is out");
        List<Pending> next = q.take(4, 50, 1, QUIET, Set.of()).get(0);
        assertEquals("1.3/1.3.1", next.get(0).key, "the other request of the flood's source leads the next batch");
        assertEquals(50, next.size());
    }

    @Test
    void aFloodSpreadOverManyRequestsIsCheckedFiftyAtATime() {
        MirrorQueue q = new MirrorQueue(QUIET, MAX_DELAY);
        for (int request = 1; request <= 120; request++) {
            q.add(event("9.9." + request, null, "wado"), request, 0);
        }
        assertEquals(List.of(50), q.take(4, 50, 1, QUIET, Set.of()).stream().map(List::size).toList());
        assertEquals(List.of(), q.take(4, 50, 0, QUIET, Set.of()), "not one by one on every worker");
    }

    @Test
    void whileABatchIsOutCheckedSeriesOfTheFloodsSourceStillGo() {
        MirrorQueue q = new MirrorQueue(QUIET, MAX_DELAY);
        flood(q, 1, 120, 0);
        q.add(event("1.3", "1.3.1", "webhook"), 2, 0);
        assertEquals(50, q.take(1, 50, 1, QUIET, Set.of()).get(0).size(), "the flood's first batch");
        List<Pending> second = q.take(1, 50, 1, QUIET, Set.of()).get(0);
        assertEquals("1.3/1.3.1", second.get(0).key, "the other request leads the second batch");
        second.get(0).checked = true; // the host holds it; the made-up ones of the batch are dropped
        q.putBack(second.get(0));
        assertEquals(22, q.size(), "21 of the flood and the real one");
        assertEquals(List.of("1.3/1.3.1"), keys(q.take(4, 50, 0, QUIET, Set.of())),
                "mirrored while the flood's next batch waits for the slot");
    }

    @Test
    void aCheckedEntryIsAJobOfItsOwn() {
        MirrorQueue q = new MirrorQueue(QUIET, MAX_DELAY);
        q.add(event("1.2", "1.2.3", "webhook"), 1, 0);
        q.add(event("1.2", "1.2.4", "webhook"), 1, 0);
        List<List<Pending>> both = q.take(1, 50, 1, QUIET, Set.of());
        assertEquals(2, both.get(0).size());
        checked(both);
        both.get(0).forEach(q::putBack);
        List<List<Pending>> jobs = q.take(4, 50, 1, QUIET, Set.of());
        assertEquals(List.of(1, 1), jobs.stream().map(List::size).toList());
    }

    @Test
    void busySeriesWaitAndBackOffIsHonoured() {
        MirrorQueue q = new MirrorQueue(QUIET, MAX_DELAY);
        q.add(event("1.2", "1.2.3", "webhook"), 1, 0);
        assertEquals(List.of(), q.take(4, 50, 1, QUIET, Set.of("1.2/1.2.3")), "being mirrored: not twice at once");
        Pending p = q.take(4, 50, 1, QUIET, Set.of()).get(0).get(0);
        p.failures = 1;
        p.notBeforeNanos = 10_000;
        q.putBack(p);
        assertEquals(1, q.failingEvents());
        assertEquals(List.of(), q.take(4, 50, 1, 9_999, Set.of()));
        assertEquals(List.of("1.2/1.2.3"), keys(q.take(4, 50, 1, 10_000, Set.of())));
        assertEquals(0, q.failingEvents());
    }

    @Test
    void aPutBackEntryTakesTheEventsThatCameMeanwhile() {
        MirrorQueue q = new MirrorQueue(QUIET, MAX_DELAY);
        q.add(event("1.2", "1.2.3", "webhook"), 1, 0);
        Pending p = q.take(4, 50, 1, QUIET, Set.of()).get(0).get(0);
        q.add(event("1.2", "1.2.3", "orthanc-changes"), 2, 500);
        q.putBack(p);
        assertEquals(1, q.size());
        List<List<Pending>> jobs = q.take(4, 50, 1, 500 + QUIET, Set.of());
        assertEquals(2, jobs.get(0).get(0).events.size());
        assertEquals(0, q.size());
        assertTrue(q.take(4, 50, 1, Long.MAX_VALUE / 2, Set.of()).isEmpty(), "no lane keeps a stale key");
    }
}
