package org.dicomsidecar.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class StoredEventTest {

    @Test
    void instanceSeriesAndStudyLevel() {
        StoredEvent instance = new StoredEvent("1.2.3", "1.2.3.4", "1.2.3.4.5", "ups");
        assertEquals("1.2.3", instance.studyUid());
        assertEquals("1.2.3.4", instance.seriesUid());
        assertEquals("1.2.3.4.5", instance.sopUid());
        assertEquals("ups", instance.source());
        StoredEvent series = new StoredEvent("1.2.3", "1.2.3.4", null, "fhir");
        assertNull(series.sopUid());
        StoredEvent study = new StoredEvent("1.2.3", null, null, "wado");
        assertNull(study.seriesUid());
    }

    @Test
    void valueSemantics() {
        assertEquals(new StoredEvent("1.2", "1.3", "1.4", "stow"), new StoredEvent("1.2", "1.3", "1.4", "stow"));
        assertNotEquals(new StoredEvent("1.2", "1.3", "1.4", "stow"), new StoredEvent("1.2", "1.3", "1.4", "webhook"));
        assertEquals(new StoredEvent("1.2", null, null, "ups").hashCode(), new StoredEvent("1.2", null, null, "ups").hashCode());
    }

    @Test
    void studyIsRequired() {
        InvalidEventException e = assertThrows(InvalidEventException.class,
                () -> new StoredEvent(null, "1.2", "1.3", "webhook"));
        assertEquals(400, e.status());
        assertEquals("studyUid: missing", e.getMessage());
        e = assertThrows(InvalidEventException.class, () -> new StoredEvent("", null, null, "webhook"));
        assertEquals("studyUid: empty", e.getMessage());
    }

    @Test
    void sopRequiresSeries() {
        InvalidEventException e = assertThrows(InvalidEventException.class,
                () -> new StoredEvent("1.2", null, "1.3", "webhook"));
        assertEquals(400, e.status());
        assertEquals("sopUid: given without seriesUid", e.getMessage());
    }

    static List<String> badUids() {
        return List.of("..", ".", "1.2.a", "1/2", "", " 1.2", "1." + "2".repeat(63));
    }

    @ParameterizedTest
    @MethodSource("badUids")
    void everyUidIsChecked(String bad) {
        assertEquals(400, assertThrows(InvalidEventException.class, () -> new StoredEvent(bad, null, null, "ups")).status());
        InvalidEventException series = assertThrows(InvalidEventException.class,
                () -> new StoredEvent("1.2", bad, null, "ups"));
        assertEquals(400, series.status());
        assertEquals("seriesUid", series.getMessage().substring(0, "seriesUid".length()));
        InvalidEventException sop = assertThrows(InvalidEventException.class,
                () -> new StoredEvent("1.2", "1.3", bad, "ups"));
        assertEquals("sopUid", sop.getMessage().substring(0, "sopUid".length()));
    }

    @Test
    void sourceIsRequired() {
        assertThrows(IllegalArgumentException.class, () -> new StoredEvent("1.2", null, null, null));
    }

    @Test
    void invalidEventExceptionCarriesAClientErrorStatus() {
        InvalidEventException e = new InvalidEventException(413, "body: too many events");
        assertEquals(413, e.status());
        assertEquals("body: too many events", e.getMessage());
        assertEquals(415, new InvalidEventException(415, "x").status());
        assertThrows(IllegalArgumentException.class, () -> new InvalidEventException(200, "x"));
        assertThrows(IllegalArgumentException.class, () -> new InvalidEventException(500, "x"));
    }
}
