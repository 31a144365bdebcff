package org.dicomsidecar.catalog;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.dicomsidecar.couchdb.CouchDatabase;
import org.dicomsidecar.json.Jsonp;

/** The catalog's store in CouchDB: {@code _all_docs}, {@code _changes} and the {@code instances_by_series} view. */
@ApplicationScoped
public class CouchCatalogStore implements CatalogStore {

    @Inject
    CouchDatabase couch;

    @Override
    public String updateSequence() {
        return couch.updateSequence();
    }

    @Override
    public List<JsonObject> seriesDocumentsFrom(String firstId, int limit) {
        JsonObject page = couch.query("/_all_docs?include_docs=true&limit=" + limit
                + "&startkey=" + enc(Jsonp.createValue(firstId).toString())
                + "&endkey=" + enc("\"" + MirrorDocuments.SERIES + ":\ufff0\""));
        return docs(page);
    }

    @Override
    public Changes changesSince(String since, int limit) {
        JsonObject changes = couch.query("/_changes?limit=" + limit + "&since=" + enc(since));
        List<Change> results = new ArrayList<>();
        for (JsonValue v : changes.getJsonArray("results")) {
            JsonObject c = v.asJsonObject();
            results.add(new Change(c.getString("id"), c.getBoolean("deleted", false)));
        }
        return new Changes(results, CouchDatabase.sequence(changes.get("last_seq")));
    }

    @Override
    public List<JsonObject> documents(Collection<String> ids) {
        return couch.getAll(ids);
    }

    @Override
    public List<JsonObject> instanceDocumentsOfSeries(Collection<String> seriesUids) {
        JsonArrayBuilder keys = Jsonp.createArrayBuilder();
        seriesUids.forEach(keys::add);
        return docs(couch.post("/_design/mirror/_view/instances_by_series?reduce=false&include_docs=true",
                Jsonp.createObjectBuilder().add("keys", keys).build().toString()));
    }

    /** The documents of an answer's rows (rows without one left out). */
    private static List<JsonObject> docs(JsonObject answer) {
        List<JsonObject> out = new ArrayList<>();
        for (JsonValue row : answer.getJsonArray("rows")) {
            JsonValue doc = row.asJsonObject().get("doc");
            if (doc != null && doc.getValueType() == JsonValue.ValueType.OBJECT) {
                out.add(doc.asJsonObject());
            }
        }
        return out;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
