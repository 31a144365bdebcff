package org.dicomsidecar.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dicomsidecar.ingest.JournaledEvent;
import org.dicomsidecar.ingest.StoredEvent;
import org.junit.jupiter.api.Test;

class MirrorStatisticsTest {

    private static JournaledEvent event(String source) {
        return new JournaledEvent(0, 0, new StoredEvent("1.2.3", null, null, source), 0);
    }

    @Test
    void everyReceiverIsListedFromTheStart() {
        Map<String, Long> expected = new LinkedHashMap<>();
        for (String s : List.of("webhook", "ups", "wado", "fhir", "stow", "orthanc-changes")) {
            expected.put(s, 0L);
        }
        assertEquals(expected, new MirrorStatistics().eventsBySource());
    }

    @Test
    void eventsAreCountedInTotalAndBySource() {
        MirrorStatistics stats = new MirrorStatistics();
        stats.received(List.of(event("webhook"), event("webhook"), event("orthanc-changes"), event("webhook")));
        stats.received(List.of(event("ups")));
        stats.received(List.of());
        stats.received(List.of(event("journal")));
        assertEquals(6, stats.eventsReceived());
        Map<String, Long> by = stats.eventsBySource();
        assertEquals(3L, by.get("webhook"));
        assertEquals(1L, by.get("orthanc-changes"));
        assertEquals(1L, by.get("ups"));
        assertEquals(0L, by.get("fhir"));
        assertEquals(1L, by.get("journal"), "a source no receiver has is listed too");
        assertEquals(6L, by.values().stream().mapToLong(Long::longValue).sum());
    }

    @Test
    void lagPercentilesCoverOnlyTheRecentWindowSoTheyRecoverAfterAnOutage() {
        long[] now = {1_000_000};
        MirrorStatistics stats = new MirrorStatistics(() -> now[0]);
        assertEquals(-1, stats.lagPercentile(95), "nothing mirrored yet");
        for (int i = 0; i < 100; i++) {
            stats.lag(60_000); // mirrored after an outage
        }
        assertEquals(60_000, stats.lagPercentile(95));
        now[0] += MirrorStatistics.LAG_WINDOW_MILLIS / 2;
        for (int i = 0; i < 100; i++) {
            stats.lag(800);
        }
        assertEquals(800, stats.lagPercentile(50));
        assertEquals(60_000, stats.lagPercentile(95), "the outage is still in the window");
        now[0] += MirrorStatistics.LAG_WINDOW_MILLIS / 2 + 1;
        assertEquals(800, stats.lagPercentile(95), "the outage's lags have left the window");
        now[0] += MirrorStatistics.LAG_WINDOW_MILLIS;
        assertEquals(-1, stats.lagPercentile(95), "nothing mirrored recently");
    }

    @Test
    void countersOfFailuresDropsAndSkips() {
        MirrorStatistics stats = new MirrorStatistics();
        stats.failed(3);
        stats.failed(3);
        stats.notInArchive(10_000);
        stats.skipped(1);
        stats.skipped(0);
        assertEquals(6, stats.failedAttempts());
        assertEquals(10_000, stats.eventsNotInArchive());
        assertEquals(1, stats.itemsSkipped());
    }
}
