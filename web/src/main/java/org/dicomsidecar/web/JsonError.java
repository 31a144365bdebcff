package org.dicomsidecar.web;

import jakarta.json.JsonObject;
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
}
