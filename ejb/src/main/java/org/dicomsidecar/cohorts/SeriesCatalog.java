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
        String seq = lastSeq();
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
            if (!changed.isEmpty()) {
                JsonArrayBuilder keys = Json.createArrayBuilder();
                changed.forEach(keys::add);
                JsonObject docs = couch.post("/_all_docs?include_docs=true",
                        Json.createObjectBuilder().add("keys", keys).build().toString());
                for (JsonValue row : docs.getJsonArray("rows")) {
                    JsonObject r = row.asJsonObject();
                    if (r.containsKey("doc") && r.get("doc").getValueType() == JsonValue.ValueType.OBJECT) {
                        put(r.getJsonObject("doc"));
                    }
                }
            }
            String next = seqText(changes.get("last_seq"));
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

    private String lastSeq() {
        return seqText(couch.query("").get("update_seq"));
    }

    /** pouchdb's sequences are numbers, CouchDB's opaque strings: keep either as the text to send back. */
    private static String seqText(JsonValue seq) {
        return seq.getValueType() == JsonValue.ValueType.STRING ? ((jakarta.json.JsonString) seq).getString()
                : seq.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

}
