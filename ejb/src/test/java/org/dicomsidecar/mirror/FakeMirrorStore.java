package org.dicomsidecar.mirror;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dicomsidecar.couchdb.InMemoryDocuments;
import org.dicomsidecar.json.Jsonp;

/** The mirror's CouchDB in memory, answering bulk writes as {@code _bulk_docs} does. */
final class FakeMirrorStore implements MirrorStore {

    final InMemoryDocuments docs = new InMemoryDocuments();
    /** Every document a bulk write sent, accepted or not, in order. */
    final List<JsonObject> sent = new ArrayList<>();
    /** Runs once, just before the next bulk write (another writer getting in between). */
    Runnable beforeNextBulk;
    /** The error every write answers, when not null (other than a conflict). */
    String refuseWith;

    @Override
    public Optional<JsonObject> get(String id) {
        return docs.get(id);
    }

    @Override
    public Map<String, String> currentRevisions(Collection<String> ids) {
        return docs.currentRevisions(ids);
    }

    @Override
    public JsonArray bulkDocs(List<JsonObject> batch) {
        if (beforeNextBulk != null) {
            Runnable r = beforeNextBulk;
            beforeNextBulk = null;
            r.run();
        }
        JsonArrayBuilder results = Jsonp.createArrayBuilder();
        for (JsonObject doc : batch) {
            sent.add(doc);
            String id = doc.getString("_id");
            Optional<String> rev = refuseWith != null ? Optional.empty() : docs.write(doc);
            results.add(rev.isPresent() ? Jsonp.createObjectBuilder().add("id", id).add("rev", rev.get())
                    : Jsonp.createObjectBuilder().add("id", id).add("error", refuseWith != null ? refuseWith : "conflict")
                            .add("reason", "refused in memory"));
        }
        return results.build();
    }
}
