package org.dicomsidecar.couchdb;

import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.dicomsidecar.json.Jsonp;

/** A design document as versioned in the repository ({@code couchdb/design/*.json} on the classpath). */
public record DesignDocument(String id, int version, JsonObject body) {

    static final String VERSION_FIELD = "sidecar_version";
    private static final String FOLDER = "/couchdb/design/";

    /** Every design document listed in {@code couchdb/design/index.txt}. */
    public static List<DesignDocument> bundled() {
        List<DesignDocument> docs = new ArrayList<>();
        for (String name : readLines(FOLDER + "index.txt")) {
            try (InputStream in = open(FOLDER + name); JsonReader reader = Jsonp.createReader(in)) {
                docs.add(of(reader.readObject()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return docs;
    }

    static DesignDocument of(JsonObject body) {
        String id = body.getString("_id", "");
        if (!id.startsWith("_design/")) {
            throw new IllegalArgumentException("design document without a _design/ id: " + id);
        }
        if (!body.containsKey(VERSION_FIELD)) {
            throw new IllegalArgumentException(id + " has no " + VERSION_FIELD);
        }
        return new DesignDocument(id, body.getInt(VERSION_FIELD), body);
    }

    /**
     * Whether the stored copy must be replaced: missing, or older than ours. A newer stored copy (another
     * node already runs a later release) is left alone, so mixed versions during a rolling upgrade do not fight.
     */
    public boolean shouldReplace(Optional<JsonObject> stored) {
        return stored.map(s -> s.getInt(VERSION_FIELD, 0) < version).orElse(true);
    }

    /** Our body, carrying the stored revision so that CouchDB accepts it as an update. */
    public JsonObject withRevisionOf(Optional<JsonObject> stored) {
        if (stored.isEmpty() || !stored.get().containsKey("_rev")) {
            return body;
        }
        return Jsonp.createObjectBuilder(body).add("_rev", stored.get().getString("_rev")).build();
    }

    private static List<String> readLines(String resource) {
        try (InputStream in = open(resource);
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return r.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream open(String resource) {
        InputStream in = DesignDocument.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("missing resource " + resource);
        }
        return in;
    }
}
