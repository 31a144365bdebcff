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
}
