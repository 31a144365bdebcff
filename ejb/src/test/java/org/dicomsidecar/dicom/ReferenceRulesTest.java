package org.dicomsidecar.dicom;

import static org.dicomsidecar.dicom.Fixtures.CT;
import static org.dicomsidecar.dicom.Fixtures.DETACHED_STUDY;
import static org.dicomsidecar.dicom.Fixtures.assertSameReferences;
import static org.dicomsidecar.dicom.Fixtures.instance;
import static org.dicomsidecar.dicom.Fixtures.parse;
import static org.dicomsidecar.dicom.Fixtures.series;
import static org.dicomsidecar.dicom.Fixtures.study;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The extractor's rules, one at a time, on small inline datasets. */
class ReferenceRulesTest {

    /** A dataset with its own study 2.25.1, series 2.25.2 and instance 2.25.3, plus the given attributes. */
    private static List<Reference> refs(String attributes) {
        String own = """
                "0020000D": {"vr": "UI", "Value": ["2.25.1"]},
                "0020000E": {"vr": "UI", "Value": ["2.25.2"]},
                "00080018": {"vr": "UI", "Value": ["2.25.3"]}""";
        return ReferenceExtractor.references(parse("{" + own + (attributes.isBlank() ? "" : "," + attributes) + "}"));
    }

    private static String sop(String uid) {
        return "{\"00081150\": {\"vr\": \"UI\", \"Value\": [\"" + CT + "\"]}, "
                + "\"00081155\": {\"vr\": \"UI\", \"Value\": [\"" + uid + "\"]}}";
    }

    @Test
    void noSequencesNoReferences() {
        assertEquals(List.of(), ReferenceExtractor.references(null));
        assertEquals(List.of(), ReferenceExtractor.references(Json.createObjectBuilder().build()));
        // the dataset's own UIDs, FrameOfReferenceUID and a top-level ReferencedSOPInstanceUID-like attribute outside
        // any sequence are not references
        assertEquals(List.of(), refs("""
                "00200052": {"vr": "UI", "Value": ["2.25.9"]},
                "30060024": {"vr": "UI", "Value": ["2.25.9"]},
                "00020003": {"vr": "UI", "Value": ["2.25.3"]}"""));
    }

    @Test
    void framesAreTheUnionOfIntegerValuesAndBadValuesAreSkipped() {
        List<Reference> r = refs("""
                "00081140": {"vr": "SQ", "Value": [
                  {"00081155": {"vr": "UI", "Value": ["2.25.10"]}, "00081160": {"vr": "IS", "Value": ["4", " 2 ", 4]}},
                  {"00081155": {"vr": "UI", "Value": ["2.25.10"]},
                   "00081160": {"vr": "IS", "Value": [9, "x", "1.5", 0, -3, null, 3.0, ""]}},
                  {"00081155": {"vr": "UI", "Value": ["2.25.11"]}, "00081160": {"vr": "IS"}}
                ]}""");
        assertSameReferences(List.of(
                instance("2.25.10", null, null, null, "ReferencedImageSequence", 2, 3, 4, 9),
                instance("2.25.11", null, null, null, "ReferencedImageSequence")), r);
    }

    @Test
    void theSameTargetUnderTwoPathsIsTwoReferences() {
        List<Reference> r = refs("""
                "00081140": {"vr": "SQ", "Value": [%s]},
                "00082112": {"vr": "SQ", "Value": [%s]}""".formatted(sop("2.25.10"), sop("2.25.10")));
        assertSameReferences(List.of(
                instance("2.25.10", null, null, CT, "ReferencedImageSequence"),
                instance("2.25.10", null, null, CT, "SourceImageSequence")), r);
    }

    @Test
    void referencesToTheDatasetItselfItsStudyOrItsSeriesAreLeftOut() {
        List<Reference> r = refs("""
                "00081140": {"vr": "SQ", "Value": [%s]},
                "00081115": {"vr": "SQ", "Value": [{"0020000E": {"vr": "UI", "Value": ["2.25.2"]}}]},
                "00400275": {"vr": "SQ", "Value": [
                  {"0020000D": {"vr": "UI", "Value": ["2.25.1"]}, "00401001": {"vr": "SH", "Value": ["RP1"]}},
                  {"0020000D": {"vr": "UI", "Value": ["2.25.70"]}}
                ]}""".formatted(sop("2.25.3")));
        // only the request of another study remains
        assertSameReferences(List.of(study("2.25.70", null, "RequestAttributesSequence")), r);
    }

    @Test
    void proceduresPatientsVisitsAndOtherNonObjectsAreLeftOut() {
        List<Reference> r = refs("""
                "00081111": {"vr": "SQ", "Value": [{"00081155": {"vr": "UI", "Value": ["2.25.20"]}}]},
                "00081120": {"vr": "SQ", "Value": [{"00081155": {"vr": "UI", "Value": ["2.25.21"]}}]},
                "00081125": {"vr": "SQ", "Value": [{"00081155": {"vr": "UI", "Value": ["2.25.22"]}}]},
                "00081199": {"vr": "SQ", "Value": [
                  {"00081150": {"vr": "UI", "Value": ["1.2.840.10008.3.1.2.3.3"]},
                   "00081155": {"vr": "UI", "Value": ["2.25.23"]}},
                  {"00081150": {"vr": "UI", "Value": ["1.2.840.10008.5.1.4.34.6.1"]},
                   "00081155": {"vr": "UI", "Value": ["2.25.24"]}},
                  {"00081150": {"vr": "UI", "Value": ["1.2.840.10008.5.1.1.1"]},
                   "00081155": {"vr": "UI", "Value": ["2.25.25"]}},
                  %s
                ]}""".formatted(sop("2.25.26")));
        assertSameReferences(List.of(instance("2.25.26", null, null, CT, "ReferencedSOPSequence")), r);
    }

    @Test
    void studyManagementClassesAndStudySequencesReferenceStudies() {
        List<Reference> r = refs("""
                "00081110": {"vr": "SQ", "Value": [
                  {"00081150": {"vr": "UI", "Value": ["1.2.840.10008.3.1.2.3.1"]},
                   "00081155": {"vr": "UI", "Value": ["2.25.30"]}}
                ]},
                "00091010": {"vr": "SQ", "Value": [
                  {"00081150": {"vr": "UI", "Value": ["1.2.840.10008.3.1.2.3.2"]},
                   "00081155": {"vr": "UI", "Value": ["2.25.31"]}}
                ]}""");
        assertSameReferences(List.of(
                study("2.25.30", DETACHED_STUDY, "ReferencedStudySequence"),
                study("2.25.31", "1.2.840.10008.3.1.2.3.2", "00091010")), r);
    }

    @Test
    void anRtReferencedStudyIsTheStudyOfWhatIsInsideIt() {
        List<Reference> r = refs("""
                "30060010": {"vr": "SQ", "Value": [{
                  "00200052": {"vr": "UI", "Value": ["2.25.40"]},
                  "30060012": {"vr": "SQ", "Value": [{
                    "00081150": {"vr": "UI", "Value": ["1.2.840.10008.3.1.2.3.1"]},
                    "00081155": {"vr": "UI", "Value": ["2.25.50"]},
                    "30060014": {"vr": "SQ", "Value": [
                      {"0020000E": {"vr": "UI", "Value": ["2.25.51"]},
                       "30060016": {"vr": "SQ", "Value": [%s]}},
                      {"0020000E": {"vr": "UI", "Value": ["2.25.53"]}}
                    ]}
                  }]}
                }]}""".formatted(sop("2.25.52")));
        String studyPath = "ReferencedFrameOfReferenceSequence>RTReferencedStudySequence";
        assertSameReferences(List.of(
                study("2.25.50", DETACHED_STUDY, studyPath),
                instance("2.25.52", "2.25.50", "2.25.51", CT,
                        studyPath + ">RTReferencedSeriesSequence>ContourImageSequence"),
                series("2.25.53", "2.25.50", studyPath + ">RTReferencedSeriesSequence")), r);
    }

    @Test
    void aNewStudyInsideASeriesItemClearsTheSeries() {
        List<Reference> r = refs("""
                "0040A385": {"vr": "SQ", "Value": [{
                  "0020000E": {"vr": "UI", "Value": ["2.25.60"]},
                  "00091010": {"vr": "SQ", "Value": [{
                    "0020000D": {"vr": "UI", "Value": ["2.25.61"]},
                    "00081199": {"vr": "SQ", "Value": [%s]}
                  }]}
                }]}""".formatted(sop("2.25.62")));
        assertSameReferences(List.of(
                instance("2.25.62", "2.25.61", null, CT, "PertinentOtherEvidenceSequence>00091010>ReferencedSOPSequence")),
                r);
    }

    @Test
    void whatIsKnownOfAnInstanceElsewhereInTheDatasetFillsTheGaps() {
        List<Reference> r = refs("""
                "00081115": {"vr": "SQ", "Value": [{
                  "0020000E": {"vr": "UI", "Value": ["2.25.80"]},
                  "0008114A": {"vr": "SQ", "Value": [%s]}
                }]},
                "52009230": {"vr": "SQ", "Value": [{
                  "00089124": {"vr": "SQ", "Value": [{
                    "00082112": {"vr": "SQ", "Value": [{"00081155": {"vr": "UI", "Value": ["2.25.81"]}}]}
                  }]}
                }]}""".formatted(sop("2.25.81")));
        assertSameReferences(List.of(
                instance("2.25.81", "2.25.1", "2.25.80", CT, "ReferencedSeriesSequence>ReferencedInstanceSequence"),
                instance("2.25.81", "2.25.1", "2.25.80", CT,
                        "PerFrameFunctionalGroupsSequence>DerivationImageSequence>SourceImageSequence")), r);
    }

    @Test
    void malformedPartsAreSkippedAndNothingThrows() {
        List<Reference> r = refs("""
                "00081140": {"vr": "SQ", "Value": [
                  "not an item", 7, null, [],
                  {"00081155": {"vr": "UI", "Value": [" 2.25.90\\u0000"]}},
                  {"00081155": {"vr": "UI", "Value": [""]}},
                  {"00081155": {"vr": "UI"}},
                  {"00081155": {"vr": "UI", "Value": "2.25.91"}},
                  {"00081155": {"vr": "UI", "Value": [null, true, {"a": 1}]}},
                  {"00081155": "2.25.92"}
                ]},
                "00082112": {"vr": "SQ"},
                "00081199": {"vr": "SQ", "Value": {"00081155": {"vr": "UI", "Value": ["2.25.93"]}}},
                "0040A730": 12,
                "0040A375": null""");
        assertSameReferences(List.of(instance("2.25.90", null, null, null, "ReferencedImageSequence")), r);
    }

    @Test
    void lowerCaseTagsMissingVrAndSeveralUidsInOneItemAreRead() {
        List<Reference> r = refs("""
                "0008114a": {"Value": [
                  {"00081155": {"vr": "UI", "Value": ["2.25.100", "2.25.101", "2.25.100"]}}
                ]},
                "00081140": {"vr": "UI", "Value": ["2.25.102"]}""");
        assertSameReferences(List.of(
                instance("2.25.100", null, null, null, "ReferencedInstanceSequence"),
                instance("2.25.101", null, null, null, "ReferencedInstanceSequence")), r);
    }

    @Test
    void toJsonLeavesOutWhatIsUnknown() {
        List<Reference> r = List.of(
                instance("2.25.1", "2.25.2", "2.25.3", CT, "ReferencedImageSequence", 1, 4),
                series("2.25.5", null, "RelatedSeriesSequence"),
                study("2.25.6", null, "StudiesContainingOtherReferencedInstancesSequence"));
        assertEquals(parse("""
                {"a": [
                 {"level": "instance", "uid": "2.25.1", "study": "2.25.2", "series": "2.25.3",
                  "sopClass": "1.2.840.10008.5.1.4.1.1.2", "frames": [1, 4], "path": "ReferencedImageSequence"},
                 {"level": "series", "uid": "2.25.5", "series": "2.25.5", "path": "RelatedSeriesSequence"},
                 {"level": "study", "uid": "2.25.6", "study": "2.25.6",
                  "path": "StudiesContainingOtherReferencedInstancesSequence"}
                ]}""").getJsonArray("a"), ReferenceExtractor.toJson(r));
        assertEquals(0, ReferenceExtractor.toJson(null).size());
    }

    @Test
    void fromJsonReadsBackWhatToJsonWroteForEveryFixture() {
        int total = 0;
        for (String name : Fixtures.ALL) {
            List<Reference> refs = ReferenceExtractor.references(Fixtures.load(name));
            JsonArray json = ReferenceExtractor.toJson(refs);
            assertEquals(refs, ReferenceExtractor.fromJson(json), name);
            total += refs.size();
        }
        assertTrue(total > 100, "the fixtures hold " + total + " references");
    }

    @Test
    void fromJsonRejectsWhatIsNotAReference() {
        assertThrows(IllegalArgumentException.class, () -> ReferenceExtractor.fromJson(parse("""
                {"a": [1]}""").getJsonArray("a")));
        assertThrows(IllegalArgumentException.class, () -> ReferenceExtractor.fromJson(parse("""
                {"a": [{"level": "instance", "path": "X"}]}""").getJsonArray("a")));
        assertThrows(IllegalArgumentException.class, () -> ReferenceExtractor.fromJson(parse("""
                {"a": [{"level": "frame", "uid": "1", "path": "X"}]}""").getJsonArray("a")));
        assertThrows(IllegalArgumentException.class, () -> ReferenceExtractor.fromJson(parse("""
                {"a": [{"level": "instance", "uid": "1", "path": "X", "frames": ["1"]}]}""").getJsonArray("a")));
        assertEquals(List.of(), ReferenceExtractor.fromJson(null));
    }

    @Test
    void aReferenceHasALevelATargetAPathAndImmutableFrames() {
        assertThrows(IllegalArgumentException.class,
                () -> new Reference("frame", "1", null, null, null, List.of(), "X"));
        assertThrows(NullPointerException.class,
                () -> new Reference(Reference.INSTANCE, null, null, null, null, List.of(), "X"));
        assertThrows(NullPointerException.class,
                () -> new Reference(Reference.INSTANCE, "1", null, null, null, List.of(), null));
        assertEquals(List.of(), new Reference(Reference.STUDY, "1", "1", null, null, null, "X").frames());
        List<Integer> frames = new ArrayList<>(List.of(1));
        Reference r = new Reference(Reference.INSTANCE, "1", null, null, null, frames, "X");
        frames.add(2);
        assertEquals(List.of(1), r.frames());
        assertThrows(UnsupportedOperationException.class, () -> r.frames().add(3));
    }

    @Test
    void keywordsOfSequencesAndHexForTheRest() {
        assertEquals("ContourImageSequence", ReferenceExtractor.keyword("30060016"));
        assertEquals("ReferencedInstanceSequence", ReferenceExtractor.keyword("0008114a"));
        assertEquals("0009ABCD", ReferenceExtractor.keyword("0009abcd"));
    }
}
