package org.dicomsidecar.references;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.dicomsidecar.catalog.SeriesCatalog;
import org.dicomsidecar.dicom.Reference;
import org.dicomsidecar.dicom.ReferenceExtractor;

/**
 * Every reference of the mirror in memory, by target, kept in step with the series catalog (series documents
 * carry their instances' references): a search by reference answers without a CouchDB round trip, where
 * the {@code references} view needed one lookup per instance of the target. The keys are the view's:
 * {@code uid:<target>}, {@code series:<series of an instance target>}, {@code study:<study of a target>}.
 * Memory: one small record per reference, its strings shared with the catalog where they can be.
 */
@ApplicationScoped
public class ReferenceIndex {

    /** One reference, with what an answer says about its source. */
    public record Row(String study, String series, String sop, String sopClass, String modality,
                      String seriesDescription, String path, String level, String target) {
    }

    @Inject
    SeriesCatalog catalog;

    private final Map<String, Set<Row>> byKey = new ConcurrentHashMap<>();
    /** Series whose document predates references in series documents: while any is held, use the view. */
    private final AtomicInteger withoutReferences = new AtomicInteger();

    @PostConstruct
    void start() {
        catalog.listen(this::changed);
    }

    /** Whether every series held carries its references (otherwise the caller must ask the view). */
    public boolean complete() {
        return withoutReferences.get() == 0;
    }

    private static final Comparator<Row> ORDER = Comparator.comparing(Row::sop).thenComparing(Row::path)
            .thenComparing(Row::target);

    /** The references found under these keys (as {@link #key}), in key order, then by source (as the view). */
    public List<Row> rows(List<String> keys) {
        List<Row> out = new ArrayList<>();
        for (String k : keys) {
            Set<Row> rows = byKey.get(k);
            if (rows != null) {
                rows.stream().sorted(ORDER).forEach(out::add);
            }
        }
        return out;
    }

    public static String key(String kind, String uid) {
        return kind + ":" + uid;
    }

    private void changed(SeriesCatalog.Entry before, SeriesCatalog.Entry after) {
        if (before != null) {
            if (before.references() == null) {
                withoutReferences.decrementAndGet();
            } else {
                entries(before).forEach(p -> byKey.computeIfPresent(p.getKey(), (key, set) -> {
                    set.remove(p.getValue());
                    return set.isEmpty() ? null : set;
                }));
            }
        }
        if (after != null) {
            if (after.references() == null) {
                withoutReferences.incrementAndGet();
            } else {
                entries(after).forEach(p -> byKey.computeIfAbsent(p.getKey(), key -> ConcurrentHashMap.newKeySet())
                        .add(p.getValue()));
            }
        }
    }

    /** The index entries of a series: key and row pairs (a list of pairs, as one row has several keys). */
    public static List<Map.Entry<String, Row>> entries(SeriesCatalog.Entry e) {
        List<Map.Entry<String, Row>> out = new ArrayList<>();
        for (Map.Entry<String, JsonValue> source : e.references().entrySet()) {
            JsonObject s = source.getValue().asJsonObject();
            for (Reference r : ReferenceExtractor.fromJson(s.getJsonArray("refs"))) {
                Row row = new Row(e.study(), e.series(), source.getKey(), s.getString("sopClass", null),
                        s.getString("modality", null), s.getString("seriesDescription", null), r.path(), r.level(),
                        r.targetUid());
                out.add(Map.entry(key("uid", r.targetUid()), row));
                if (r.level().equals("instance") && r.targetSeries() != null) {
                    out.add(Map.entry(key("series", r.targetSeries()), row));
                }
                if (!r.level().equals("study") && r.targetStudy() != null) {
                    out.add(Map.entry(key("study", r.targetStudy()), row));
                }
            }
        }
        return out;
    }
}
