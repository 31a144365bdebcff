package org.dicomsidecar.delegation;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.time.Instant;
import org.dicomsidecar.json.Jsonp;

/**
 * How the sidecar authenticates to the host, as the status shows it: never a secret or a token.
 *
 * @param method "none", "basic" or "client-credentials"
 * @param user the Basic user, or null
 * @param clientId the client of the client-credentials grant, or null
 * @param tokenUrl the token endpoint (without user info), or null
 * @param lastFetch when a token was last asked for, or null if never
 * @param lastFetchError why the last token fetch failed, or null if it worked (or none was made)
 * @param tokenExpires when the token now in use expires, or null if none is held
 */
public record HostAuthStatus(String method, String user, String clientId, String tokenUrl, Instant lastFetch,
                             String lastFetchError, Instant tokenExpires) {

    static HostAuthStatus none() {
        return new HostAuthStatus("none", null, null, null, null, null, null);
    }

    static HostAuthStatus basic(String user) {
        return new HostAuthStatus("basic", user, null, null, null, null, null);
    }

    public JsonObject toJson() {
        JsonObjectBuilder b = Jsonp.createObjectBuilder().add("method", method);
        switch (method) {
            case "basic" -> b.add("user", user);
            case "client-credentials" -> {
                b.add("clientId", clientId).add("tokenUrl", tokenUrl);
                addOrNull(b, "lastTokenFetch", lastFetch == null ? null : lastFetch.toString());
                if (lastFetch == null) {
                    b.addNull("lastTokenFetchOk");
                } else {
                    b.add("lastTokenFetchOk", lastFetchError == null);
                }
                addOrNull(b, "lastTokenFetchError", lastFetchError);
                addOrNull(b, "tokenExpires", tokenExpires == null ? null : tokenExpires.toString());
            }
            default -> {
                // "none": nothing more to tell
            }
        }
        return b.build();
    }

    private static void addOrNull(JsonObjectBuilder b, String key, String value) {
        if (value == null) {
            b.addNull(key);
        } else {
            b.add(key, value);
        }
    }
}
