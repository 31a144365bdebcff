package org.dicomsidecar.references;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dicomsidecar.catalog.MirrorDocuments;
import org.dicomsidecar.catalog.SeriesCatalog;
import org.dicomsidecar.dicom.Fixtures;
import org.dicomsidecar.dicom.Reference;
import org.dicomsidecar.dicom.ReferenceExtractor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The in-memory index answers what the {@code references} view answers: for every fixture, the index entries
 * built from its series document equal the rows the view's map function emits for its instance document.
 */
class ReferenceIndexTest {

    static List<String> fixtures() {
        return Fixtures.ALL;
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void indexEntriesEqualTheViewsRows(String name) {
        JsonObject dataset = MirrorDocuments.withoutBulkData(Fixtures.load(name));
        Set<String> fromIndex = new HashSet<>();
        ReferenceIndex.entries(entry(List.of(dataset))).forEach(e -> fromIndex.add(e.getKey() + " " + e.getValue()));
        assertEquals(viewRows(MirrorDocuments.instanceDocument(dataset, "h", Instant.EPOCH,
                ReferenceExtractor.references(dataset))), fromIndex, name);
    }

    @Test
    void onlyInstancesThatReferenceSomethingAreListed() {
        JsonObject seg = MirrorDocuments.withoutBulkData(Fixtures.load("seg_liver_1frame.json"));
        JsonObject ct = MirrorDocuments.withoutBulkData(Fixtures.load("ct_image.json"));
        JsonObject references = seriesDocument(List.of(seg)).getJsonObject("references");
        assertEquals(1, references.size());
        assertFalse(ReferenceIndex.entries(entry(List.of(seg))).isEmpty());
        boolean ctReferences = !ReferenceExtractor.references(ct).isEmpty();
        assertEquals(ctReferences ? 1 : 0, seriesDocument(List.of(ct)).getJsonObject("references").size());
    }

    private static SeriesCatalog.Entry entry(List<JsonObject> datasets) {
        JsonObject doc = seriesDocument(datasets);
        return new SeriesCatalog.Entry(doc.getString("study"), doc.getString("series"), doc.getString("modality", ""),
                doc.getJsonObject("dicom"), Set.of(), doc.getJsonObject("instances").size(),
                doc.getJsonObject("references"));
    }

    /** The series document as mirroring writes it: hashes and references by SOPInstanceUID. */
    private static JsonObject seriesDocument(List<JsonObject> datasets) {
        Map<String, String> hashes = new LinkedHashMap<>();
        Map<String, List<Reference>> references = new LinkedHashMap<>();
        for (JsonObject d : datasets) {
            String sop = MirrorDocuments.string(d, "00080018").orElseThrow();
            hashes.put(sop, "h");
            references.put(sop, ReferenceExtractor.references(d));
        }
        return MirrorDocuments.seriesDocument(datasets, hashes, Instant.EPOCH, references);
    }

    /** The view's map function (couchdb/design/references.json), in Java, as "key row" strings. */
    private static Set<String> viewRows(JsonObject doc) {
        Set<String> out = new HashSet<>();
        for (JsonValue v : doc.getJsonArray("references")) {
            JsonObject r = v.asJsonObject();
            ReferenceIndex.Row row = new ReferenceIndex.Row(doc.getString("study"), doc.getString("series"),
                    doc.getString("sop"), doc.getString("sopClass", null), doc.getString("modality", null),
                    doc.getString("seriesDescription", null), r.getString("path"), r.getString("level"), r.getString("uid"));
            List<String> keys = new ArrayList<>();
            keys.add(ReferenceIndex.key("uid", r.getString("uid")));
            if (r.getString("level").equals("instance") && r.containsKey("series")) {
                keys.add(ReferenceIndex.key("series", r.getString("series")));
            }
            if (!r.getString("level").equals("study") && r.containsKey("study")) {
                keys.add(ReferenceIndex.key("study", r.getString("study")));
            }
            keys.forEach(k -> out.add(k + " " + row));
        }
        return out;
    }
}
