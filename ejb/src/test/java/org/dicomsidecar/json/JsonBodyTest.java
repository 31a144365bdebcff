package org.dicomsidecar.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonBodyTest {

    private static InputStream body(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aBodyWithinItsLimitIsRead() {
        assertEquals(3, JsonBody.read(body("{\"limit\": 3}"), 100, "x").asJsonObject().getInt("limit"));
    }

    @Test
    void tooLargeNamesTheLimitAndIsRefusedUnparsed() {
        JsonBody.RefusedException e = assertThrows(JsonBody.RefusedException.class,
                () -> JsonBody.read(body("{\"a\": \"" + "x".repeat(200) + "\""), 100, "the most a cohort query may take"));
        assertTrue(e.tooLarge());
        assertEquals("larger than 100 bytes (the most a cohort query may take)", e.getMessage());
    }

    @Test
    void malformedSaysWhereWithoutQuotingTheBody() {
        JsonBody.RefusedException e = assertThrows(JsonBody.RefusedException.class,
                () -> JsonBody.read(body("{\"name\": \"Doe^John\",\n \"x\" 1}"), 1000, "x"));
        assertFalse(e.tooLarge());
        assertTrue(e.getMessage().startsWith("not valid JSON (line 2, column"), e.getMessage());
        assertFalse(e.getMessage().contains("Doe"), e.getMessage());
        assertEquals("empty", assertThrows(JsonBody.RefusedException.class,
                () -> JsonBody.read(body(""), 10, "x")).getMessage());
    }

    @Test
    void aBodyCutShortIsTheCallersFault() {
        InputStream cut = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("UT000128: Remote peer closed connection before all data could be read");
            }
        };
        JsonBody.RefusedException e = assertThrows(JsonBody.RefusedException.class, () -> JsonBody.read(cut, 10, "x"));
        assertFalse(e.tooLarge());
        assertTrue(e.getMessage().contains("cut short"), e.getMessage());
    }
}
