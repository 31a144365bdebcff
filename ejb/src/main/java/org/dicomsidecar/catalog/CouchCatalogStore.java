package org.dicomsidecar.catalog;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.dicomsidecar.couchdb.CouchDatabase;
import org.dicomsidecar.json.Jsonp;

/** The catalog's store in CouchDB: the {@code instances_by_series} view. */
@ApplicationScoped
public class CouchCatalogStore implements CatalogStore {

    @Inject
    CouchDatabase couch;

    @Override
    public List<JsonObject> instanceDocumentsOfSeries(Collection<String> seriesUids) {
        JsonArrayBuilder keys = Jsonp.createArrayBuilder();
        seriesUids.forEach(keys::add);
        JsonObject answer = couch.post("/_design/mirror/_view/instances_by_series?reduce=false&include_docs=true",
                Jsonp.createObjectBuilder().add("keys", keys).build().toString());
        List<JsonObject> out = new ArrayList<>();
        for (JsonValue row : answer.getJsonArray("rows")) {
            JsonValue doc = row.asJsonObject().get("doc");
            if (doc != null && doc.getValueType() == JsonValue.ValueType.OBJECT) {
                out.add(doc.asJsonObject());
            }
        }
        return out;
    }
}
