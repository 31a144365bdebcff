package org.dicomsidecar.ingest;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.dicomsidecar.dicom.DicomJson;
import org.dicomsidecar.dicom.DicomUid;

/** What the parsers share: checks that fail with a 400 naming the path, and the final list of events. */
final class EventBodies {

    private EventBodies() {
    }

    static InvalidEventException malformed(String path, String what) {
        return new InvalidEventException(400, path + ": " + what);
    }

    /** uid itself when valid, else a 400 whose message names path. */
    static String uid(String uid, String path) {
        String problem = DicomUid.problem(uid, path);
        if (problem != null) {
            throw new InvalidEventException(400, problem);
        }
        return uid;
    }

    /** A DICOM JSON body: one dataset object, or an array holding exactly one (as PS3.18 answers are). */
    static JsonObject singleDataset(JsonValue body, String what) {
        if (body == null || body.getValueType() == JsonValue.ValueType.NULL) {
            throw malformed("body", "missing (expected " + what + ", a DICOM JSON object)");
        }
        if (body.getValueType() == JsonValue.ValueType.OBJECT) {
            return body.asJsonObject();
        }
        if (body.getValueType() == JsonValue.ValueType.ARRAY) {
            var array = body.asJsonArray();
            if (array.size() != 1) {
                throw malformed("body", "an array of " + array.size() + " elements (expected " + what
                        + ", one DICOM JSON object, or an array holding one)");
            }
            if (array.get(0).getValueType() != JsonValue.ValueType.OBJECT) {
                throw malformed("body[0]", kind(array.get(0)) + " (expected " + what + ", a DICOM JSON object)");
            }
            return array.getJsonObject(0);
        }
        throw malformed("body", kind(body) + " (expected " + what + ", a DICOM JSON object)");
    }

    /** A DicomJson read whose structural errors become a 400 naming path. */
    static <T> T read(String path, Supplier<T> reader) {
        try {
            return reader.get();
        } catch (IllegalArgumentException e) {
            throw malformed(path, "malformed DICOM JSON (" + e.getMessage() + ")");
        }
    }

    /** The first value of a DICOM JSON attribute; empty when absent, null or the empty string. */
    static Optional<String> dicomString(JsonObject dataset, String tag, String path) {
        return read(path, () -> DicomJson.string(dataset, tag)).filter(s -> !s.isEmpty());
    }

    static List<JsonObject> dicomItems(JsonObject dataset, String tag, String path) {
        return read(path, () -> DicomJson.items(dataset, tag));
    }

    /** A string member of a plain JSON object; empty when absent or null; 400 when of another type. */
    static Optional<String> jsonString(JsonObject object, String name, String path) {
        JsonValue value = object.get(name);
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            return Optional.empty();
        }
        if (value instanceof JsonString s) {
            return Optional.of(s.getString());
        }
        throw malformed(path, kind(value) + ", expected a string");
    }

    static String kind(JsonValue value) {
        return DicomJson.kind(value);
    }


    /** The events in their first order, each once. */
    static List<StoredEvent> distinct(List<StoredEvent> events) {
        return List.copyOf(new LinkedHashSet<>(events));
    }

    /** "a.b" or "b" when the prefix is empty. */
    static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }
}
