package org.dicomsidecar.dicom;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Reading values out of DICOM JSON (PS3.18 F.2): tags are 8 upper-case hex digits.
 *
 * <p>An attribute that is absent, JSON {@code null}, or has no {@code "Value"} (an empty type-2 attribute such as
 * {@code {"vr":"LO"}}, or bulk data) has no values. A dataset that breaks the model (an attribute that is not an
 * object, a {@code "Value"} that is not an array, a sequence item that is not an object, a boolean or array as a
 * value, asking for the string of a sequence or the items of a non-sequence) gives an
 * {@link IllegalArgumentException}. Its message names the tag and the structure only, never a value, so that it
 * can be passed on without leaking patient data.
 */
public final class DicomJson {

    private DicomJson() {
    }

    /** First Value as string (numbers as their text, PN as Alphabetic); empty if there is none or it is null. */
    public static Optional<String> string(JsonObject dataset, String tag) {
        String key = key(tag);
        JsonArray values = values(dataset, key, false);
        if (values == null || values.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(text(values.get(0), key, 0));
    }

    /** All Values as strings, in order; a null value (or a PN without Alphabetic) is the empty string. */
    public static List<String> strings(JsonObject dataset, String tag) {
        String key = key(tag);
        JsonArray values = values(dataset, key, false);
        if (values == null) {
            return List.of();
        }
        List<String> result = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            String s = text(values.get(i), key, i);
            result.add(s == null ? "" : s);
        }
        return Collections.unmodifiableList(result);
    }

    /** The items of a sequence, in order; empty if the attribute is absent or has no items. */
    public static List<JsonObject> items(JsonObject dataset, String tag) {
        String key = key(tag);
        JsonArray values = values(dataset, key, true);
        if (values == null) {
            return List.of();
        }
        List<JsonObject> result = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            JsonValue item = values.get(i);
            if (item.getValueType() != JsonValue.ValueType.OBJECT) {
                throw new IllegalArgumentException(
                        "attribute " + key + ": item " + (i + 1) + " is " + kind(item) + ", not an object");
            }
            result.add(item.asJsonObject());
        }
        return Collections.unmodifiableList(result);
    }

    private static String key(String tag) {
        if (tag == null || tag.length() != 8) {
            throw new IllegalArgumentException("a tag is 8 hex digits");
        }
        for (int i = 0; i < 8; i++) {
            if (Character.digit(tag.charAt(i), 16) < 0) {
                throw new IllegalArgumentException("a tag is 8 hex digits");
            }
        }
        return tag.toUpperCase(Locale.ROOT);
    }

    /** The Value array of the attribute, or null when it has none. */
    private static JsonArray values(JsonObject dataset, String key, boolean sequence) {
        Objects.requireNonNull(dataset, "dataset");
        JsonValue attribute = dataset.get(key);
        if (attribute == null) {
            // PS3.18 F.2 asks for upper case; a lower-case key is read rather than silently missed
            attribute = dataset.get(key.toLowerCase(Locale.ROOT));
        }
        if (attribute == null || attribute.getValueType() == JsonValue.ValueType.NULL) {
            return null;
        }
        if (attribute.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new IllegalArgumentException("attribute " + key + " is " + kind(attribute) + ", not an object");
        }
        JsonObject element = attribute.asJsonObject();
        JsonValue vr = element.get("vr");
        if (vr instanceof JsonString s) {
            boolean isSequence = "SQ".equals(s.getString());
            if (sequence && !isSequence) {
                throw new IllegalArgumentException("attribute " + key + " is not a sequence");
            }
            if (!sequence && isSequence) {
                throw new IllegalArgumentException("attribute " + key + " is a sequence, not a value");
            }
        }
        JsonValue value = element.get("Value");
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            return null;
        }
        if (value.getValueType() != JsonValue.ValueType.ARRAY) {
            throw new IllegalArgumentException("attribute " + key + ": \"Value\" is " + kind(value) + ", not an array");
        }
        return value.asJsonArray();
    }

    private static String text(JsonValue value, String key, int index) {
        switch (value.getValueType()) {
            case STRING:
                return ((JsonString) value).getString();
            case NUMBER:
                return ((JsonNumber) value).toString();
            case NULL:
                return null;
            case OBJECT:
                // a person name: {"Alphabetic": "...", "Ideographic": "...", "Phonetic": "..."}
                JsonValue alphabetic = value.asJsonObject().get("Alphabetic");
                if (alphabetic == null || alphabetic.getValueType() == JsonValue.ValueType.NULL) {
                    return null;
                }
                if (alphabetic instanceof JsonString s) {
                    return s.getString();
                }
                throw new IllegalArgumentException("attribute " + key + ": value " + (index + 1)
                        + " has an \"Alphabetic\" that is " + kind(alphabetic) + ", not a string");
            default:
                throw new IllegalArgumentException(
                        "attribute " + key + ": value " + (index + 1) + " is " + kind(value));
        }
    }

    /** What a JSON value is, for messages ("an object", "a string", ... or "missing"). */
    public static String kind(JsonValue value) {
        if (value == null) {
            return "missing";
        }
        return switch (value.getValueType()) {
            case OBJECT -> "an object";
            case ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case TRUE, FALSE -> "a boolean";
            case NULL -> "null";
        };
    }
}
