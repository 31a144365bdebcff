package org.dicomsidecar.ingest;

import static org.dicomsidecar.ingest.Samples.json;
import static org.dicomsidecar.ingest.Samples.refused;
import static org.dicomsidecar.ingest.Samples.with;
import static org.dicomsidecar.ingest.Samples.without;
import static org.dicomsidecar.ingest.UpsWorkitemParserTest.CT_SERIES;
import static org.dicomsidecar.ingest.UpsWorkitemParserTest.SR_INSTANCE;
import static org.dicomsidecar.ingest.UpsWorkitemParserTest.SR_SERIES;
import static org.dicomsidecar.ingest.UpsWorkitemParserTest.STUDY;
import static org.dicomsidecar.ingest.UpsWorkitemParserTest.sampleEvents;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class FhirImagingStudyParserTest {

    private static final JsonObject R5 = Samples.resource("fhir-r5-imagingstudy.json");
    private static final JsonObject R4 = Samples.resource("fhir-r4-imagingstudy.json");

    /** The study with series i changed. */
    private static JsonObject withSeries(JsonObject study, int i, Function<JsonObject, JsonObject> change) {
        List<JsonValue> series = new ArrayList<>(study.getJsonArray("series"));
        series.set(i, change.apply(series.get(i).asJsonObject()));
        return with(study, "series", Json.createArrayBuilder(series).build());
    }

    private static JsonObject withInstance(JsonObject series, int j, Function<JsonObject, JsonObject> change) {
        List<JsonValue> instances = new ArrayList<>(series.getJsonArray("instance"));
        instances.set(j, change.apply(instances.get(j).asJsonObject()));
        return with(series, "instance", Json.createArrayBuilder(instances).build());
    }

    private static JsonObject withIdentifiers(JsonObject study, String json) {
        return with(study, "identifier", json(json));
    }

    private static JsonObject bundle(JsonObject... resources) {
        var entries = Json.createArrayBuilder();
        for (JsonObject r : resources) {
            entries.add(Json.createObjectBuilder().add("fullUrl", "urn:uuid:" + java.util.UUID.randomUUID())
                    .add("resource", r)
                    .add("request", Json.createObjectBuilder().add("method", "POST").add("url", r.getString("resourceType"))));
        }
        return Json.createObjectBuilder().add("resourceType", "Bundle").add("type", "transaction").add("entry", entries)
                .build();
    }

    @Test
    void theSamplesDifferWhereR4AndR5Differ() {
        // R5: modality is a CodeableConcept; R4: a Coding
        JsonObject r5Series = R5.getJsonArray("series").getJsonObject(0);
        JsonObject r4Series = R4.getJsonArray("series").getJsonObject(0);
        assertEquals("CT", r5Series.getJsonObject("modality").getJsonArray("coding").getJsonObject(0).getString("code"));
        assertEquals("CT", r4Series.getJsonObject("modality").getString("code"));
        for (JsonObject study : List.of(R4, R5)) {
            assertEquals("available", study.getString("status"));
            assertEquals(2, study.getInt("numberOfSeries"));
            assertTrue(study.containsKey("subject") && study.containsKey("started"));
            JsonObject instance = study.getJsonArray("series").getJsonObject(0).getJsonArray("instance").getJsonObject(0);
            assertEquals("urn:oid:1.2.840.10008.5.1.4.1.1.2", instance.getJsonObject("sopClass").getString("code"));
        }
    }

    @Test
    void r5ImagingStudy() {
        assertEquals(sampleEvents("fhir"), FhirImagingStudyParser.parse(R5));
    }

    @Test
    void r4ImagingStudy() {
        assertEquals(sampleEvents("fhir"), FhirImagingStudyParser.parse(R4));
    }

    @Test
    void aBundleOfImagingStudies() {
        JsonObject patient = json("{\"resourceType\": \"Patient\", \"identifier\": [{\"value\": \"SIDECAR-0001\"}]}")
                .asJsonObject();
        JsonObject other = withIdentifiers(without(R4, "series"),
                "[{\"system\": \"urn:dicom:uid\", \"value\": \"urn:oid:1.2.826.0.1.3680043.8.498.1\"}]");
        List<StoredEvent> expected = new ArrayList<>(sampleEvents("fhir"));
        expected.add(new StoredEvent("1.2.826.0.1.3680043.8.498.1", null, null, "fhir"));
        assertEquals(expected, FhirImagingStudyParser.parse(bundle(patient, R5, other, R4)));
    }

    @Test
    void bundleEntriesWithoutResourceAreSkipped() {
        JsonObject b = json("{\"resourceType\": \"Bundle\", \"type\": \"transaction\", \"entry\": ["
                + "{\"request\": {\"method\": \"DELETE\", \"url\": \"ImagingStudy/1\"}}, {\"resource\": null}]}")
                .asJsonObject();
        JsonArray entries = Json.createArrayBuilder(b.getJsonArray("entry")).add(Json.createObjectBuilder().add("resource", R5))
                .build();
        assertEquals(sampleEvents("fhir"), FhirImagingStudyParser.parse(with(b, "entry", entries)));
    }

    @Test
    void aBundleWithoutImagingStudyIsRefused() {
        JsonObject patient = json("{\"resourceType\": \"Patient\"}").asJsonObject();
        refused(400, "Bundle.entry: no ImagingStudy resource", () -> FhirImagingStudyParser.parse(bundle(patient)));
        refused(400, "Bundle.entry: no ImagingStudy resource",
                () -> FhirImagingStudyParser.parse(json("{\"resourceType\": \"Bundle\", \"type\": \"collection\"}")));
        refused(400, "Bundle.entry: an object, expected an array",
                () -> FhirImagingStudyParser.parse(json("{\"resourceType\": \"Bundle\", \"entry\": {}}")));
        refused(400, "Bundle.entry[0]: a string, expected an object",
                () -> FhirImagingStudyParser.parse(json("{\"resourceType\": \"Bundle\", \"entry\": [\"x\"]}")));
    }

    @Test
    void errorsInsideABundleNameTheEntry() {
        JsonObject broken = withSeries(R4, 0, s -> without(s, "uid"));
        refused(400, "Bundle.entry[1].resource.series[0].uid: missing",
                () -> FhirImagingStudyParser.parse(bundle(R5, broken)));
    }

    @Test
    void wrongResourceTypeIsRefused() {
        refused(400, "resourceType: \"Patient\" (expected \"ImagingStudy\" or \"Bundle\")",
                () -> FhirImagingStudyParser.parse(with(R5, "resourceType", Json.createValue("Patient"))));
        refused(400, "resourceType: an unknown resource type (expected \"ImagingStudy\" or \"Bundle\")",
                () -> FhirImagingStudyParser.parse(with(R5, "resourceType", Json.createValue("Sidecar^Test"))));
        refused(400, "resourceType: missing (expected \"ImagingStudy\" or \"Bundle\")",
                () -> FhirImagingStudyParser.parse(without(R5, "resourceType")));
        refused(400, "resourceType: a number, expected a string",
                () -> FhirImagingStudyParser.parse(with(R5, "resourceType", Json.createValue(5))));
    }

    @Test
    void aNonObjectIsRefused() {
        refused(400, "body: an array (expected a FHIR ImagingStudy or Bundle, a JSON object)",
                () -> FhirImagingStudyParser.parse(Json.createArrayBuilder().add(R5).build()));
        refused(400, "body: null (expected a FHIR ImagingStudy or Bundle, a JSON object)",
                () -> FhirImagingStudyParser.parse(JsonValue.NULL));
        refused(400, "body: missing (expected a FHIR ImagingStudy or Bundle, a JSON object)",
                () -> FhirImagingStudyParser.parse(null));
    }

    @Test
    void noStudyIdentifierIsRefused() {
        String expected = "ImagingStudy.identifier: no Study Instance UID"
                + " (an identifier with system \"urn:dicom:uid\" and value \"urn:oid:{uid}\")";
        refused(400, expected, () -> FhirImagingStudyParser.parse(without(R5, "identifier")));
        refused(400, expected, () -> FhirImagingStudyParser.parse(withIdentifiers(R5, "[]")));
        refused(400, expected, () -> FhirImagingStudyParser.parse(withIdentifiers(R4,
                "[{\"type\": {\"coding\": [{\"code\": \"ACSN\"}]}, \"value\": \"A20250312-0042\"},"
                        + " {\"system\": \"urn:ietf:rfc:3986\", \"value\": \"urn:oid:1.2.3\"}]")));
        refused(400, "ImagingStudy.identifier: an object, expected an array",
                () -> FhirImagingStudyParser.parse(withIdentifiers(R5, "{\"system\": \"urn:dicom:uid\"}")));
    }

    @Test
    void theStudyIdentifierIsFoundAmongOthers() {
        JsonObject accessionFirst = withIdentifiers(R5, "[{\"type\": {\"coding\": [{\"code\": \"ACSN\"}]},"
                + " \"value\": \"A20250312-0042\"}, {\"system\": \"urn:dicom:uid\", \"value\": \"urn:oid:" + STUDY + "\"}]");
        assertEquals(sampleEvents("fhir"), FhirImagingStudyParser.parse(accessionFirst));
    }

    @Test
    void aBareUidIsAccepted() {
        JsonObject bare = withIdentifiers(R4, "[{\"system\": \"urn:dicom:uid\", \"value\": \"" + STUDY + "\"}]");
        assertEquals(sampleEvents("fhir"), FhirImagingStudyParser.parse(bare));
    }

    @Test
    void anInvalidStudyUidIsRefused() {
        refused(400, "ImagingStudy.identifier[0].value: bad character 'x' at position 3 (only digits and '.' are allowed)",
                () -> FhirImagingStudyParser.parse(withIdentifiers(R5,
                        "[{\"system\": \"urn:dicom:uid\", \"value\": \"urn:oid:1.x2\"}]")));
        refused(400, "ImagingStudy.identifier[0].value: missing",
                () -> FhirImagingStudyParser.parse(withIdentifiers(R5, "[{\"system\": \"urn:dicom:uid\"}]")));
        refused(400, "ImagingStudy.identifier[0].value: empty",
                () -> FhirImagingStudyParser.parse(withIdentifiers(R5,
                        "[{\"system\": \"urn:dicom:uid\", \"value\": \"urn:oid:\"}]")));
        refused(400, "ImagingStudy.identifier[0].value: bad character 'u' at position 1 (only digits and '.' are allowed)",
                () -> FhirImagingStudyParser.parse(withIdentifiers(R5,
                        "[{\"system\": \"urn:dicom:uid\", \"value\": \"urn:uuid:0f4ab8e2-59b1-4e1c-8f5e-2c0b0e1d9a11\"}]")));
    }

    @Test
    void aStudyWithoutSeriesIsTheStudy() {
        assertEquals(List.of(new StoredEvent(STUDY, null, null, "fhir")), FhirImagingStudyParser.parse(without(R5, "series")));
        assertEquals(List.of(new StoredEvent(STUDY, null, null, "fhir")),
                FhirImagingStudyParser.parse(with(R4, "series", JsonValue.EMPTY_JSON_ARRAY)));
    }

    @Test
    void aSeriesWithoutInstancesIsTheSeries() {
        JsonObject study = withSeries(R5, 0, s -> without(s, "instance"));
        assertEquals(List.of(new StoredEvent(STUDY, CT_SERIES, null, "fhir"),
                new StoredEvent(STUDY, SR_SERIES, SR_INSTANCE, "fhir")), FhirImagingStudyParser.parse(study));
    }

    @Test
    void seriesAndInstanceErrorsNameTheirPath() {
        refused(400, "ImagingStudy.series[1].uid: missing",
                () -> FhirImagingStudyParser.parse(withSeries(R5, 1, s -> without(s, "uid"))));
        refused(400, "ImagingStudy.series[0].uid: no digit in \"..\"",
                () -> FhirImagingStudyParser.parse(withSeries(R4, 0, s -> with(s, "uid", Json.createValue("..")))));
        refused(400, "ImagingStudy.series[0].instance[2].uid: a number, expected a string",
                () -> FhirImagingStudyParser.parse(withSeries(R5, 0,
                        s -> withInstance(s, 2, i -> with(i, "uid", Json.createValue(1.2))))));
        refused(400, "ImagingStudy.series[0].instance[1].uid: missing",
                () -> FhirImagingStudyParser.parse(withSeries(R4, 0, s -> withInstance(s, 1, i -> without(i, "uid")))));
        refused(400, "ImagingStudy.series: an object, expected an array",
                () -> FhirImagingStudyParser.parse(with(R5, "series", R5.getJsonArray("series").getJsonObject(0))));
        refused(400, "ImagingStudy.series[1]: a string, expected an object",
                () -> FhirImagingStudyParser.parse(with(R5, "series", json("[{\"uid\": \"1.2\"}, \"1.3\"]"))));
        refused(400, "ImagingStudy.series[0].instance: a string, expected an array",
                () -> FhirImagingStudyParser.parse(withSeries(R5, 0, s -> with(s, "instance", Json.createValue("1.2")))));
    }

    @Test
    void duplicatesAreReportedOnce() {
        List<JsonValue> series = new ArrayList<>(R5.getJsonArray("series"));
        series.add(series.get(1));
        assertEquals(sampleEvents("fhir"),
                FhirImagingStudyParser.parse(with(R5, "series", Json.createArrayBuilder(series).build())));
    }
}
