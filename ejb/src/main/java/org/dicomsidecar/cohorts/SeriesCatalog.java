package org.dicomsidecar.cohorts;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.dicomsidecar.couchdb.CouchDatabase;
import org.dicomsidecar.mirror.MirrorDocuments;

/**
 * Every mirrored series' shared attributes, in memory: cohort queries evaluate their conditions here in
 * microseconds and go to the instances only where an attribute varies within a series. Kept current from
 * CouchDB's changes feed before each query, so an answer includes everything mirrored before it was asked.
 * Memory: about the size of the series documents' shared attributes (a few KB per series).
 */
@ApplicationScoped
public class SeriesCatalog {

    private static final int PAGE = 1000;

    @Inject
    CouchDatabase couch;

    /** One series: its UIDs, its shared attributes, the attributes that vary, its instances. */
    public record Entry(String study, String series, String modality, JsonObject dicom, Set<String> varying,
                        List<String> instances) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private String since;

    /** Brings the catalog up to date with CouchDB and answers every series. */
    public synchronized Collection<Entry> current() {
        if (since == null) {
            loadAll();
        } else {
            applyChanges();
        }
        return entries.values();
    }

    public int size() {
        return entries.size();
    }

    private void loadAll() {
        String seq = couch.updateSequence();
        entries.clear();
        String startKey = "\"series:\"";
        while (true) {
            JsonObject page = couch.query("/_all_docs?include_docs=true&limit=" + (PAGE + 1)
                    + "&startkey=" + enc(startKey) + "&endkey=" + enc("\"series:\ufff0\""));
            List<JsonValue> rows = page.getJsonArray("rows");
            for (int i = 0; i < Math.min(rows.size(), PAGE); i++) {
                put(rows.get(i).asJsonObject().getJsonObject("doc"));
            }
            if (rows.size() <= PAGE) {
                break;
            }
            startKey = Json.createValue(rows.get(PAGE).asJsonObject().getString("id")).toString();
        }
        since = seq;
    }

    private void applyChanges() {
        while (true) {
            JsonObject changes = couch.query("/_changes?limit=5000&since=" + enc(since));
            Set<String> changed = new HashSet<>();
            for (JsonValue v : changes.getJsonArray("results")) {
                JsonObject c = v.asJsonObject();
                String id = c.getString("id");
                if (id.startsWith(MirrorDocuments.SERIES + ":")) {
                    if (c.getBoolean("deleted", false)) {
                        entries.remove(id.substring(MirrorDocuments.SERIES.length() + 1));
                        changed.remove(id);
                    } else {
                        changed.add(id);
                    }
                }
            }
            couch.getAll(changed).forEach(this::put);
            String next = CouchDatabase.sequence(changes.get("last_seq"));
            boolean more = changes.getJsonArray("results").size() >= 5000 && !next.equals(since);
            since = next;
            if (!more) {
                return;
            }
        }
    }

    private void put(JsonObject doc) {
        if (doc == null || !MirrorDocuments.SERIES.equals(doc.getString("type", ""))) {
            return;
        }
        Set<String> varying = new HashSet<>();
        if (doc.containsKey("varying")) {
            doc.getJsonArray("varying").forEach(v -> varying.add(((jakarta.json.JsonString) v).getString()));
        }
        List<String> instances = new ArrayList<>(doc.getJsonObject("instances").keySet());
        entries.put(doc.getString("series"), new Entry(doc.getString("study"), doc.getString("series"),
                doc.getString("modality", ""), doc.getJsonObject("dicom"), Set.copyOf(varying), List.copyOf(instances)));
    }

    /** The instance datasets of these series, from the mirror, by series UID (one request for all of them). */
    public Map<String, List<JsonObject>> instanceDatasets(Collection<Entry> series) {
        Map<String, List<JsonObject>> out = new java.util.HashMap<>();
        if (series.isEmpty()) {
            return out;
        }
        JsonArrayBuilder keys = Json.createArrayBuilder();
        series.forEach(e -> keys.add(e.series()));
        JsonObject answer = couch.post("/_design/mirror/_view/instances_by_series?reduce=false&include_docs=true",
                Json.createObjectBuilder().add("keys", keys).build().toString());
        for (JsonValue row : answer.getJsonArray("rows")) {
            JsonValue doc = row.asJsonObject().get("doc");
            if (doc != null && doc.getValueType() == JsonValue.ValueType.OBJECT) {
                out.computeIfAbsent(doc.asJsonObject().getString("series"), k -> new ArrayList<>())
                        .add(doc.asJsonObject().getJsonObject("dicom"));
            }
        }
        return out;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

}
