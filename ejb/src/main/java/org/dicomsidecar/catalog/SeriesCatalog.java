package org.dicomsidecar.catalog;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.dicomsidecar.dicom.Tags;

/**
 * Every mirrored series' shared attributes, in memory: cohort queries evaluate their conditions here in
 * microseconds and go to the instances only where an attribute varies within a series. Kept current from
 * CouchDB's changes feed before each query, so an answer includes everything mirrored before it was asked.
 * Memory: about the size of the series documents' shared attributes (a few KB per series).
 */
@ApplicationScoped
public class SeriesCatalog {

    private static final int PAGE = 1000;
    private static final int CHANGES_PAGE = 5000;

    @Inject
    CatalogStore store;

    public SeriesCatalog() {
    }

    /** A catalog over this store (outside CDI: tests). */
    public SeriesCatalog(CatalogStore store) {
        this.store = store;
    }

    /**
     * One series: its UIDs, its shared attributes, the attributes that vary, its instances, and the references
     * its instances make ({@code {sop: {sopClass, modality, seriesDescription, refs}}}; null in a series
     * document written before series documents carried them).
     */
    public record Entry(String study, String series, String modality, JsonObject dicom, Set<String> varying,
                        List<String> instances, JsonObject references) {
    }

    /** Told of every change of the catalog, under its lock: {@code before} or {@code after} may be null. */
    public interface Listener {
        void changed(Entry before, Entry after);
    }

    /** Attributes with an equality index: a query that fixes one of them evaluates only the series it names. */
    static final List<String> INDEXED = List.of(Tags.STUDY_INSTANCE_UID, Tags.SERIES_INSTANCE_UID, Tags.PATIENT_ID,
            Tags.ACCESSION_NUMBER);

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Set<String>>> index = new ConcurrentHashMap<>();

    {
        INDEXED.forEach(tag -> index.put(tag, new ConcurrentHashMap<>())); // an empty catalog has empty indexes
    }
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private String since;
    private final AtomicLong version = new AtomicLong();
    private final AtomicLong instanceCount = new AtomicLong();

    /** Raised by every change: what is derived from the catalog is current while this stays the same. */
    public long version() {
        return version.get();
    }

    /** Registers a listener and tells it of every series already held. */
    public synchronized void listen(Listener listener) {
        listeners.add(listener);
        entries.values().forEach(e -> listener.changed(null, e));
    }

    /** Instances listed by the series held (call {@link #current()} first). */
    public long instanceCount() {
        return instanceCount.get();
    }

    /** Studies with at least one series held (call {@link #current()} first). */
    public int studyCount() {
        Map<String, Set<String>> byStudy = index.get(Tags.STUDY_INSTANCE_UID);
        return byStudy == null ? 0 : byStudy.size();
    }

    /** The UIDs of the studies held (call {@link #current()} first). */
    public Set<String> studies() {
        Map<String, Set<String>> byStudy = index.get(Tags.STUDY_INSTANCE_UID);
        return byStudy == null ? Set.of() : Set.copyOf(byStudy.keySet());
    }

    /** The series with this UID, as last brought up to date (call {@link #current()} first). */
    public Entry series(String seriesUid) {
        return entries.get(seriesUid);
    }

    /** The series of a study, as last brought up to date (call {@link #current()} first). */
    public List<Entry> ofStudy(String studyUid) {
        return withValue(Tags.STUDY_INSTANCE_UID, studyUid);
    }

    /**
     * The series whose shared value of an indexed attribute is this value, plus those where the attribute
     * varies between instances (which the caller must still test); null if the attribute has no index.
     */
    public List<Entry> withValue(String tag, String value) {
        Map<String, Set<String>> byValue = index.get(tag);
        if (byValue == null) {
            return null;
        }
        List<Entry> out = new ArrayList<>();
        for (String key : new String[] {value, VARYING}) {
            for (String uid : byValue.getOrDefault(key, Set.of())) {
                Entry e = entries.get(uid);
                if (e != null) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    private static final String VARYING = "\u0000varying";

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
        String seq = store.updateSequence();
        entries.clear();
        String firstId = MirrorDocuments.SERIES + ":";
        while (true) {
            List<JsonObject> docs = store.seriesDocumentsFrom(firstId, PAGE + 1);
            docs.subList(0, Math.min(docs.size(), PAGE)).forEach(this::put);
            if (docs.size() <= PAGE) {
                break;
            }
            firstId = docs.get(PAGE).getString("_id");
        }
        since = seq;
    }

    private void applyChanges() {
        while (true) {
            CatalogStore.Changes changes = store.changesSince(since, CHANGES_PAGE);
            Set<String> changed = new HashSet<>();
            for (CatalogStore.Change c : changes.results()) {
                String id = c.id();
                if (id.startsWith(MirrorDocuments.SERIES + ":")) {
                    if (c.deleted()) {
                        remove(id.substring(MirrorDocuments.SERIES.length() + 1));
                        changed.remove(id);
                    } else {
                        changed.add(id);
                    }
                }
            }
            store.documents(changed).forEach(this::put);
            String next = changes.lastSequence();
            boolean more = changes.results().size() >= CHANGES_PAGE && !next.equals(since);
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
        JsonValue references = doc.get("references");
        Entry entry = new Entry(doc.getString("study"), doc.getString("series"), doc.getString("modality", ""),
                doc.getJsonObject("dicom"), Set.copyOf(varying), List.copyOf(instances),
                references instanceof JsonObject r ? r : null);
        Entry before = entries.put(entry.series(), entry);
        unindex(before);
        instanceCount.addAndGet(entry.instances().size() - (before == null ? 0 : before.instances().size()));
        for (String tag : INDEXED) {
            index.computeIfAbsent(tag, t -> new ConcurrentHashMap<>())
                    .computeIfAbsent(indexKey(entry, tag), k -> ConcurrentHashMap.newKeySet()).add(entry.series());
        }
        version.incrementAndGet();
        listeners.forEach(l -> l.changed(before, entry));
    }

    private void remove(String seriesUid) {
        Entry before = entries.remove(seriesUid);
        if (before != null) {
            unindex(before);
            instanceCount.addAndGet(-before.instances().size());
            version.incrementAndGet();
            listeners.forEach(l -> l.changed(before, null));
        }
    }

    private void unindex(Entry e) {
        if (e == null) {
            return;
        }
        for (String tag : INDEXED) {
            Map<String, Set<String>> byValue = index.get(tag);
            if (byValue != null) {
                byValue.computeIfPresent(indexKey(e, tag), (k, uids) -> {
                    uids.remove(e.series());
                    return uids.isEmpty() ? null : uids;
                });
            }
        }
    }

    private static String indexKey(Entry e, String tag) {
        if (tag.equals(Tags.STUDY_INSTANCE_UID)) {
            return e.study();
        }
        if (tag.equals(Tags.SERIES_INSTANCE_UID)) {
            return e.series();
        }
        if (e.varying().contains(tag)) {
            return VARYING;
        }
        JsonValue element = e.dicom().get(tag);
        JsonValue values = element instanceof JsonObject o ? o.get("Value") : null;
        if (values == null || values.getValueType() != JsonValue.ValueType.ARRAY || values.asJsonArray().isEmpty()) {
            return ""; // absent or empty: no value can equal it
        }
        JsonValue first = values.asJsonArray().get(0);
        // several values, or not a string: the index cannot say, so the series is always a candidate
        return values.asJsonArray().size() == 1 && first instanceof jakarta.json.JsonString s ? s.getString() : VARYING;
    }

    /** The instance datasets of these series, from the mirror, by series UID (one request for all of them). */
    public Map<String, List<JsonObject>> instanceDatasets(Collection<Entry> series) {
        Map<String, List<JsonObject>> out = new java.util.HashMap<>();
        if (series.isEmpty()) {
            return out;
        }
        for (JsonObject doc : store.instanceDocumentsOfSeries(series.stream().map(Entry::series).toList())) {
            out.computeIfAbsent(doc.getString("series"), k -> new ArrayList<>()).add(doc.getJsonObject("dicom"));
        }
        return out;
    }

}
