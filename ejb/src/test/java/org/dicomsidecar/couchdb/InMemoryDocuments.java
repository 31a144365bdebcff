package org.dicomsidecar.couchdb;

import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import org.dicomsidecar.json.Jsonp;

/**
 * CouchDB's document rules in memory, for the fakes of the services' stores: a write must carry the current
 * revision (none for a new document), else it is a conflict and changes nothing.
 */
public final class InMemoryDocuments {

    private final NavigableMap<String, JsonObject> docs = new TreeMap<>();
    private int revisions;

    public Optional<JsonObject> get(String id) {
        return Optional.ofNullable(docs.get(id));
    }

    /** Writes (or, with {@code _deleted}, deletes) the document; its new revision, or empty on a conflict. */
    public Optional<String> write(JsonObject doc) {
        String id = doc.getString("_id");
        String current = docs.containsKey(id) ? docs.get(id).getString("_rev") : "";
        if (!doc.getString("_rev", "").equals(current)) {
            return Optional.empty();
        }
        if (doc.getBoolean("_deleted", false)) {
            docs.remove(id);
            return Optional.of("deleted");
        }
        return Optional.of(overwrite(doc));
    }

    /** Writes a document as another writer would, over whatever revision is current; answers the new one. */
    public String overwrite(JsonObject doc) {
        String rev = ++revisions + "-fake";
        docs.put(doc.getString("_id"), Jsonp.createObjectBuilder(doc).add("_rev", rev).build());
        return rev;
    }

    public Map<String, String> currentRevisions(Collection<String> ids) {
        Map<String, String> revs = new HashMap<>();
        ids.stream().filter(docs::containsKey).forEach(id -> revs.put(id, docs.get(id).getString("_rev")));
        return revs;
    }

    /** The documents with ids from {@code fromId} to {@code toId} (inclusive), in id order. */
    public List<JsonObject> range(String fromId, String toId) {
        return new ArrayList<>(docs.subMap(fromId, true, toId, true).values());
    }

    /** Every document, by id (a copy). */
    public Map<String, JsonObject> all() {
        return new TreeMap<>(docs);
    }
}
