package org.dicomsidecar.index;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.dicomsidecar.couchdb.CouchDatabase;
import org.dicomsidecar.couchdb.CouchRequestException;
import org.dicomsidecar.json.Jsonp;

/** The index feed's source in CouchDB: {@code _changes} with the documents, and {@code _all_docs} by id. */
final class CouchIndexSource implements IndexFeed.Source {

    private final CouchDatabase couch;

    CouchIndexSource(CouchDatabase couch) {
        this.couch = couch;
    }

    @Override
    public Changes changesSince(String since, int limit) {
        // with the documents: one round trip per page instead of two, which is most of a rebuild's time
        JsonObject changes = couch.query("/_changes?include_docs=true&limit=" + limit + "&since="
                + URLEncoder.encode(since, StandardCharsets.UTF_8));
        List<Change> results = new ArrayList<>();
        for (JsonValue v : changes.getJsonArray("results")) {
            JsonObject c = v.asJsonObject();
            boolean deleted = c.getBoolean("deleted", false);
            JsonObject doc = !deleted && c.get("doc") instanceof JsonObject d ? d : null;
            results.add(new Change(c.getString("id"), deleted, doc));
        }
        return new Changes(results, CouchDatabase.sequence(changes.get("last_seq")));
    }

    @Override
    public List<JsonObject> documents(Collection<String> ids) {
        return couch.getAll(ids);
    }

    static final String IDENTITY = "_local/sidecar-index-identity";

    /**
     * A random id the sidecar writes into the database once, as a local document (never replicated, not in the
     * changes feed): a database deleted and created again, or another one at the same URL, has another.
     */
    @Override
    public String databaseId() {
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<JsonObject> stored = couch.get(IDENTITY);
            if (stored.isPresent()) {
                return stored.get().getString("id", "");
            }
            try {
                couch.put(Jsonp.createObjectBuilder().add("_id", IDENTITY).add("id", UUID.randomUUID().toString())
                        .build());
            } catch (CouchRequestException e) {
                if (e.status() != 409) { // 409: another node wrote it first; read theirs
                    throw e;
                }
            }
        }
        throw new CouchRequestException(409, "the database identity keeps changing");
    }

    /** How many documents the database holds (the total a rebuild reads, design documents included). */
    long documentCount() {
        JsonValue n = couch.query("").get("doc_count");
        return n instanceof jakarta.json.JsonNumber number ? number.longValue() : 0;
    }
}
