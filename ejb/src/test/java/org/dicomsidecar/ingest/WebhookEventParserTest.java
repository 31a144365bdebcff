package org.dicomsidecar.ingest;

import static org.dicomsidecar.ingest.Samples.json;
import static org.dicomsidecar.ingest.Samples.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonValue;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookEventParserTest {

    private static final String STUDY = "1.2.826.0.1.3680043.8.498.10";
    private static final String SERIES = "1.2.826.0.1.3680043.8.498.11";
    private static final String SOP = "1.2.826.0.1.3680043.8.498.12";

    private static JsonArrayBuilder events(int n) {
        JsonArrayBuilder array = Json.createArrayBuilder();
        for (int i = 1; i <= n; i++) {
            array.add(Json.createObjectBuilder().add("studyInstanceUID", STUDY).add("seriesInstanceUID", SERIES)
                    .add("sopInstanceUID", "1.2.826.0.1.3680043.8.498.12." + i));
        }
        return array;
    }

    @Test
    void oneInstance() {
        assertEquals(List.of(new StoredEvent(STUDY, SERIES, SOP, "webhook")), WebhookEventParser.parse(json(
                "{\"studyInstanceUID\": \"" + STUDY + "\", \"seriesInstanceUID\": \"" + SERIES
                        + "\", \"sopInstanceUID\": \"" + SOP + "\"}")));
    }

    @Test
    void aSeriesOrAStudy() {
        assertEquals(List.of(new StoredEvent(STUDY, SERIES, null, "webhook")), WebhookEventParser.parse(json(
                "{\"studyInstanceUID\": \"" + STUDY + "\", \"seriesInstanceUID\": \"" + SERIES + "\"}")));
        assertEquals(List.of(new StoredEvent(STUDY, null, null, "webhook")),
                WebhookEventParser.parse(json("{\"studyInstanceUID\": \"" + STUDY + "\"}")));
    }

    @Test
    void nullOrEmptyOptionalValuesAreAbsent() {
        assertEquals(List.of(new StoredEvent(STUDY, null, null, "webhook")), WebhookEventParser.parse(json(
                "{\"studyInstanceUID\": \"" + STUDY + "\", \"seriesInstanceUID\": null, \"sopInstanceUID\": null}")));
        assertEquals(List.of(new StoredEvent(STUDY, SERIES, null, "webhook")), WebhookEventParser.parse(json(
                "{\"studyInstanceUID\": \"" + STUDY + "\", \"seriesInstanceUID\": \"" + SERIES
                        + "\", \"sopInstanceUID\": \"\"}")));
    }

    @Test
    void unknownFieldsAreIgnored() {
        assertEquals(List.of(new StoredEvent(STUDY, SERIES, SOP, "webhook")), WebhookEventParser.parse(json(
                "{\"studyInstanceUID\": \"" + STUDY + "\", \"seriesInstanceUID\": \"" + SERIES + "\", \"sopInstanceUID\": \""
                        + SOP + "\", \"origin\": \"Lua\", \"tags\": {\"PatientName\": \"Sidecar^Test\"}, \"n\": 3}")));
    }

    @Test
    void anArrayOfEvents() {
        assertEquals(List.of(new StoredEvent(STUDY, SERIES, SOP, "webhook"), new StoredEvent(STUDY, null, null, "webhook")),
                WebhookEventParser.parse(json("[{\"studyInstanceUID\": \"" + STUDY + "\", \"seriesInstanceUID\": \""
                        + SERIES + "\", \"sopInstanceUID\": \"" + SOP + "\"}, {\"studyInstanceUID\": \"" + STUDY + "\"}]")));
        assertEquals(List.of(), WebhookEventParser.parse(JsonValue.EMPTY_JSON_ARRAY));
    }

    @Test
    void anEnvelopeOfEvents() {
        assertEquals(List.of(new StoredEvent(STUDY, SERIES, SOP, "webhook")), WebhookEventParser.parse(json(
                "{\"sender\": \"orthanc\", \"events\": [{\"studyInstanceUID\": \"" + STUDY + "\", \"seriesInstanceUID\": \""
                        + SERIES + "\", \"sopInstanceUID\": \"" + SOP + "\"}]}")));
        assertEquals(List.of(), WebhookEventParser.parse(json("{\"events\": []}")));
    }

    @Test
    void duplicatesAreReportedOnce() {
        String one = "{\"studyInstanceUID\": \"" + STUDY + "\", \"seriesInstanceUID\": \"" + SERIES + "\"}";
        assertEquals(List.of(new StoredEvent(STUDY, SERIES, null, "webhook")),
                WebhookEventParser.parse(json("[" + one + "," + one + "]")));
    }

    @Test
    void tenThousandEventsAreAccepted() {
        assertEquals(10_000, WebhookEventParser.parse(events(10_000).build()).size());
        assertEquals(10_000, WebhookEventParser.parse(
                Json.createObjectBuilder().add("events", events(10_000)).build()).size());
    }

    @Test
    void howManyABodyMayCarryIsTheReceiversLimitNotTheParsers() {
        assertEquals(10_001, WebhookEventParser.parse(events(10_001).build()).size());
    }

    @Test
    void theStudyIsRequired() {
        refused(400, "studyInstanceUID: missing", () -> WebhookEventParser.parse(json("{}")));
        refused(400, "studyInstanceUID: missing", () -> WebhookEventParser.parse(json(
                "{\"StudyInstanceUID\": \"" + STUDY + "\"}")));
        refused(400, "studyInstanceUID: missing", () -> WebhookEventParser.parse(json("{\"studyInstanceUID\": null}")));
        refused(400, "studyInstanceUID: empty", () -> WebhookEventParser.parse(json("{\"studyInstanceUID\": \"\"}")));
        refused(400, "[1].studyInstanceUID: missing", () -> WebhookEventParser.parse(json(
                "[{\"studyInstanceUID\": \"" + STUDY + "\"}, {\"seriesInstanceUID\": \"" + SERIES + "\"}]")));
    }

    @Test
    void valuesMustBeStrings() {
        refused(400, "studyInstanceUID: a number, expected a string",
                () -> WebhookEventParser.parse(json("{\"studyInstanceUID\": 1.2}")));
        refused(400, "events[0].seriesInstanceUID: an array, expected a string", () -> WebhookEventParser.parse(json(
                "{\"events\": [{\"studyInstanceUID\": \"" + STUDY + "\", \"seriesInstanceUID\": [\"" + SERIES + "\"]}]}")));
        refused(400, "sopInstanceUID: a boolean, expected a string", () -> WebhookEventParser.parse(json(
                "{\"studyInstanceUID\": \"" + STUDY + "\", \"seriesInstanceUID\": \"" + SERIES
                        + "\", \"sopInstanceUID\": true}")));
    }

    @Test
    void anInstanceNeedsItsSeries() {
        refused(400, "sopInstanceUID: given without seriesInstanceUID", () -> WebhookEventParser.parse(json(
                "{\"studyInstanceUID\": \"" + STUDY + "\", \"sopInstanceUID\": \"" + SOP + "\"}")));
        refused(400, "events[0].sopInstanceUID: given without events[0].seriesInstanceUID",
                () -> WebhookEventParser.parse(json("{\"events\": [{\"studyInstanceUID\": \"" + STUDY
                        + "\", \"seriesInstanceUID\": \"\", \"sopInstanceUID\": \"" + SOP + "\"}]}")));
    }

    @Test
    void invalidUidsNameTheirPath() {
        refused(400, "[2].seriesInstanceUID: bad character '/' at position 2 (only digits and '.' are allowed)",
                () -> WebhookEventParser.parse(json("[{\"studyInstanceUID\": \"1.2\"}, {\"studyInstanceUID\": \"1.3\"},"
                        + " {\"studyInstanceUID\": \"1.4\", \"seriesInstanceUID\": \"1/2\"}]")));
        refused(400, "events[1].sopInstanceUID: no digit in \"..\"",
                () -> WebhookEventParser.parse(json("{\"events\": [{\"studyInstanceUID\": \"1.2\"}, {\"studyInstanceUID\":"
                        + " \"1.3\", \"seriesInstanceUID\": \"1.4\", \"sopInstanceUID\": \"..\"}]}")));
        refused(400, "studyInstanceUID: bad character 'S' at position 1 (only digits and '.' are allowed)",
                () -> WebhookEventParser.parse(json("{\"studyInstanceUID\": \"SIDECAR-0001\"}")));
        refused(400, "studyInstanceUID: too long (65 characters, at most 64) \"1." + "2".repeat(63) + "\"",
                () -> WebhookEventParser.parse(json("{\"studyInstanceUID\": \"1." + "2".repeat(63) + "\"}")));
    }

    @Test
    void malformedBodiesAreRefused() {
        refused(400, "events: an object, expected an array",
                () -> WebhookEventParser.parse(json("{\"events\": {\"studyInstanceUID\": \"1.2\"}}")));
        refused(400, "events: null, expected an array", () -> WebhookEventParser.parse(json("{\"events\": null}")));
        refused(400, "[1]: a string, expected an event object",
                () -> WebhookEventParser.parse(json("[{\"studyInstanceUID\": \"1.2\"}, \"1.3\"]")));
        refused(400, "events[0]: an array, expected an event object",
                () -> WebhookEventParser.parse(json("{\"events\": [[]]}")));
        refused(400, "body: a string (expected an event object, an array of them, or {\"events\": [...]})",
                () -> WebhookEventParser.parse(Json.createValue("1.2.3")));
        refused(400, "body: missing (expected an event object, an array of them, or {\"events\": [...]})",
                () -> WebhookEventParser.parse(null));
        refused(400, "body: missing (expected an event object, an array of them, or {\"events\": [...]})",
                () -> WebhookEventParser.parse(JsonValue.NULL));
    }
}
