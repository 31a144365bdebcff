package org.dicomsidecar.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.json.JsonObject;
import java.io.StringReader;
import org.dicomsidecar.json.Jsonp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonFieldsTest {

    private static JsonObject json(String s) {
        try (var r = Jsonp.createReader(new StringReader(s))) {
            return r.readObject();
        }
    }

    @Test
    void wholeNumbersWithinTheirRange() {
        assertEquals(7, JsonFields.wholeNumber(json("{\"limit\": 7}"), "limit", "limit", 1, 1000, 100));
        assertEquals(100, JsonFields.wholeNumber(json("{}"), "limit", "limit", 1, 1000, 100));
        assertEquals(100, JsonFields.wholeNumber(json("{\"limit\": null}"), "limit", "limit", 1, 1000, 100));
    }

    @ParameterizedTest
    @ValueSource(strings = {"4294967297", "-1", "0", "1001", "1.5", "\"x\"", "true", "[]", "{}", "1e400",
        "-9223372036854775809", "99999999999999999999999999999"})
    void anythingElseIsRefusedNotWrapped(String value) {
        QueryException e = assertThrows(QueryException.class,
                () -> JsonFields.wholeNumber(json("{\"limit\": " + value + "}"), "limit", "limit", 1, 1000, 100));
        assertEquals("limit", e.where());
    }

    @Test
    void stringsAreStringsOrAbsent() {
        assertEquals("a", JsonFields.optionalString(json("{\"c\": \"a\"}"), "c", "c"));
        assertNull(JsonFields.optionalString(json("{}"), "c", "c"));
        assertNull(JsonFields.optionalString(json("{\"c\": null}"), "c", "c"));
        QueryException e = assertThrows(QueryException.class,
                () -> JsonFields.optionalString(json("{\"c\": 5}"), "c", "has[0].c"));
        assertEquals("has[0].c", e.where());
        assertThrows(QueryException.class, () -> JsonFields.requiredString(json("{}"), "c", "c"));
        assertThrows(QueryException.class, () -> JsonFields.requiredString(json("{\"c\": {}}"), "c", "c"));
    }

    @Test
    void messagesNameTheTypeNeverTheValue() {
        QueryException e = assertThrows(QueryException.class,
                () -> JsonFields.wholeNumber(json("{\"limit\": \"Doe^John\"}"), "limit", "limit", 1, 10, 1));
        assertFalse(e.getMessage().contains("Doe"), e.getMessage());
        assertEquals("limit: must be a whole number between 1 and 10, not a string", e.getMessage());
    }
}
