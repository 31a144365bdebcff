package org.dicomsidecar.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Plain HTTP from the tests to the sidecar and to the host, over loopback. */
final class Http {

    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();

    private Http() {
    }

    static HttpResponse<byte[]> get(String url, String accept) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).GET();
        if (accept != null) {
            b.header("Accept", accept);
        }
        return send(b.build());
    }

    static HttpResponse<byte[]> send(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** PUT of JSON to a URL, with {@code If-Match} unless it is null. */
    static HttpResponse<byte[]> putJson(String url, String ifMatch, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json));
        if (ifMatch != null) {
            b.header("If-Match", ifMatch);
        }
        return send(b.build());
    }

    static JsonValue json(byte[] body) {
        try (JsonReader r = Json.createReader(new ByteArrayInputStream(body))) {
            return r.readValue();
        }
    }

    static JsonValue json(String body) {
        return json(body.getBytes(StandardCharsets.UTF_8));
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    static String contentType(HttpResponse<?> r) {
        return r.headers().firstValue("Content-Type").orElse("");
    }

    /** GET of a sidecar path ("/api/..."), which must answer 200 with a JSON object. */
    static JsonObject getJson(String path) {
        HttpResponse<byte[]> r = get(ExternalServices.sidecarUrl() + path, "application/json");
        org.junit.jupiter.api.Assertions.assertEquals(200, r.statusCode(), path + " " + text(r));
        return json(r.body()).asJsonObject();
    }

    /** POST of JSON to a sidecar path, which must answer 200 with a JSON object. */
    static JsonObject postJson(String path, String body) {
        HttpResponse<byte[]> r = Mirror.post(path, "application/json", body.getBytes(StandardCharsets.UTF_8));
        org.junit.jupiter.api.Assertions.assertEquals(200, r.statusCode(), path + " " + text(r));
        return json(r.body()).asJsonObject();
    }

    static JsonObject status() {
        return json(get(ExternalServices.sidecarUrl() + "/api/status", "application/json").body()).asJsonObject();
    }

    static int statusCode() {
        return get(ExternalServices.sidecarUrl() + "/api/status", "application/json").statusCode();
    }

    /** Polls the sidecar's status until it answers {@code expected}; fails after {@code seconds}. */
    static JsonObject awaitStatus(int expected, int seconds) {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<byte[]> r = get(ExternalServices.sidecarUrl() + "/api/status", "application/json");
                last = r.statusCode();
                if (last == expected) {
                    return json(r.body()).asJsonObject();
                }
            } catch (UncheckedIOException e) {
                last = -1; // the server may be reloading
            }
            ManagedProcess.sleep(250);
        }
        throw new AssertionError("status did not become " + expected + " within " + seconds + " s (last: " + last + ")");
    }
}
