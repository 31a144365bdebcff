package org.dicomsidecar.cluster;

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

/** Node documents in the sidecar's CouchDB database. */
@ApplicationScoped
public class CouchHeartbeatStore implements HeartbeatStore {

    @Inject
    CouchDatabase couch;

    @Override
    public Optional<String> revision(String node) {
        return couch.get(NodeHeartbeat.id(node)).map(doc -> doc.getString("_rev"));
    }

    @Override
    public Optional<String> write(NodeHeartbeat heartbeat, String rev) {
        return couch.putUnlessConflict(heartbeat.document(rev));
    }

    @Override
    public List<Stored<NodeHeartbeat>> all() {
        JsonObject rows = couch.query("/_all_docs?include_docs=true&startkey=" + key(NodeHeartbeat.ID_PREFIX)
                + "&endkey=" + key(NodeHeartbeat.ID_PREFIX + "\ufff0"));
        List<Stored<NodeHeartbeat>> heartbeats = new ArrayList<>();
        for (JsonValue row : rows.getJsonArray("rows")) {
            JsonValue doc = row.asJsonObject().get("doc");
            if (doc instanceof JsonObject d) {
                heartbeats.add(new Stored<>(NodeHeartbeat.of(d), d.getString("_rev")));
            }
        }
        return heartbeats;
    }

    private static String key(String id) {
        return URLEncoder.encode(Jsonp.createValue(id).toString(), StandardCharsets.UTF_8);
    }
}
