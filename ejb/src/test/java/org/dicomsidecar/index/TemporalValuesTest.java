package org.dicomsidecar.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class TemporalValuesTest {

    @Test
    void datesInEveryFormDicomHasSeen() {
        assertEquals(OptionalLong.of(20240131), TemporalValues.date("20240131"));
        assertEquals(OptionalLong.of(20240131), TemporalValues.date("2024-01-31"));
        assertEquals(OptionalLong.of(20240131), TemporalValues.date("2024.01.31 "));
        assertTrue(TemporalValues.date("20240230").isEmpty());
        assertTrue(TemporalValues.date("unknown").isEmpty());
        assertTrue(TemporalValues.date("").isEmpty());
    }

    @Test
    void timesAsMillisecondsOfTheDay() {
        assertEquals(OptionalLong.of(36_312_000), TemporalValues.time("100512"));
        assertEquals(OptionalLong.of(36_900_123), TemporalValues.time("101500.123456"));
        assertEquals(OptionalLong.of(36_000_000), TemporalValues.time("10"));
        assertEquals(OptionalLong.of(36_300_000), TemporalValues.time("10:05"));
        assertTrue(TemporalValues.time("2500").isEmpty());
        assertTrue(TemporalValues.time("noon").isEmpty());
    }

    @Test
    void dateTimesAsSortableLongs() {
        assertEquals(OptionalLong.of(20240131_100512_250L), TemporalValues.dateTime("20240131100512.25+0100"));
        assertEquals(OptionalLong.of(20240101_000000_000L), TemporalValues.dateTime("2024"));
        assertEquals(OptionalLong.of(20240131_100000_000L), TemporalValues.dateTime("2024013110"));
        assertTrue(TemporalValues.dateTime("20241301").isEmpty());
        assertTrue(TemporalValues.dateTime("yesterday").isEmpty());
    }
}
