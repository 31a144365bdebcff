package org.dicomsidecar.json;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON objects kept as text, member by member: each member's value is its own JSON text, so that stored JSON (a
 * series' summary in the index) is spliced into an answer without building objects from it and writing them again.
 * The scanner is one linear pass with no backtracking; it expects well-formed JSON (what this application stored
 * itself) and rejects text that does not even frame as an object.
 */
public final class JsonMembers {

    private JsonMembers() {
    }

    /** An object's members in their order, each value as its JSON text. */
    public static Map<String, String> members(String object) {
        return members(object, null);
    }

    /**
     * An object's members in their order, each value as its JSON text; only those named in {@code wanted} (all when
     * null): the others are stepped over without being copied.
     */
    public static Map<String, String> members(String object, java.util.Set<String> wanted) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = skipWhitespace(object, 0);
        expect(object, i, '{');
        i = skipWhitespace(object, i + 1);
        if (i < object.length() && object.charAt(i) == '}') {
            return end(object, i + 1, out);
        }
        while (true) {
            expect(object, i, '"');
            int keyEnd = endOfString(object, i);
            String key = object.substring(i + 1, keyEnd - 1);
            if (key.indexOf('\\') >= 0) {
                key = ((jakarta.json.JsonString) Jsonp.createReader(new StringReader(object.substring(i, keyEnd)))
                        .readValue()).getString();
            }
            i = skipWhitespace(object, keyEnd);
            expect(object, i, ':');
            i = skipWhitespace(object, i + 1);
            int valueEnd = endOfValue(object, i);
            if (wanted == null || wanted.contains(key)) {
                out.put(key, object.substring(i, valueEnd));
            }
            i = skipWhitespace(object, valueEnd);
            if (i < object.length() && object.charAt(i) == ',') {
                i = skipWhitespace(object, i + 1);
            } else {
                expect(object, i, '}');
                return end(object, i + 1, out);
            }
        }
    }

    /** The members of a JSON-P object, each value written as JSON text. */
    public static Map<String, String> of(JsonObject object) {
        Map<String, String> out = new LinkedHashMap<>();
        object.forEach((k, v) -> out.put(k, v.toString()));
        return out;
    }

    /** Members as a JSON-P object (each value parsed). */
    public static JsonObject toObject(Map<String, String> members) {
        jakarta.json.JsonObjectBuilder b = Jsonp.createObjectBuilder();
        members.forEach((k, v) -> b.add(k, Jsonp.createReader(new StringReader(v)).readValue()));
        return b.build();
    }

    /** Whether an object's JSON text has a member of this name (at its top level). */
    public static boolean hasMember(String object, String name) {
        return object.contains(name) && members(object, java.util.Set.of(name)).containsKey(name);
    }

    /** A string as a JSON string literal, quotes included. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2);
        appendQuoted(b, s);
        return b.toString();
    }

    /** Writes a string as a JSON string literal, quotes included. */
    public static void writeQuoted(Writer w, String s) {
        try {
            if (plain(s)) {
                w.write('"');
                w.write(s);
                w.write('"');
            } else {
                w.write(quote(s));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean plain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private static void appendQuoted(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    private static Map<String, String> end(String text, int i, Map<String, String> out) {
        if (skipWhitespace(text, i) != text.length()) {
            throw new IllegalArgumentException("text after the object at " + i);
        }
        return out;
    }

    private static void expect(String text, int i, char c) {
        if (i >= text.length() || text.charAt(i) != c) {
            throw new IllegalArgumentException("expected '" + c + "' at " + i);
        }
    }

    private static int skipWhitespace(String text, int i) {
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                break;
            }
            i++;
        }
        return i;
    }

    /** The index after a string's closing quote; {@code i} is at its opening quote. */
    private static int endOfString(String text, int i) {
        for (int j = i + 1; j < text.length(); j++) {
            char c = text.charAt(j);
            if (c == '\\') {
                j++;
            } else if (c == '"') {
                return j + 1;
            }
        }
        throw new IllegalArgumentException("unterminated string at " + i);
    }

    /** The index after the value that starts at {@code i}. */
    private static int endOfValue(String text, int i) {
        if (i >= text.length()) {
            throw new IllegalArgumentException("expected a value at " + i);
        }
        char first = text.charAt(i);
        if (first == '"') {
            return endOfString(text, i);
        }
        if (first == '{' || first == '[') {
            int depth = 0;
            for (int j = i; j < text.length(); j++) {
                char c = text.charAt(j);
                if (c == '"') {
                    j = endOfString(text, j) - 1;
                } else if (c == '{' || c == '[') {
                    depth++;
                } else if ((c == '}' || c == ']') && --depth == 0) {
                    return j + 1;
                }
            }
            throw new IllegalArgumentException("unterminated value at " + i);
        }
        int j = i;
        while (j < text.length() && ",}] \n\r\t".indexOf(text.charAt(j)) < 0) {
            j++;
        }
        if (j == i) {
            throw new IllegalArgumentException("expected a value at " + i);
        }
        return j;
    }
}
