package org.dicomsidecar.mirror;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dicomsidecar.couchdb.CouchDatabase;

/** The mirror's documents in the sidecar's CouchDB database. */
@ApplicationScoped
public class CouchMirrorStore implements MirrorStore {

    @Inject
    CouchDatabase couch;

    @Override
    public Optional<JsonObject> get(String id) {
        return couch.get(id);
    }

    @Override
    public Map<String, String> currentRevisions(Collection<String> ids) {
        return couch.currentRevisions(ids);
    }

    @Override
    public JsonArray bulkDocs(List<JsonObject> docs) {
        return couch.bulkDocs(docs);
    }
}
