package org.dicomsidecar.catalog;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.dicomsidecar.dicom.Reference;
import org.dicomsidecar.dicom.ReferenceExtractor;
import org.dicomsidecar.dicom.Tags;
import org.dicomsidecar.index.IndexFeed;
import org.dicomsidecar.json.Jsonp;

/**
 * The mirror's database in memory, with CouchDB's semantics as far as the index and the catalog see them:
 * documents by id, an update sequence raised by every write, changes listing each document once at its latest
 * sequence.
 * {@link #mirror} writes the documents mirroring writes, built by {@link MirrorDocuments}.
 */
public final class InMemoryCatalogStore implements CatalogStore, IndexFeed.Source {

    private final TreeMap<String, JsonObject> documents = new TreeMap<>();
    /** The latest change of each document, by id, in sequence order. */
    private final Map<String, Long> latestChange = new LinkedHashMap<>();
    private final Map<String, Boolean> deleted = new LinkedHashMap<>();
    private long sequence;
    /** The series whose instances were read, one set per read. */
    public final List<java.util.Set<String>> instanceReads = new ArrayList<>();

    /** Writes the instance documents of these datasets and the document of their (single) series. */
    public synchronized void mirror(List<JsonObject> datasets) {
        Map<String, String> hashes = new LinkedHashMap<>();
        Map<String, List<Reference>> references = new LinkedHashMap<>();
        for (JsonObject d : datasets) {
            JsonObject stripped = MirrorDocuments.withoutBulkData(d);
            String hash = MirrorDocuments.hash(stripped);
            List<Reference> refs = ReferenceExtractor.references(stripped);
            String sop = MirrorDocuments.string(stripped, Tags.SOP_INSTANCE_UID).orElseThrow();
            hashes.put(sop, hash);
            references.put(sop, refs);
            write(MirrorDocuments.instanceDocument(stripped, hash, Instant.EPOCH, refs));
        }
        write(MirrorDocuments.seriesDocument(datasets.stream().map(MirrorDocuments::withoutBulkData).toList(),
                hashes, Instant.EPOCH, references));
    }

    /** Deletes a document, as CouchDB does: it leaves the database and shows in the changes as deleted. */
    public synchronized void delete(String id) {
        documents.remove(id);
        record(id, true);
    }

    public synchronized void write(JsonObject doc) {
        documents.put(doc.getString("_id"), doc);
        record(doc.getString("_id"), false);
    }

    private void record(String id, boolean isDeleted) {
        latestChange.remove(id);
        latestChange.put(id, ++sequence);
        deleted.put(id, isDeleted);
    }

    @Override
    public synchronized Changes changesSince(String since, int limit) {
        long after = Long.parseLong(since);
        List<Change> out = new ArrayList<>();
        long last = after;
        for (Map.Entry<String, Long> c : latestChange.entrySet()) {
            if (c.getValue() > after && out.size() < limit) {
                out.add(new Change(c.getKey(), deleted.get(c.getKey())));
                last = c.getValue();
            }
        }
        return new Changes(out, Long.toString(out.isEmpty() ? sequence : last));
    }

    @Override
    public synchronized List<JsonObject> documents(Collection<String> ids) {
        return ids.stream().map(documents::get).filter(d -> d != null).toList();
    }

    @Override
    public synchronized List<JsonObject> instanceDocumentsOfSeries(Collection<String> seriesUids) {
        instanceReads.add(java.util.Set.copyOf(seriesUids));
        return documents.values().stream()
                .filter(d -> MirrorDocuments.INSTANCE.equals(d.getString("type")) && seriesUids.contains(d.getString("series")))
                .toList();
    }

    /** A dataset of {@code src/test/resources/cohorts/}. */
    public static JsonObject fixture(String name) {
        try (InputStream in = InMemoryCatalogStore.class.getResourceAsStream("/cohorts/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return Jsonp.createReader(in).readObject();
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text of a dataset's attribute. */
    public static String string(JsonObject dataset, String tag) {
        return MirrorDocuments.string(dataset, tag).orElse(null);
    }

    /** A copy of a dataset with one attribute set to a single value (its VR kept, or the one given). */
    public static JsonObject with(JsonObject dataset, String tag, String vr, Object value) {
        JsonValue element = dataset.get(tag);
        String keptVr = element instanceof JsonObject o && o.containsKey("vr") ? o.getString("vr") : vr;
        var values = Jsonp.createArrayBuilder();
        if (value instanceof Number n) {
            values.add(new java.math.BigDecimal(n.toString()));
        } else {
            values.add(value.toString());
        }
        return Jsonp.createObjectBuilder(dataset)
                .add(tag, Jsonp.createObjectBuilder().add("vr", keptVr).add("Value", values)).build();
    }
}
