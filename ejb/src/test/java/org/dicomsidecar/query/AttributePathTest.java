package org.dicomsidecar.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AttributePathTest {

    @Test
    void keywordsTagsAndSequences() {
        assertEquals(List.of("00280030"), AttributePath.parse("PixelSpacing", "a").tags());
        assertEquals(List.of("00620002", "00620008"), AttributePath.parse("(0062,0002).(0062,0008)", "a").tags());
        assertEquals("CS", AttributePath.parse("SegmentSequence.SegmentAlgorithmType", "a").vr());
    }

    @ParameterizedTest
    @ValueSource(strings = {".", "..", "...", "PixelSpacing.", ".PixelSpacing", "SegmentSequence..SegmentAlgorithmType",
        " . ", "NoSuchKeyword", "00280030.Rows", "SegmentSequence"})
    void malformedPathsAreQueryErrors(String text) {
        QueryException e = assertThrows(QueryException.class, () -> AttributePath.parse(text, "where.attribute"));
        assertEquals("where.attribute", e.where());
    }
}
