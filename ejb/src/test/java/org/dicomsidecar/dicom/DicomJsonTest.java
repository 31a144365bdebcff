package org.dicomsidecar.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.InputStream;
import java.io.StringReader;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class DicomJsonTest {

    private static JsonObject json(String text) {
        try (JsonReader reader = Json.createReader(new StringReader(text))) {
            return reader.readObject();
        }
    }

    private static JsonObject resource(String name) throws Exception {
        try (InputStream in = DicomJsonTest.class.getResourceAsStream("/ingest/" + name);
                JsonReader reader = Json.createReader(in)) {
            return reader.readObject();
        }
    }

    private static final JsonObject DATASET = json("""
            {
              "00080005": {"vr": "CS", "Value": ["ISO_IR 192"]},
              "00080060": {"vr": "CS", "Value": ["CT"]},
              "00080061": {"vr": "CS", "Value": ["CT", "SR", "SEG"]},
              "00081030": {"vr": "LO"},
              "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Doe^Jane", "Ideographic": "\u5c71\u7530^\u592a\u90ce"}]},
              "00081060": {"vr": "PN", "Value": [{"Alphabetic": "Who^A"}, null, {"Ideographic": "\u5c71\u7530"}]},
              "00081070": {"vr": "PN", "Value": [{"Ideographic": "\u5c71\u7530"}]},
              "00181050": {"vr": "DS", "Value": [0.5]},
              "00200013": {"vr": "IS", "Value": [12]},
              "00280030": {"vr": "DS", "Value": [0.703125, 0.703125]},
              "00280010": {"vr": "US", "Value": [512]},
              "00180088": {"vr": "DS", "Value": ["1.25"]},
              "00200032": {"vr": "DS", "Value": [-125.5, 1e3, 12345678901234567890]},
              "00201041": {"vr": "DS", "Value": [null]},
              "7FE00010": {"vr": "OW", "BulkDataURI": "http://host/bulk/7FE00010"},
              "00081199": {"vr": "SQ", "Value": [
                  {"00081150": {"vr": "UI", "Value": ["1.2.840.10008.5.1.4.1.1.2"]},
                   "00081155": {"vr": "UI", "Value": ["1.2.3.4"]}},
                  {"00081155": {"vr": "UI", "Value": ["1.2.3.5"]}}
              ]},
              "00081198": {"vr": "SQ"},
              "0040A730": {"vr": "SQ", "Value": []}
            }
            """);

    @Test
    void firstStringValue() {
        assertEquals(Optional.of("CT"), DicomJson.string(DATASET, "00080060"));
        assertEquals(Optional.of("CT"), DicomJson.string(DATASET, "00080061"));
        assertEquals(Optional.of("1.25"), DicomJson.string(DATASET, "00180088"));
    }

    @Test
    void personNameIsItsAlphabeticGroup() {
        assertEquals(Optional.of("Doe^Jane"), DicomJson.string(DATASET, "00100010"));
        assertEquals(Optional.empty(), DicomJson.string(DATASET, "00081070"));
        assertEquals(List.of("Who^A", "", ""), DicomJson.strings(DATASET, "00081060"));
    }

    @Test
    void numbersAsTheirText() {
        assertEquals(Optional.of("0.5"), DicomJson.string(DATASET, "00181050"));
        assertEquals(Optional.of("12"), DicomJson.string(DATASET, "00200013"));
        assertEquals(Optional.of("512"), DicomJson.string(DATASET, "00280010"));
        assertEquals(List.of("0.703125", "0.703125"), DicomJson.strings(DATASET, "00280030"));
        List<String> position = DicomJson.strings(DATASET, "00200032");
        assertEquals("-125.5", position.get(0));
        assertEquals(1000.0, Double.parseDouble(position.get(1)));
        assertEquals("12345678901234567890", position.get(2));
    }

    @Test
    void noValueIsEmpty() {
        assertEquals(Optional.empty(), DicomJson.string(DATASET, "00081030"));
        assertEquals(Optional.empty(), DicomJson.string(DATASET, "00201041"));
        assertEquals(Optional.empty(), DicomJson.string(DATASET, "00100020"));
        assertEquals(Optional.empty(), DicomJson.string(DATASET, "7FE00010"));
        assertEquals(List.of(), DicomJson.strings(DATASET, "00081030"));
        assertEquals(List.of(), DicomJson.strings(DATASET, "00100020"));
        assertEquals(List.of(""), DicomJson.strings(DATASET, "00201041"));
        assertEquals(Optional.empty(), DicomJson.string(json("{\"00100020\": null}"), "00100020"));
        assertEquals(Optional.empty(), DicomJson.string(json("{\"00100020\": {\"vr\": \"LO\", \"Value\": null}}"),
                "00100020"));
    }

    @Test
    void allValues() {
        assertEquals(List.of("CT", "SR", "SEG"), DicomJson.strings(DATASET, "00080061"));
        assertEquals(List.of("Doe^Jane"), DicomJson.strings(DATASET, "00100010"));
    }

    @Test
    void sequenceItems() {
        List<JsonObject> items = DicomJson.items(DATASET, "00081199");
        assertEquals(2, items.size());
        assertEquals(Optional.of("1.2.3.4"), DicomJson.string(items.get(0), "00081155"));
        assertEquals(Optional.of("1.2.840.10008.5.1.4.1.1.2"), DicomJson.string(items.get(0), "00081150"));
        assertEquals(Optional.empty(), DicomJson.string(items.get(1), "00081150"));
        assertEquals(List.of(), DicomJson.items(DATASET, "00081198"));
        assertEquals(List.of(), DicomJson.items(DATASET, "0040A730"));
        assertEquals(List.of(), DicomJson.items(DATASET, "00404021"));
    }

    @Test
    void resultsAreUnmodifiable() {
        assertThrows(UnsupportedOperationException.class, () -> DicomJson.strings(DATASET, "00080061").add("x"));
        assertThrows(UnsupportedOperationException.class, () -> DicomJson.items(DATASET, "00081199").clear());
    }

    @Test
    void tagsInLowerCaseAreRead() {
        assertEquals(List.of(), DicomJson.items(DATASET, "0040a730"));
        assertEquals(Optional.of("x"), DicomJson.string(json("{\"0040a123\": {\"vr\": \"PN\", \"Value\": [\"x\"]}}"),
                "0040A123"));
        assertEquals(Optional.of("x"), DicomJson.string(json("{\"0040A123\": {\"vr\": \"LO\", \"Value\": [\"x\"]}}"),
                "0040a123"));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "0010001", "001000100", "0010001G", "(0010,0010)", "PatientName"})
    void badTagArguments(String tag) {
        assertThrows(IllegalArgumentException.class, () -> DicomJson.string(DATASET, tag));
        assertThrows(IllegalArgumentException.class, () -> DicomJson.strings(DATASET, tag));
        assertThrows(IllegalArgumentException.class, () -> DicomJson.items(DATASET, tag));
    }

    @Test
    void nullDatasetIsAnError() {
        assertThrows(NullPointerException.class, () -> DicomJson.string(null, "00100010"));
    }

    @Test
    void malformedDatasetsAreRefusedWithoutEchoingValues() {
        JsonObject notAnObject = json("{\"00100010\": \"Doe^Jane\"}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DicomJson.string(notAnObject, "00100010"));
        assertEquals("attribute 00100010 is a string, not an object", e.getMessage());

        JsonObject valueNotArray = json("{\"00100020\": {\"vr\": \"LO\", \"Value\": \"PID-123\"}}");
        e = assertThrows(IllegalArgumentException.class, () -> DicomJson.strings(valueNotArray, "00100020"));
        assertEquals("attribute 00100020: \"Value\" is a string, not an array", e.getMessage());

        JsonObject booleanValue = json("{\"00100020\": {\"vr\": \"LO\", \"Value\": [true]}}");
        e = assertThrows(IllegalArgumentException.class, () -> DicomJson.string(booleanValue, "00100020"));
        assertEquals("attribute 00100020: value 1 is a boolean", e.getMessage());

        JsonObject arrayValue = json("{\"00100020\": {\"vr\": \"LO\", \"Value\": [[\"x\"]]}}");
        assertThrows(IllegalArgumentException.class, () -> DicomJson.string(arrayValue, "00100020"));

        JsonObject alphabeticNumber = json("{\"00100010\": {\"vr\": \"PN\", \"Value\": [{\"Alphabetic\": 3}]}}");
        assertThrows(IllegalArgumentException.class, () -> DicomJson.string(alphabeticNumber, "00100010"));

        JsonObject itemNotObject = json("{\"00081199\": {\"vr\": \"SQ\", \"Value\": [{}, \"1.2.3\"]}}");
        e = assertThrows(IllegalArgumentException.class, () -> DicomJson.items(itemNotObject, "00081199"));
        assertEquals("attribute 00081199: item 2 is a string, not an object", e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> DicomJson.items(DATASET, "00100010"));
        assertEquals("attribute 00100010 is not a sequence", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DicomJson.string(DATASET, "00081199"));
        assertEquals("attribute 00081199 is a sequence, not a value", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DicomJson.strings(DATASET, "00081198"));
    }

    @Test
    void withoutVrAnObjectValueIsReadAsAPersonNameAndItemsAsItems() {
        JsonObject noVr = json("{\"00100010\": {\"Value\": [{\"Alphabetic\": \"A^B\"}]},"
                + " \"00081199\": {\"Value\": [{\"00081155\": {\"Value\": [\"1.2\"]}}]}}");
        assertEquals(Optional.of("A^B"), DicomJson.string(noVr, "00100010"));
        assertEquals(Optional.of("1.2"), DicomJson.string(DicomJson.items(noVr, "00081199").get(0), "00081155"));
    }

    @Test
    void readsTheDcm4cheeWorkitem() throws Exception {
        JsonObject workitem = resource("ups-workitem-dcm4chee.json");
        assertEquals(Optional.of("SCHEDULED"), DicomJson.string(workitem, "00741000"));
        assertEquals(Optional.of("Sidecar^Test^Upsworkitem"), DicomJson.string(workitem, "00100010"));
        assertEquals(Optional.empty(), DicomJson.string(workitem, "00380010"));
        assertEquals(List.of(), DicomJson.items(workitem, "0040A370"));
        List<JsonObject> inputs = DicomJson.items(workitem, "00404021");
        assertEquals(2, inputs.size());
        JsonObject retrieval = DicomJson.items(inputs.get(0), "0040E021").get(0);
        assertEquals(Optional.of("DCM4CHEE"), DicomJson.string(retrieval, "00080054"));
        assertEquals(3, DicomJson.items(inputs.get(0), "00081199").size());
        assertTrue(DicomJson.string(workitem, "00404005").orElseThrow().startsWith("20250312"));
        assertFalse(DicomJson.string(inputs.get(1), "0020000E").isEmpty());
    }
}
