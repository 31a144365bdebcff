package org.dicomsidecar.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.JsonObject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.dicomsidecar.index.IndexUnavailableException;
import org.dicomsidecar.index.MirrorIndex;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A question that comes while the index cannot answer is a 503 JSON error that says why and when to retry. */
class JsonExceptionMapperTest {

    @ParameterizedTest
    @CsvSource({"BUILDING, index-building", "OPENING, index-unavailable", "FAILED, index-unavailable",
        "STOPPED, index-unavailable"})
    void anUnavailableIndexIs503WithRetryAfter(MirrorIndex.State state, String code) {
        Response r = new JsonExceptionMapper().toResponse(new IndexUnavailableException(state, "the index is " + state));
        assertEquals(503, r.getStatus());
        assertEquals(MediaType.APPLICATION_JSON_TYPE, r.getMediaType());
        assertEquals("10", r.getHeaderString("Retry-After"));
        JsonObject body = (JsonObject) r.getEntity();
        assertEquals(503, body.getInt("status"));
        assertEquals(code, body.getString("error"));
        assertEquals("the index is " + state, body.getString("message"));
    }
}
