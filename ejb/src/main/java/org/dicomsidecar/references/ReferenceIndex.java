package org.dicomsidecar.references;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;
import org.dicomsidecar.index.IndexFields;
import org.dicomsidecar.index.SeriesEntryJson;
import org.dicomsidecar.query.QueryDeadline;
import org.dicomsidecar.catalog.SeriesCatalog;
import org.dicomsidecar.dicom.Reference;
import org.dicomsidecar.dicom.ReferenceExtractor;

/**
 * Every reference of the mirror, read from the index: series documents carry their instances' references
 * (stored in their entries) and are found by the keys of what those reference. The keys are the
 * {@code references} view's: {@code uid:<target>}, {@code series:<series of an instance target>},
 * {@code study:<study of a target>}.
 */
@ApplicationScoped
public class ReferenceIndex {

    /** One reference, with what an answer says about its source. */
    public record Row(String study, String series, String sop, String sopClass, String modality,
                      String seriesDescription, String path, String level, String target) {
    }

    @Inject
    SeriesCatalog catalog;

    /** Whether every series held carries its references (otherwise the caller must ask the view). */
    public boolean complete() {
        return catalog.countSeries(new TermQuery(new Term(IndexFields.REFERENCE, SeriesEntryJson.WITHOUT_REFERENCES)))
                == 0;
    }

    private static final Comparator<Row> ORDER = Comparator.comparing(Row::sop).thenComparing(Row::path)
            .thenComparing(Row::target);

    /** The references found under these keys (as {@link #key}), in key order, then by source (as the view). */
    public List<Row> rows(List<String> keys, QueryDeadline deadline) {
        Map<String, Set<Row>> byKey = new HashMap<>();
        Set<String> wanted = new LinkedHashSet<>(keys);
        List<SeriesCatalog.Entry> sources = catalog.entries(new TermInSetQuery(IndexFields.REFERENCE,
                wanted.stream().map(k -> new BytesRef(IndexFields.capped(k))).toList()), deadline);
        for (SeriesCatalog.Entry e : sources) {
            for (Map.Entry<String, Row> p : entries(e)) {
                if (wanted.contains(p.getKey())) {
                    byKey.computeIfAbsent(p.getKey(), k -> new HashSet<>()).add(p.getValue());
                }
            }
        }
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
        return SeriesEntryJson.key(kind, uid);
    }

    /** The index entries of a series: key and row pairs (a list of pairs, as one row has several keys). */
    public static List<Map.Entry<String, Row>> entries(SeriesCatalog.Entry e) {
        List<Map.Entry<String, Row>> out = new ArrayList<>();
        if (e.references() == null) {
            return out;
        }
        for (Map.Entry<String, JsonValue> source : e.references().entrySet()) {
            JsonObject s = source.getValue().asJsonObject();
            for (Reference r : ReferenceExtractor.fromJson(s.getJsonArray("refs"))) {
                Row row = new Row(e.study(), e.series(), source.getKey(), s.getString("sopClass", null),
                        s.getString("modality", null), s.getString("seriesDescription", null), r.path(), r.level(),
                        r.targetUid());
                SeriesEntryJson.keys(r).forEach(k -> out.add(Map.entry(k, row)));
            }
        }
        return out;
    }
}
