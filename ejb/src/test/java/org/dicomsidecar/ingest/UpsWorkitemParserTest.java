package org.dicomsidecar.ingest;

import static org.dicomsidecar.ingest.Samples.attribute;
import static org.dicomsidecar.ingest.Samples.empty;
import static org.dicomsidecar.ingest.Samples.json;
import static org.dicomsidecar.ingest.Samples.refused;
import static org.dicomsidecar.ingest.Samples.sequence;
import static org.dicomsidecar.ingest.Samples.with;
import static org.dicomsidecar.ingest.Samples.withItem;
import static org.dicomsidecar.ingest.Samples.without;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpsWorkitemParserTest {

    private static final JsonObject WORKITEM = Samples.resource("ups-workitem-dcm4chee.json");

    static final String STUDY = "2.25.112311314051081758625192572819273032135";
    static final String CT_SERIES = "2.25.307966387912873809237856767524719991038";
    static final String SR_SERIES = "2.25.140915128715392682541606467723425472479";
    static final List<String> CT_INSTANCES = List.of(
            "2.25.205380018349838287877689471744808804934",
            "2.25.312692149521840925439707677757619735003",
            "2.25.133734682949840841954088096539984131057");
    static final String SR_INSTANCE = "2.25.304879176785788399918494340956205195920";

    private static final String INPUT = "00404021";
    private static final String REFS = "00081199";

    /** The four instances of the sample study, as events of this source. */
    static List<StoredEvent> sampleEvents(String source) {
        List<StoredEvent> events = new ArrayList<>();
        for (String sop : CT_INSTANCES) {
            events.add(new StoredEvent(STUDY, CT_SERIES, sop, source));
        }
        events.add(new StoredEvent(STUDY, SR_SERIES, SR_INSTANCE, source));
        return events;
    }

    @Test
    void theSampleIsWhatDcm4cheeSends() {
        // the fields the exporter always sets, and the empty type-2 attributes
        assertEquals("SCHEDULED", WORKITEM.getJsonObject("00741000").getJsonArray("Value").getString(0));
        assertEquals("LO", WORKITEM.getJsonObject("00741204").getString("vr"));
        assertEquals("DT", WORKITEM.getJsonObject("00404005").getString("vr"));
        assertEquals(empty("LO"), WORKITEM.getJsonObject("00380010"));
        assertEquals(empty("SQ"), WORKITEM.getJsonObject("0040A370"));
        for (JsonObject item : Samples.items(WORKITEM, INPUT)) {
            assertEquals(attribute("CS", "DICOM"), item.getJsonObject("0040E001"));
            assertEquals(attribute("AE", "DCM4CHEE"), Samples.items(item, "0040E021").get(0).getJsonObject("00080054"));
        }
    }

    @Test
    void oneEventPerReferencedInstance() {
        assertEquals(sampleEvents("ups"), UpsWorkitemParser.parse(WORKITEM));
    }

    @Test
    void anArrayHoldingTheWorkitem() {
        assertEquals(sampleEvents("ups"), UpsWorkitemParser.parse(Json.createArrayBuilder().add(WORKITEM).build()));
    }

    @Test
    void anArrayOfOtherThanOneWorkitemIsRefused() {
        refused(400, "body: an array of 2 elements (expected a UPS workitem, one DICOM JSON object, or an array holding one)",
                () -> UpsWorkitemParser.parse(Json.createArrayBuilder().add(WORKITEM).add(WORKITEM).build()));
        refused(400, "body: an array of 0 elements (expected a UPS workitem, one DICOM JSON object, or an array holding one)",
                () -> UpsWorkitemParser.parse(JsonValue.EMPTY_JSON_ARRAY));
        refused(400, "body[0]: a string (expected a UPS workitem, a DICOM JSON object)",
                () -> UpsWorkitemParser.parse(json("[\"x\"]")));
    }

    @Test
    void aNonObjectIsRefused() {
        refused(400, "body: a string (expected a UPS workitem, a DICOM JSON object)",
                () -> UpsWorkitemParser.parse(Json.createValue("workitem")));
        refused(400, "body: a number (expected a UPS workitem, a DICOM JSON object)",
                () -> UpsWorkitemParser.parse(Json.createValue(3)));
        refused(400, "body: missing (expected a UPS workitem, a DICOM JSON object)",
                () -> UpsWorkitemParser.parse(JsonValue.NULL));
        refused(400, "body: missing (expected a UPS workitem, a DICOM JSON object)",
                () -> UpsWorkitemParser.parse(null));
    }

    @Test
    void missingOrEmptyInputInformationIsRefused() {
        refused(400, "InputInformationSequence: missing (0040,4021): the workitem names no stored instances",
                () -> UpsWorkitemParser.parse(without(WORKITEM, INPUT)));
        refused(400, "InputInformationSequence: empty (0040,4021): the workitem names no stored instances",
                () -> UpsWorkitemParser.parse(with(WORKITEM, INPUT, empty("SQ"))));
        refused(400, "InputInformationSequence: empty (0040,4021): the workitem names no stored instances",
                () -> UpsWorkitemParser.parse(with(WORKITEM, INPUT, sequence(List.of()))));
        refused(400, "InputInformationSequence: missing (0040,4021): the workitem names no stored instances",
                () -> UpsWorkitemParser.parse(json("{}")));
    }

    @Test
    void malformedInputInformationIsRefused() {
        refused(400, "InputInformationSequence: malformed DICOM JSON (attribute 00404021 is a string, not an object)",
                () -> UpsWorkitemParser.parse(with(WORKITEM, INPUT, Json.createValue("1.2.3"))));
        refused(400, "InputInformationSequence: malformed DICOM JSON (attribute 00404021: item 1 is a string, not an object)",
                () -> UpsWorkitemParser.parse(json("{\"00404021\": {\"vr\": \"SQ\", \"Value\": [\"1.2.3\"]}}")));
        refused(400, "InputInformationSequence: malformed DICOM JSON (attribute 00404021 is not a sequence)",
                () -> UpsWorkitemParser.parse(json("{\"00404021\": {\"vr\": \"UI\", \"Value\": [\"1.2.3\"]}}")));
        refused(400, "InputInformationSequence[1].ReferencedSOPSequence: malformed DICOM JSON"
                + " (attribute 00081199: \"Value\" is an object, not an array)",
                () -> UpsWorkitemParser.parse(withItem(WORKITEM, INPUT, 1,
                        item -> with(item, REFS, json("{\"vr\": \"SQ\", \"Value\": {}}")))));
    }

    @Test
    void anItemWithoutReferencedInstancesIsItsSeries() {
        JsonObject seriesOnly = withItem(WORKITEM, INPUT, 0, item -> without(item, REFS));
        List<StoredEvent> expected = new ArrayList<>();
        expected.add(new StoredEvent(STUDY, CT_SERIES, null, "ups"));
        expected.add(new StoredEvent(STUDY, SR_SERIES, SR_INSTANCE, "ups"));
        assertEquals(expected, UpsWorkitemParser.parse(seriesOnly));
        assertEquals(expected, UpsWorkitemParser.parse(withItem(WORKITEM, INPUT, 0, item -> with(item, REFS, empty("SQ")))));
    }

    @Test
    void dcm4cheeStudyLevelInputInformationIsTheStudy() {
        // UPSUtils.updateIncludeInputInformation: SeriesInstanceUID and ReferencedSOPSequence present but empty
        JsonObject studyLevel = withItem(WORKITEM, INPUT, 1,
                item -> with(with(item, "0020000E", empty("UI")), REFS, empty("SQ")));
        List<StoredEvent> events = UpsWorkitemParser.parse(studyLevel);
        assertEquals(4, events.size());
        assertEquals(new StoredEvent(STUDY, null, null, "ups"), events.get(3));
    }

    @Test
    void missingStudyUidIsRefusedNamingTheItem() {
        refused(400, "InputInformationSequence[1].StudyInstanceUID: missing",
                () -> UpsWorkitemParser.parse(withItem(WORKITEM, INPUT, 1, item -> without(item, "0020000D"))));
        refused(400, "InputInformationSequence[0].StudyInstanceUID: missing",
                () -> UpsWorkitemParser.parse(withItem(WORKITEM, INPUT, 0, item -> with(item, "0020000D", empty("UI")))));
        refused(400, "InputInformationSequence[0].StudyInstanceUID: missing",
                () -> UpsWorkitemParser.parse(withItem(WORKITEM, INPUT, 0,
                        item -> with(item, "0020000D", attribute("UI", "")))));
    }

    @Test
    void invalidUidsAreRefusedNamingTheirPath() {
        refused(400, "InputInformationSequence[1].SeriesInstanceUID: bad character '\\' at position 2 (only digits and '.' are allowed)",
                () -> UpsWorkitemParser.parse(withItem(WORKITEM, INPUT, 1,
                        item -> with(item, "0020000E", attribute("UI", "1\\2")))));
        refused(400, "InputInformationSequence[0].StudyInstanceUID: bad character 'S' at position 1 (only digits and '.' are allowed)",
                () -> UpsWorkitemParser.parse(withItem(WORKITEM, INPUT, 0,
                        item -> with(item, "0020000D", attribute("UI", "SIDECAR-0001")))));
        refused(400, "InputInformationSequence[0].ReferencedSOPSequence[2].ReferencedSOPInstanceUID:"
                + " no digit in \".\"",
                () -> UpsWorkitemParser.parse(withItem(WORKITEM, INPUT, 0, item -> withItem(item, REFS, 2,
                        ref -> with(ref, "00081155", attribute("UI", "."))))));
    }

    @Test
    void aReferenceWithoutInstanceUidIsRefused() {
        refused(400, "InputInformationSequence[0].ReferencedSOPSequence[1].ReferencedSOPInstanceUID: missing",
                () -> UpsWorkitemParser.parse(withItem(WORKITEM, INPUT, 0, item -> withItem(item, REFS, 1,
                        ref -> without(ref, "00081155")))));
    }

    @Test
    void referencedInstancesNeedASeries() {
        refused(400, "InputInformationSequence[0].SeriesInstanceUID: missing, but ReferencedSOPSequence names 3 instance(s)",
                () -> UpsWorkitemParser.parse(withItem(WORKITEM, INPUT, 0, item -> without(item, "0020000E"))));
    }

    @Test
    void itemsOfOtherTypesAreSkipped() {
        JsonObject cda = withItem(WORKITEM, INPUT, 0, item -> with(item, "0040E001", attribute("CS", "CDA")));
        assertEquals(List.of(new StoredEvent(STUDY, SR_SERIES, SR_INSTANCE, "ups")), UpsWorkitemParser.parse(cda));
        // a skipped item is not checked: it need not carry DICOM UIDs
        JsonObject cdaWithoutUids = withItem(cda, INPUT, 0, item -> without(without(item, "0020000D"), "0020000E"));
        assertEquals(1, UpsWorkitemParser.parse(cdaWithoutUids).size());
        JsonObject allOther = withItem(cda, INPUT, 1, item -> with(item, "0040E001", attribute("CS", "DICOM_OTHER")));
        assertEquals(List.of(), UpsWorkitemParser.parse(allOther));
    }

    @Test
    void anItemWithoutTypeOfInstancesIsTakenAsDicom() {
        JsonObject untyped = withItem(WORKITEM, INPUT, 1, item -> without(item, "0040E001"));
        assertEquals(sampleEvents("ups"), UpsWorkitemParser.parse(untyped));
    }

    @Test
    void duplicatesAreReportedOnce() {
        List<JsonObject> inputs = new ArrayList<>(Samples.items(WORKITEM, INPUT));
        inputs.add(inputs.get(0));
        assertEquals(sampleEvents("ups"), UpsWorkitemParser.parse(with(WORKITEM, INPUT, sequence(inputs))));
    }

    @Test
    void theResultIsUnmodifiable() {
        List<StoredEvent> events = UpsWorkitemParser.parse(WORKITEM);
        assertThrows(UnsupportedOperationException.class, () -> events.add(events.get(0)));
    }
}
