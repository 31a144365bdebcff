package org.dicomsidecar.bench;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.dicomsidecar.json.Jsonp;

/**
 * Writes documents into one CouchDB database with {@code _bulk_docs}; safe for several threads (each request is one
 * connection of the client's pool). A document that is already there (a conflict: the dataset was written before)
 * is counted and left as it is, so that writing the same documents again changes nothing.
 */
final class CouchBulkWriter {

    private static final int ATTEMPTS = 3;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final URI database;
    final AtomicLong written = new AtomicLong();
    final AtomicLong existing = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();

    CouchBulkWriter(String couchUrl, String database) {
        this.database = URI.create(couchUrl.replaceAll("/+$", "") + "/" + database);
    }

    /** Creates the database when it does not exist. */
    void ensureDatabase() throws IOException, InterruptedException {
        int status = send(HttpRequest.newBuilder(database).GET().build()).statusCode();
        if (status == 404) {
            status = send(HttpRequest.newBuilder(database).PUT(HttpRequest.BodyPublishers.noBody()).build()).statusCode();
            if (status != 201 && status != 202 && status != 412) {
                throw new IOException("PUT " + database + ": HTTP " + status);
            }
        } else if (status != 200) {
            throw new IOException("GET " + database + ": HTTP " + status);
        }
    }

    void write(List<JsonObject> docs) throws IOException, InterruptedException {
        StringBuilder body = new StringBuilder(docs.size() * 8192).append("{\"docs\":[");
        for (int i = 0; i < docs.size(); i++) {
            body.append(i == 0 ? "" : ",").append(docs.get(i));
        }
        byte[] payload = body.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(database + "/_bulk_docs"))
                .header("Content-Type", "application/json").timeout(Duration.ofMinutes(5))
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload)).build();
        HttpResponse<String> response = null;
        for (int attempt = 1; response == null; attempt++) {
            try {
                response = send(request);
            } catch (IOException e) {
                if (attempt == ATTEMPTS) {
                    throw e;
                }
                Thread.sleep(1000L * attempt);
            }
        }
        if (response.statusCode() != 201 && response.statusCode() != 200) {
            throw new IOException("_bulk_docs: HTTP " + response.statusCode() + " " + abbreviate(response.body()));
        }
        JsonArray results = Jsonp.createReader(new StringReader(response.body())).readArray();
        for (JsonValue v : results) {
            JsonObject r = v.asJsonObject();
            if (!r.containsKey("error")) {
                written.incrementAndGet();
            } else if ("conflict".equals(r.getString("error"))) {
                existing.incrementAndGet();
            } else {
                throw new IOException("CouchDB refused " + r.getString("id", "?") + ": " + r.getString("error"));
            }
        }
        bytes.addAndGet(payload.length);
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
