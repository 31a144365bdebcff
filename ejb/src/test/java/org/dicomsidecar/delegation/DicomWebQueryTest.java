package org.dicomsidecar.delegation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DicomWebQueryTest {

    @Test
    void ordinaryQueriesPassUnchanged() throws RefusedRequestException {
        for (String q : new String[]{"limit=1", "PatientID=123&includefield=00081030,0020000D&limit=3&offset=1",
                "includefield=00081030%2C0020000D", "StudyDate=20200101-20201231", "PatientName=DOE*",
                "fuzzymatching=true&PatientName=Doe%5EJohn", "00100010=A+B", "x=%1B%24B"}) {
            assertEquals(q, DicomWebQuery.normalise(q));
        }
        assertNull(DicomWebQuery.normalise(null));
        assertNull(DicomWebQuery.normalise(""));
    }

    @Test
    void printableCharactersAUriMayNotHoldRawAreEncoded() throws RefusedRequestException {
        assertEquals("PatientName=DOE%5EJOHN", DicomWebQuery.normalise("PatientName=DOE^JOHN"));
        assertEquals("a=%7C%22%3C%3E%5B%5D%7B%7D%60%5C%20", DicomWebQuery.normalise("a=|\"<>[]{}`\\ "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a=1\r\nX-Injected: 1", "a=\n", "a=\u0000", "a=\u007f", "a=%0d%0aX:%201", "a=%0A",
            "a=%00", "a=%7F", "a=%", "a=%2", "a=%zz", "a=%%30", "a=\u00e9", "a=\uff0e"})
    void controlCharactersAndBadEscapesAreRefused(String query) {
        RefusedRequestException e = assertThrows(RefusedRequestException.class, () -> DicomWebQuery.normalise(query));
        assertEquals(400, e.status());
        assertEquals("invalid-query", e.error());
    }
}
