package org.dicomsidecar.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.function.Executable;

/** The sample bodies in src/test/resources/ingest/ and small helpers to read and vary them. */
final class Samples {

    /** The patient data in the samples: never in a message. */
    static final List<String> PATIENT_DATA = List.of("Sidecar^Test", "SIDECAR-0001", "19700101", "A20250312-0042");

    private Samples() {
    }

    static JsonObject resource(String name) {
        try (InputStream in = Samples.class.getResourceAsStream("/ingest/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource ingest/" + name);
            }
            try (JsonReader reader = Json.createReader(in)) {
                return reader.readObject();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonValue json(String text) {
        try (JsonReader reader = Json.createReader(new StringReader(text))) {
            return reader.readValue();
        }
    }

    static JsonObject with(JsonObject object, String name, JsonValue value) {
        return Json.createObjectBuilder(object).add(name, value).build();
    }

    static JsonObject without(JsonObject object, String name) {
        return Json.createObjectBuilder(object).remove(name).build();
    }

    /** A DICOM JSON sequence attribute holding these items. */
    static JsonObject sequence(List<JsonObject> items) {
        JsonArrayBuilder values = Json.createArrayBuilder();
        items.forEach(values::add);
        return Json.createObjectBuilder().add("vr", "SQ").add("Value", values).build();
    }

    /** A DICOM JSON attribute with one string value. */
    static JsonObject attribute(String vr, String value) {
        return Json.createObjectBuilder().add("vr", vr).add("Value", Json.createArrayBuilder().add(value)).build();
    }

    /** A DICOM JSON attribute without value (an empty type-2 attribute). */
    static JsonObject empty(String vr) {
        return Json.createObjectBuilder().add("vr", vr).build();
    }

    /** The items of a DICOM JSON sequence attribute. */
    static List<JsonObject> items(JsonObject dataset, String tag) {
        return dataset.getJsonObject(tag).getJsonArray("Value").getValuesAs(JsonObject.class);
    }

    /** The dataset with item i of sequence tag changed. */
    static JsonObject withItem(JsonObject dataset, String tag, int i, Function<JsonObject, JsonObject> change) {
        List<JsonObject> items = new java.util.ArrayList<>(items(dataset, tag));
        items.set(i, change.apply(items.get(i)));
        return with(dataset, tag, sequence(items));
    }

    /** Asserts that parsing fails with this status and message, and that the message holds no patient data. */
    static InvalidEventException refused(int status, String message, Executable parse) {
        InvalidEventException e = assertThrows(InvalidEventException.class, parse);
        assertEquals(status, e.status());
        assertEquals(message, e.getMessage());
        for (String datum : PATIENT_DATA) {
            assertFalse(e.getMessage().contains(datum), () -> "patient data in: " + e.getMessage());
        }
        return e;
    }
}
