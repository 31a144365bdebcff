package org.dicomsidecar.workflow;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.dicomsidecar.couchdb.CouchDatabase;
import org.dicomsidecar.json.Jsonp;

/** Step documents in the sidecar's CouchDB database. */
@ApplicationScoped
public class CouchStepStore implements StepStore {

    @Inject
    CouchDatabase couch;

    @Override
    public Optional<JsonObject> get(String id) {
        return couch.get(id);
    }

    @Override
    public Optional<String> put(JsonObject doc) {
        return couch.putUnlessConflict(doc);
    }

    @Override
    public List<JsonObject> range(String fromId, String toId) {
        JsonObject rows = couch.query("/_all_docs?include_docs=true&startkey=" + key(fromId) + "&endkey=" + key(toId));
        List<JsonObject> docs = new ArrayList<>();
        for (JsonValue row : rows.getJsonArray("rows")) {
            docs.add(row.asJsonObject().getJsonObject("doc"));
        }
        return docs;
    }

    private static String key(String id) {
        return URLEncoder.encode(Jsonp.createValue(id).toString(), StandardCharsets.UTF_8);
    }
}
