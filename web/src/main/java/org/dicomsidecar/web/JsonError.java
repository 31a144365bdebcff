package org.dicomsidecar.web;

import jakarta.json.JsonObject;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.dicomsidecar.json.Jsonp;

/** The one shape of every error the sidecar answers: {"status": 502, "error": "host-unreachable", "message": "..."}. */
public final class JsonError {

    private JsonError() {
    }

    public static JsonObject of(int status, String error, String message) {
        return Jsonp.createObjectBuilder()
                .add("status", status)
                .add("error", error)
                .add("message", message == null ? "" : message)
                .build();
    }

    /** Answers {@code error} from a servlet or filter: its status, JSON, with its length. */
    public static void write(HttpServletResponse response, JsonObject error) throws IOException {
        byte[] body = error.toString().getBytes(StandardCharsets.UTF_8);
        response.setStatus(error.getInt("status"));
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
