package org.dicomsidecar.ingest;

import static org.dicomsidecar.ingest.Samples.attribute;
import static org.dicomsidecar.ingest.Samples.json;
import static org.dicomsidecar.ingest.Samples.refused;
import static org.dicomsidecar.ingest.Samples.sequence;
import static org.dicomsidecar.ingest.Samples.with;
import static org.dicomsidecar.ingest.Samples.withItem;
import static org.dicomsidecar.ingest.Samples.without;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The samples are real answers of Orthanc 1.10.1 with its DICOMweb plugin 1.7, to STOW-RS of pydicom's CT_small.dcm
 * and MR_small.dcm: to {@code /studies} (both stored, two studies), and to {@code /studies/{CT study}} with a third
 * part that is no DICOM (the MR of another study failed with 0110H, the garbage was dropped; HTTP 400).
 */
class StowResponseParserTest {

    private static final JsonObject ORTHANC = Samples.resource("stow-response-orthanc.json");
    private static final JsonObject ORTHANC_PARTIAL = Samples.resource("stow-response-orthanc-partial.json");

    private static final String BASE = "http://127.0.0.1:28742/dicom-web";
    private static final String CT_STUDY = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322";
    private static final String CT_SERIES = "1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322";
    private static final String CT_SOP = "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322";
    private static final String MR_STUDY = "1.3.6.1.4.1.5962.1.2.4.20040826185059.5457";
    private static final String MR_SERIES = "1.3.6.1.4.1.5962.1.3.4.1.20040826185059.5457";
    private static final String MR_SOP = "1.3.6.1.4.1.5962.1.1.4.1.1.20040826185059.5457";

    private static final String REFS = "00081199";
    private static final String URL = "00081190";

    private static JsonObject withUrl(JsonObject answer, int i, String url) {
        return withItem(answer, REFS, i, item -> with(item, URL, attribute("UR", url)));
    }

    /** The answer's one skipped item's reason; the other item still gives its event. */
    private static String skippedOne(JsonObject answer) {
        StowResponseParser.StowAnswer read = StowResponseParser.read(answer);
        assertEquals(1, read.skipped().size(), read.skipped().toString());
        assertEquals(1, read.events().size(), "the other item still counts");
        return read.skipped().get(0);
    }

    @Test
    void theSamplesAreOrthancsAnswers() {
        assertEquals(attribute("UR", BASE + "/studies/" + CT_STUDY), ORTHANC.getJsonObject(URL));
        assertEquals(Samples.empty("SQ"), ORTHANC.getJsonObject("00081198"));
        assertEquals(1, Samples.items(ORTHANC_PARTIAL, "00081198").size());
    }

    @Test
    void everyStoredInstance() {
        assertEquals(List.of(new StoredEvent(CT_STUDY, CT_SERIES, CT_SOP, "stow"),
                new StoredEvent(MR_STUDY, MR_SERIES, MR_SOP, "stow")), StowResponseParser.parse(ORTHANC));
    }

    @Test
    void failedInstancesAreNotStored() {
        assertEquals(List.of(new StoredEvent(CT_STUDY, CT_SERIES, CT_SOP, "stow")), StowResponseParser.parse(ORTHANC_PARTIAL));
        assertEquals(List.of(), StowResponseParser.parse(without(ORTHANC_PARTIAL, REFS)));
        assertEquals(List.of(), StowResponseParser.parse(with(ORTHANC_PARTIAL, REFS, Samples.empty("SQ"))));
    }

    @Test
    void anArrayHoldingTheAnswer() {
        assertEquals(2, StowResponseParser.parse(Json.createArrayBuilder().add(ORTHANC).build()).size());
    }

    @Test
    void withoutItsRetrieveUrlAnItemIsTheStudyOfTheAnswer() {
        JsonObject answer = withItem(ORTHANC, REFS, 1, item -> without(item, URL));
        assertEquals(List.of(new StoredEvent(CT_STUDY, CT_SERIES, CT_SOP, "stow"), new StoredEvent(CT_STUDY, null, null, "stow")),
                StowResponseParser.parse(answer));
        JsonObject neither = withItem(answer, REFS, 0, item -> without(item, URL));
        assertEquals(List.of(new StoredEvent(CT_STUDY, null, null, "stow")), StowResponseParser.parse(neither));
    }

    @Test
    void withoutAnyRetrieveUrlTheItemIsSkipped() {
        JsonObject answer = without(withItem(ORTHANC, REFS, 1, item -> without(item, URL)), URL);
        assertEquals("ReferencedSOPSequence[1].RetrieveURL: missing, and the response has no top-level RetrieveURL"
                + " (0008,1190) to take the study from", skippedOne(answer));
    }

    @Test
    void aMalformedTopLevelUrlIsRefusedOnlyWhenNeeded() {
        JsonObject badTop = with(ORTHANC, URL, attribute("UR", BASE + "/instances"));
        assertEquals(2, StowResponseParser.parse(badTop).size());
        assertEquals("RetrieveURL: not a DICOMweb study, series or instance URL"
                + " (expected .../studies/{study}[/series/{series}[/instances/{instance}]])",
                skippedOne(withItem(badTop, REFS, 0, item -> without(item, URL))));
    }

    @Test
    void studyAndSeriesLevelItemUrls() {
        assertEquals(new StoredEvent(MR_STUDY, null, null, "stow"),
                StowResponseParser.parse(withUrl(ORTHANC, 1, BASE + "/studies/" + MR_STUDY)).get(1));
        assertEquals(new StoredEvent(MR_STUDY, MR_SERIES, MR_SOP, "stow"),
                StowResponseParser.parse(withUrl(ORTHANC, 1, BASE + "/studies/" + MR_STUDY + "/series/" + MR_SERIES)).get(1));
    }

    @Test
    void urlsAreReadByTheirLastStudiesSegment() {
        String odd = "https://pacs.example.org/studies/dicom-web/studies/" + MR_STUDY + "/series/" + MR_SERIES
                + "/instances/" + MR_SOP + "/?x=1#frag";
        assertEquals(new StoredEvent(MR_STUDY, MR_SERIES, MR_SOP, "stow"), StowResponseParser.parse(withUrl(ORTHANC, 1, odd)).get(1));
        String relative = "/dcm4chee-arc/aets/DCM4CHEE/rs/studies/" + MR_STUDY + "/series/" + MR_SERIES + "/instances/" + MR_SOP;
        assertEquals(new StoredEvent(MR_STUDY, MR_SERIES, MR_SOP, "stow"),
                StowResponseParser.parse(withUrl(ORTHANC, 1, relative)).get(1));
    }

    @Test
    void malformedUrlsAreRefusedWithoutQuotingThem() {
        String expected = "ReferencedSOPSequence[1].RetrieveURL: not a DICOMweb study, series or instance URL"
                + " (expected .../studies/{study}[/series/{series}[/instances/{instance}]])";
        for (String url : List.of(BASE + "/instances/" + MR_SOP, BASE + "/studies", BASE + "/studies/",
                BASE + "/studies/" + MR_STUDY + "/instances/" + MR_SOP,
                BASE + "/studies/" + MR_STUDY + "/series/" + MR_SERIES + "/instances",
                BASE + "/studies/" + MR_STUDY + "/series/" + MR_SERIES + "/instances/" + MR_SOP + "/frames/1",
                "x", "http://127.0.0.1:28742/dicom-web/studies/" + MR_STUDY + "/series")) {
            String reason = skippedOne(withUrl(ORTHANC, 1, url));
            assertEquals(expected, reason);
            assertFalse(reason.contains("127.0.0.1"));
        }
    }

    @Test
    void anEmptyItemUrlIsLikeNone() {
        assertEquals(new StoredEvent(CT_STUDY, null, null, "stow"), StowResponseParser.parse(withUrl(ORTHANC, 1, "")).get(1));
    }

    @Test
    void anItemWithAnUnsafeUidInItsUrlIsSkippedAndTheOthersCount() {
        assertEquals("ReferencedSOPSequence[1].RetrieveURL (series UID): no digit in \"..\"", skippedOne(withUrl(ORTHANC, 1,
                        BASE + "/studies/" + MR_STUDY + "/series/../instances/" + MR_SOP)));
        assertEquals("ReferencedSOPSequence[0].RetrieveURL (study UID): bad character '%' at position 4"
                + " (only digits and '.' are allowed)", skippedOne(withUrl(ORTHANC, 0,
                        BASE + "/studies/1.2%2E3/series/" + CT_SERIES + "/instances/" + CT_SOP)));
        assertEquals(List.of(new StoredEvent(CT_STUDY, CT_SERIES, CT_SOP, "stow")), StowResponseParser.parse(withUrl(ORTHANC, 1,
                        BASE + "/studies/" + MR_STUDY + "/series/../instances/" + MR_SOP)));
    }

    @Test
    void realWorldUidsWithLeadingZerosAreKept() {
        String study = "1.2.826.0.1.3680043.2.1125.01.7";
        String series = study + ".01";
        String sop = series + ".001";
        JsonObject answer = withItem(withUrl(ORTHANC, 1, BASE + "/studies/" + study + "/series/" + series + "/instances/" + sop),
                REFS, 1, item -> with(item, "00081155", attribute("UI", sop)));
        StowResponseParser.StowAnswer read = StowResponseParser.read(answer);
        assertEquals(List.of(), read.skipped());
        assertEquals(new StoredEvent(study, series, sop, "stow"), read.events().get(1));
    }

    @Test
    void theUrlMustNameTheReferencedInstance() {
        assertEquals("ReferencedSOPSequence[1].RetrieveURL: names another instance than ReferencedSOPInstanceUID " + MR_SOP,
                skippedOne(withUrl(ORTHANC, 1,
                        BASE + "/studies/" + MR_STUDY + "/series/" + MR_SERIES + "/instances/" + CT_SOP)));
    }

    @Test
    void theInstanceUidIsRequiredAndChecked() {
        assertEquals("ReferencedSOPSequence[0].ReferencedSOPInstanceUID: missing",
                skippedOne(withItem(ORTHANC, REFS, 0, item -> without(item, "00081155"))));
        assertEquals("ReferencedSOPSequence[1].ReferencedSOPInstanceUID: bad character 'x' at position 3 (only digits and '.' are allowed)",
                skippedOne(withItem(ORTHANC, REFS, 1,
                        item -> with(item, "00081155", attribute("UI", "1.x5")))));
    }

    @Test
    void duplicatesAreReportedOnce() {
        List<JsonObject> items = new ArrayList<>(Samples.items(ORTHANC, REFS));
        items.add(items.get(0));
        assertEquals(2, StowResponseParser.parse(with(ORTHANC, REFS, sequence(items))).size());
    }

    @Test
    void malformedAnswersAreRefused() {
        refused(400, "body: a string (expected a STOW-RS response, a DICOM JSON object)",
                () -> StowResponseParser.parse(Json.createValue("stored")));
        refused(400, "body: missing (expected a STOW-RS response, a DICOM JSON object)",
                () -> StowResponseParser.parse(JsonValue.NULL));
        refused(400, "ReferencedSOPSequence: malformed DICOM JSON (attribute 00081199: item 1 is a string, not an object)",
                () -> StowResponseParser.parse(json("{\"00081199\": {\"vr\": \"SQ\", \"Value\": [\"1.2\"]}}")));
        assertEquals("ReferencedSOPSequence[0].RetrieveURL: malformed DICOM JSON (attribute 00081190: \"Value\" is a string,"
                + " not an array)", skippedOne(withItem(ORTHANC, REFS, 0,
                        item -> with(item, URL, json("{\"vr\": \"UR\", \"Value\": \"http://x/studies/1.2\"}")))));
    }
}
