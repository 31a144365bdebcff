package org.dicomsidecar.query;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.math.BigDecimal;

/**
 * Typed reads of a request body's members. JSON-P's own getters throw ClassCastException (a 500) on a value of
 * the wrong type and {@code getInt} wraps 2^32 + 1 round to 1; these say what is wrong, where, as a 400.
 */
public final class JsonFields {

    private JsonFields() {
    }

    /** The member as a string; null when absent or JSON null. */
    public static String optionalString(JsonObject o, String key, String at) {
        if (!o.containsKey(key) || o.isNull(key)) {
            return null;
        }
        if (o.get(key).getValueType() != JsonValue.ValueType.STRING) {
            throw new QueryException(at, "must be a string, not " + typeName(o.get(key)));
        }
        return o.getString(key);
    }

    public static String requiredString(JsonObject o, String key, String at) {
        String s = optionalString(o, key, at);
        if (s == null) {
            throw new QueryException(at, "is required (a string)");
        }
        return s;
    }

    /** A whole number within [min, max], checked before any narrowing; {@code absent} when missing or null. */
    public static int wholeNumber(JsonObject o, String key, String at, int min, int max, int absent) {
        if (!o.containsKey(key) || o.isNull(key)) {
            return absent;
        }
        JsonValue v = o.get(key);
        if (v.getValueType() != JsonValue.ValueType.NUMBER || !((JsonNumber) v).isIntegral()) {
            throw new QueryException(at, "must be a whole number between " + min + " and " + max + ", not " + typeName(v));
        }
        BigDecimal n = ((JsonNumber) v).bigDecimalValue();
        if (n.compareTo(BigDecimal.valueOf(min)) < 0 || n.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw new QueryException(at, "must be between " + min + " and " + max);
        }
        return n.intValueExact();
    }

    /** "a number", "an array" ...: for messages, never the value itself (it may be patient data). */
    public static String typeName(JsonValue v) {
        return switch (v.getValueType()) {
            case STRING -> "a string";
            case NUMBER -> ((JsonNumber) v).isIntegral() ? "a whole number" : "a number";
            case TRUE, FALSE -> "a boolean";
            case NULL -> "null";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
        };
    }
}
