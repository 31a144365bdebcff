package org.dicomsidecar.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DicomUidTest {

    /** 64 characters: the longest UID. */
    private static final String UID_64 = "1." + "2".repeat(62);
    /** 65 characters: one too many. */
    private static final String UID_65 = "1." + "2".repeat(63);

    @Test
    void lengthsOfTheBoundarySamples() {
        assertEquals(64, UID_64.length());
        assertEquals(65, UID_65.length());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "1", "0", "0.0", "1.2", "1.0.2", "10.20.300", "1.2.840.10008.1.2.1", "1.2.840.10008.5.1.4.1.1.2",
        "2.25.112311314051081758625192572819273032135",
        "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322",
        "1.2222222222222222222222222222222222222222222222222222222222222",
        // not PS3.5-conformant, but stored by archives and found in real files: accepted
        "1.02", "01", "00", "1.2.03.4", "1..2", ".1", "1."
    })
    void validUids(String uid) {
        assertTrue(DicomUid.isValid(uid), uid);
        assertNull(DicomUid.problem(uid, "StudyInstanceUID"));
    }

    @Test
    void sixtyFourCharactersAreValid() {
        assertTrue(DicomUid.isValid(UID_64));
        assertNull(DicomUid.problem(UID_64, "f"));
    }

    @Test
    void sixtyFiveCharactersAreTooLong() {
        assertFalse(DicomUid.isValid(UID_65));
        assertEquals("SeriesInstanceUID: too long (65 characters, at most 64) \"" + UID_65 + "\"",
                DicomUid.problem(UID_65, "SeriesInstanceUID"));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
        ".", "..", "...", "1.2.a", "a.1", "1.2.3 ", " 1.2.3", "1.2.3\0",
        "1,2", "-1", "+1", "1.2.3.A", "1.2e3", "1.\uFF12", "1.\u0662", "urn:oid:1.2.3", "1/2", "Doe^John"
    })
    void invalidUids(String uid) {
        assertFalse(DicomUid.isValid(uid), String.valueOf(uid));
        assertNotNull(DicomUid.problem(uid, "x"));
    }

    @Test
    void missingAndEmpty() {
        assertEquals("StudyInstanceUID: missing", DicomUid.problem(null, "StudyInstanceUID"));
        assertEquals("StudyInstanceUID: empty", DicomUid.problem("", "StudyInstanceUID"));
    }

    @Test
    void dotsAloneAreNoUid() {
        assertEquals("u: no digit in \"..\"", DicomUid.problem("..", "u"));
        assertEquals("u: no digit in \".\"", DicomUid.problem(".", "u"));
    }

    @Test
    void badCharacterIsNamedWithItsPosition() {
        assertEquals("u: bad character 'a' at position 5 (only digits and '.' are allowed)",
                DicomUid.problem("1.2.a", "u"));
        assertEquals("u: bad character U+0020 at position 6 (only digits and '.' are allowed)",
                DicomUid.problem("1.2.3 ", "u"));
        assertEquals("u: bad character U+0000 at position 6 (only digits and '.' are allowed)",
                DicomUid.problem("1.2.3\0", "u"));
        assertEquals("u: bad character U+FF12 at position 3 (only digits and '.' are allowed)",
                DicomUid.problem("1.\uFF12", "u"));
        assertEquals("u: bad character \"'\" at position 2 (only digits and '.' are allowed)",
                DicomUid.problem("1'", "u"));
    }

    @Test
    void nonUidInputIsNeverQuoted() {
        // a patient name or ID put in a UID field must not travel on in the message
        String problem = DicomUid.problem("Doe^John", "StudyInstanceUID");
        assertEquals("StudyInstanceUID: bad character 'D' at position 1 (only digits and '.' are allowed)", problem);
        String longName = "Smith^Alexandra^Maria^^Dr".repeat(4);
        String tooLong = DicomUid.problem(longName, "StudyInstanceUID");
        assertEquals("StudyInstanceUID: too long (100 characters, at most 64)", tooLong);
        assertFalse(tooLong.contains("Smith"));
    }

    @Test
    void neverEchoesMoreThan80CharactersOfInput() {
        String huge = "1." + "9".repeat(5000);
        String problem = DicomUid.problem(huge, "f");
        assertTrue(problem.startsWith("f: too long (5002 characters, at most 64) \"1.999"), problem);
        assertTrue(problem.endsWith("...\""), problem);
        assertFalse(problem.contains(huge.substring(0, 81)));
        assertTrue(problem.length() < 140, problem);
    }

    @Test
    void fieldDefaultsToUid() {
        assertEquals("UID: empty", DicomUid.problem("", null));
        assertEquals("UID: empty", DicomUid.problem("", ""));
    }
}
