package org.dicomsidecar.mirror;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map.Entry;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.dicomsidecar.catalog.MirrorDocuments;
import org.dicomsidecar.catalog.SeriesCatalog;
import org.dicomsidecar.dicom.Reference;
import org.dicomsidecar.dicom.ReferenceExtractor;
import org.dicomsidecar.dicom.Tags;
import org.dicomsidecar.json.Jsonp;

/**
 * Brings one series (or every series of a study) of the mirror in line with the host: fetches the
 * series' metadata from the host's WADO-RS, writes the instances whose content changed, removes the ones
 * the host no longer has, and keeps the series document current. Idempotent: running it twice writes
 * nothing the second time.
 */
@ApplicationScoped
public class SeriesMirror {

    private static final int BATCH = 500;
    private static final int CONFLICT_RETRIES = 10;

    @Inject
    SeriesMetadataSource host;

    @Inject
    MirrorStore store;

    @Inject
    SeriesCatalog catalog;

    /** What one pass over a series did. */
    public record Outcome(int instances, int written, int removed) {
        Outcome plus(Outcome o) {
            return new Outcome(instances + o.instances, written + o.written, removed + o.removed);
        }
    }

    public Outcome mirrorSeries(String studyUid, String seriesUid) {
        Optional<List<JsonObject>> metadata = host.seriesMetadata(studyUid, seriesUid);
        if (metadata.isEmpty() || metadata.get().isEmpty()) {
            return removeSeries(seriesUid);
        }
        Instant now = Instant.now();
        Map<String, JsonObject> datasets = new LinkedHashMap<>();
        Map<String, String> hashes = new LinkedHashMap<>();
        Map<String, List<Reference>> references = new LinkedHashMap<>();
        for (JsonObject raw : metadata.get()) {
            JsonObject dataset = MirrorDocuments.withoutBulkData(raw);
            String sop = MirrorDocuments.string(dataset, Tags.SOP_INSTANCE_UID)
                    .orElseThrow(() -> new IllegalStateException("host metadata without SOPInstanceUID"));
            datasets.put(sop, dataset);
            hashes.put(sop, MirrorDocuments.hash(dataset));
            references.put(sop, ReferenceExtractor.references(dataset));
        }
        Optional<JsonObject> stored = store.get(MirrorDocuments.seriesId(seriesUid));
        Map<String, String> storedHashes = stored.map(SeriesMirror::instanceHashes).orElse(Map.of());

        List<JsonObject> changed = new ArrayList<>();
        for (Entry<String, JsonObject> e : datasets.entrySet()) {
            if (!hashes.get(e.getKey()).equals(storedHashes.get(e.getKey()))) {
                changed.add(MirrorDocuments.instanceDocument(e.getValue(), hashes.get(e.getKey()), now,
                        references.get(e.getKey())));
            }
        }
        List<String> gone = storedHashes.keySet().stream().filter(sop -> !datasets.containsKey(sop))
                .map(MirrorDocuments::instanceId).toList();
        writeAll(changed, stored.isEmpty());
        deleteAll(gone);

        JsonObject seriesDoc = MirrorDocuments.seriesDocument(new ArrayList<>(datasets.values()), hashes, now, references);
        if (stored.isEmpty() || !sameContent(stored.get(), seriesDoc)) {
            writeAll(List.of(seriesDoc));
        }
        return new Outcome(datasets.size(), changed.size(), gone.size());
    }

    /** Every series of a study, as the host lists them now; series the mirror has but the host no longer does go. */
    public Outcome mirrorStudy(String studyUid) {
        List<String> hostSeries = seriesOfStudyOnHost(studyUid);
        Outcome total = new Outcome(0, 0, 0);
        for (String series : hostSeries) {
            total = total.plus(mirrorSeries(studyUid, series));
        }
        for (String series : seriesOfStudyInMirror(studyUid)) {
            if (!hostSeries.contains(series)) {
                total = total.plus(removeSeries(series));
            }
        }
        return total;
    }

    /** Removes a series and its instances from the mirror (the host no longer has it). */
    public Outcome removeSeries(String seriesUid) {
        Optional<JsonObject> stored = store.get(MirrorDocuments.seriesId(seriesUid));
        if (stored.isEmpty()) {
            return new Outcome(0, 0, 0);
        }
        List<String> ids = new ArrayList<>(instanceHashes(stored.get()).keySet().stream()
                .map(MirrorDocuments::instanceId).toList());
        deleteAll(ids);
        deleteAll(List.of(MirrorDocuments.seriesId(seriesUid)));
        return new Outcome(0, 0, ids.size());
    }

    /** Removes every series of a study from the mirror. */
    public Outcome removeStudy(String studyUid) {
        Outcome total = new Outcome(0, 0, 0);
        for (String series : seriesOfStudyInMirror(studyUid)) {
            total = total.plus(removeSeries(series));
        }
        return total;
    }

    /** The series of a study the mirror holds (from the series catalog, brought up to date). */
    public List<String> seriesOfStudyInMirror(String studyUid) {
        catalog.current();
        return catalog.ofStudy(studyUid).stream().map(SeriesCatalog.Entry::series).toList();
    }

    /** The series of a study on the host (QIDO-RS), or empty when the host does not know the study. */
    public List<String> seriesOfStudyOnHost(String studyUid) {
        return host.seriesOfStudy(studyUid);
    }

    private void writeAll(List<JsonObject> docs) {
        writeAll(docs, false);
    }

    /**
     * Writes documents in batches with their current revisions. A conflict (another writer got in between)
     * is retried with the fresh revision: the host's content is what both writers write, so ours may win.
     *
     * @param probablyNew the documents are most likely not in CouchDB yet (their series was not): the first
     *                    attempt skips the revision lookup, and only those that conflict are looked up
     */
    private void writeAll(List<JsonObject> docs, boolean probablyNew) {
        for (int from = 0; from < docs.size(); from += BATCH) {
            List<JsonObject> batch = docs.subList(from, Math.min(docs.size(), from + BATCH));
            if (probablyNew) {
                batch = conflicts(batch, store.bulkDocs(batch));
            }
            for (int attempt = 0; !batch.isEmpty(); attempt++) {
                if (attempt == CONFLICT_RETRIES) {
                    throw new IllegalStateException("documents kept conflicting: " + batch.size());
                }
                Map<String, String> revs = store.currentRevisions(batch.stream().map(d -> d.getString("_id")).toList());
                List<JsonObject> withRevs = batch.stream().map(d -> withRev(d, revs.get(d.getString("_id")))).toList();
                batch = conflicts(withRevs, store.bulkDocs(withRevs));
            }
        }
    }

    private void deleteAll(List<String> ids) {
        for (int from = 0; from < ids.size(); from += BATCH) {
            List<String> batch = ids.subList(from, Math.min(ids.size(), from + BATCH));
            for (int attempt = 0; !batch.isEmpty() && attempt < CONFLICT_RETRIES; attempt++) {
                Map<String, String> revs = store.currentRevisions(batch);
                List<JsonObject> tombstones = revs.entrySet().stream().map(e -> Jsonp.createObjectBuilder()
                        .add("_id", e.getKey()).add("_rev", e.getValue()).add("_deleted", true).build()).toList();
                batch = conflicts(tombstones, store.bulkDocs(tombstones)).stream()
                        .map(d -> d.getString("_id")).toList();
            }
        }
    }

    /** The documents of a bulk write that conflicted; any other error fails the whole pass (it is retried). */
    private static List<JsonObject> conflicts(List<JsonObject> sent, JsonArray results) {
        Map<String, JsonObject> byId = sent.stream().collect(Collectors.toMap(d -> d.getString("_id"), d -> d,
                (a, b) -> a, HashMap::new));
        List<JsonObject> retry = new ArrayList<>();
        for (JsonValue v : results) {
            JsonObject r = v.asJsonObject();
            if (r.containsKey("error")) {
                if ("conflict".equals(r.getString("error"))) {
                    retry.add(byId.get(r.getString("id")));
                } else {
                    throw new IllegalStateException("CouchDB refused " + r.getString("id") + ": "
                            + r.getString("error") + " " + r.getString("reason", ""));
                }
            }
        }
        return retry;
    }

    private static JsonObject withRev(JsonObject doc, String rev) {
        if (rev == null) {
            return doc.containsKey("_rev") ? Jsonp.createObjectBuilder(doc).remove("_rev").build() : doc;
        }
        return Jsonp.createObjectBuilder(doc).add("_rev", rev).build();
    }

    private static boolean sameContent(JsonObject stored, JsonObject fresh) {
        Set<String> volatileFields = Set.of("_id", "_rev", "mirroredAt");
        Map<String, JsonValue> a = new HashMap<>(stored);
        Map<String, JsonValue> b = new HashMap<>(fresh);
        a.keySet().removeAll(volatileFields);
        b.keySet().removeAll(volatileFields);
        return a.equals(b);
    }

    private static Map<String, String> instanceHashes(JsonObject seriesDoc) {
        Map<String, String> out = new HashMap<>();
        JsonObject instances = seriesDoc.getJsonObject("instances");
        if (instances != null) {
            instances.forEach((sop, hash) -> out.put(sop, ((jakarta.json.JsonString) hash).getString()));
        }
        return out;
    }
}
