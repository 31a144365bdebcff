package org.dicomsidecar.qido;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.dicomsidecar.query.AttributePath;
import org.dicomsidecar.query.CohortQuery.Level;
import org.dicomsidecar.query.Condition;
import org.dicomsidecar.query.ConditionEvaluator;
import org.dicomsidecar.query.QueryException;
import org.dicomsidecar.json.Jsonp;
import org.junit.jupiter.api.Test;

/** QIDO-RS keys read into conditions: universal matching, wildcards and fuzzy names on datasets written here. */
class QidoQueryTest {

    private static final JsonObject NAMED = dataset("DOE^JANE", "20240131");
    private static final JsonObject EMPTY_NAME = Jsonp.createObjectBuilder()
            .add("00100010", Jsonp.createObjectBuilder().add("vr", "PN")).build();
    private static final JsonObject NO_NAME = Jsonp.createObjectBuilder().build();

    private static JsonObject dataset(String name, String date) {
        return Jsonp.createObjectBuilder()
                .add("00100010", Jsonp.createObjectBuilder().add("vr", "PN").add("Value", Jsonp.createArrayBuilder()
                        .add(Jsonp.createObjectBuilder().add("Alphabetic", name))))
                .add("00080020", Jsonp.createObjectBuilder().add("vr", "DA").add("Value",
                        Jsonp.createArrayBuilder().add(date)))
                .build();
    }

    private static QidoQuery parse(String rawQuery) {
        return QidoQuery.parse(Level.STUDY, null, null, QidoRequest.parameters(rawQuery));
    }

    private static boolean matches(QidoQuery q, JsonObject dataset) {
        return ConditionEvaluator.matches(q.where(), dataset);
    }

    @Test
    void aStarAloneIsUniversalMatchingOnAnyAttributeEvenEmptyOrAbsent() {
        for (String key : List.of("PatientName=*", "PatientName=***", "StudyDate=*", "PatientID=*",
                "StudyInstanceUID=*", "NumberOfFrames=*", "PatientName=")) {
            QidoQuery q = parse(key);
            assertEquals(new Condition.All(), q.where(), key);
            for (JsonObject d : List.of(NAMED, EMPTY_NAME, NO_NAME)) {
                assertTrue(matches(q, d), key + " on " + d);
            }
            String keyword = key.substring(0, key.indexOf('='));
            assertTrue(q.returned().contains(AttributePath.parse(keyword, keyword)), "the attribute is still returned");
        }
    }

    @Test
    void otherWildcardsNeedAValue() {
        for (String key : List.of("PatientName=*?", "PatientName=D*", "PatientName=*E")) {
            QidoQuery q = parse(key);
            assertTrue(matches(q, NAMED), key);
            assertFalse(matches(q, EMPTY_NAME), key);
            assertFalse(matches(q, NO_NAME), key);
        }
        assertFalse(matches(parse("PatientName=doe*"), NAMED), "case-sensitive without fuzzymatching");
    }

    @Test
    void fuzzyMatchingFindsANameComponentByPrefixInAnyCase() {
        assertTrue(matches(parse("fuzzymatching=true&PatientName=jan"), NAMED));
        assertTrue(matches(parse("fuzzymatching=true&PatientName=do*"), NAMED));
        assertFalse(matches(parse("fuzzymatching=true&PatientName=ane"), NAMED));
    }

    @Test
    void aThirtyStarWildcardIsDecidedAtOnce() {
        QidoQuery q = parse("PatientName=" + "*".repeat(30) + "x");
        JsonObject long64 = dataset("A".repeat(64), "20240131");
        long start = System.nanoTime();
        assertFalse(matches(q, long64));
        assertTrue(matches(q, dataset("A".repeat(64) + "x", "20240131")));
        assertTrue((System.nanoTime() - start) / 1_000_000 < 1_000);
    }

    @Test
    void malformedPercentEncodingIsAQueryError() {
        for (String raw : List.of("PatientName=%ZZ", "%ZZ=1", "PatientName=%", "PatientName=%4")) {
            QueryException e = assertThrows(QueryException.class, () -> QidoRequest.parameters(raw), raw);
            assertEquals("query", e.where());
        }
        assertEquals(Map.of("PatientName", List.of("DOE^J*")), QidoRequest.parameters("PatientName=DOE%5EJ%2A"));
    }

    @Test
    void aUtcOffsetIsNotARange() {
        Map<String, List<String>> p = QidoRequest.parameters("AcquisitionDateTime=20240131101500-0500");
        Condition where = QidoQuery.parse(Level.INSTANCE, null, null, p).where();
        assertTrue(where instanceof Condition.Test t && t.predicate() instanceof Condition.Predicate.Equals,
                where.toString());
    }
}
