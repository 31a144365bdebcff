package org.dicomsidecar.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DicomDictionaryTest {

    private final DicomDictionary dictionary = DicomDictionary.standard();

    @Test
    void isTheCompleteStandardDictionaryNotAHandWrittenList() {
        assertTrue(dictionary.size() > 4000, "entries: " + dictionary.size());
    }

    @Test
    void knowsKeywordsTagsVrsAndLevels() {
        assertEquals("00280030", dictionary.byKeyword("PixelSpacing").orElseThrow().tag());
        assertEquals("DS", dictionary.byKeyword("SliceThickness").orElseThrow().vr());
        assertEquals("CS", dictionary.byKeyword("SegmentAlgorithmType").orElseThrow().vr());
        assertEquals("SQ", dictionary.byKeyword("SegmentSequence").orElseThrow().vr());
        assertEquals("Patient", dictionary.byKeyword("PatientName").orElseThrow().level());
        assertEquals("Study", dictionary.byKeyword("StudyDate").orElseThrow().level());
        assertEquals("Series", dictionary.byKeyword("Modality").orElseThrow().level());
        assertEquals("ReferencedSOPInstanceUID", dictionary.byTag("00081155").orElseThrow().keyword());
        assertEquals("PixelSpacing", dictionary.byTag("00280030").orElseThrow().keyword());
        assertEquals("PixelSpacing", dictionary.byTag("00280030".toLowerCase()).orElseThrow().keyword());
    }

    @Test
    void unknownKeywordsAreAbsent() {
        assertTrue(dictionary.byKeyword("PixelSpacingg").isEmpty());
        assertTrue(dictionary.byTag("00291010").isEmpty(), "private tags are not in the standard dictionary");
    }
}
