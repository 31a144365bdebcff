package org.dicomsidecar.index;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dicomsidecar.dicom.DicomDictionary;
import org.dicomsidecar.dicom.QidoReturnKeys;
import org.dicomsidecar.dicom.Reference;
import org.dicomsidecar.dicom.ReferenceExtractor;
import org.dicomsidecar.json.Jsonp;

/**
 * The stored entry of a series document ({@link IndexFields#ENTRY}): what answers read of a series without a
 * CouchDB round trip. Its UIDs, modality, instance count, the attributes its instances share, the tags that vary
 * between them, and the references its instances make by source SOP Instance UID (absent for a series document
 * of a form older than references in series documents). The instance list stays in CouchDB and in the
 * instances' own index documents: it is the one part of a series document that grows with the series.
 */
public record SeriesEntryJson(JsonObject json) {

    /** The reference key of series documents written before they carried their references. */
    public static final String WITHOUT_REFERENCES = "\u0000none";

    /** The entry of a CouchDB series document (see MirrorDocuments.seriesDocument). */
    public static SeriesEntryJson of(JsonObject couchSeriesDocument) {
        JsonObjectBuilder b = Jsonp.createObjectBuilder()
                .add("study", DocumentMapper.text(couchSeriesDocument.get("study")))
                .add("series", DocumentMapper.text(couchSeriesDocument.get("series")))
                .add("modality", DocumentMapper.text(couchSeriesDocument.get("modality")))
                .add("count", instanceCount(couchSeriesDocument));
        JsonArray varying = couchSeriesDocument.get("varying") instanceof JsonArray a ? a : JsonValue.EMPTY_JSON_ARRAY;
        b.add("varying", varying);
        b.add("dicom", couchSeriesDocument.get("dicom") instanceof JsonObject d ? d : JsonValue.EMPTY_JSON_OBJECT);
        if (couchSeriesDocument.get("references") instanceof JsonObject r) {
            b.add("references", r);
        }
        return new SeriesEntryJson(b.build());
    }

    private static int instanceCount(JsonObject doc) {
        if (doc.get("instances") instanceof JsonObject instances) {
            return instances.size();
        }
        return doc.getInt("instanceCount", 0);
    }

    /**
     * The shared attributes a series' summary holds (see {@link IndexFields#SUMMARY}): QIDO-RS's study and series
     * return attributes, and every attribute the dictionary puts at patient, study or series level.
     */
    public JsonObject summary() {
        JsonObjectBuilder b = Jsonp.createObjectBuilder();
        if (json.get("dicom") instanceof JsonObject dicom) {
            dicom.forEach((tag, element) -> {
                if (inSummary(tag)) {
                    b.add(tag, element);
                }
            });
        }
        return b.build();
    }

    /** Whether a series' summary holds this top-level tag, where the series has it. */
    public static boolean inSummary(String tag) {
        if (QidoReturnKeys.STUDY_AND_SERIES.contains(tag)) {
            return true;
        }
        String level = DicomDictionary.standard().byTag(tag).map(DicomDictionary.Entry::level).orElse("");
        return level.equals("Patient") || level.equals("Study") || level.equals("Series");
    }

    public int instanceCount() {
        return json.getInt("count", 0);
    }

    public List<String> varying() {
        List<String> out = new ArrayList<>();
        json.getJsonArray("varying").forEach(v -> {
            String t = DocumentMapper.text(v);
            if (!t.isEmpty()) {
                out.add(t);
            }
        });
        return out;
    }

    /** The references by source SOP Instance UID, or null for a series document without them. */
    public JsonObject references() {
        return json.get("references") instanceof JsonObject r ? r : null;
    }

    /** Every key a search by reference may find this series under (see {@link #keys(Reference)}). */
    public Set<String> referenceKeys() {
        JsonObject references = references();
        if (references == null) {
            return Set.of(WITHOUT_REFERENCES);
        }
        Set<String> keys = new LinkedHashSet<>();
        for (Map.Entry<String, JsonValue> source : references.entrySet()) {
            if (source.getValue() instanceof JsonObject s && s.get("refs") instanceof JsonArray refs) {
                for (Reference r : ReferenceExtractor.fromJson(refs)) {
                    keys.addAll(keys(r));
                }
            }
        }
        return keys;
    }

    /**
     * The keys a reference is found by: {@code uid:<target>}; for an instance target whose series the dataset
     * names, {@code series:<that series>}; for a target below study level whose study it names,
     * {@code study:<that study>}.
     */
    public static List<String> keys(Reference r) {
        List<String> out = new ArrayList<>(3);
        out.add(key("uid", r.targetUid()));
        if (r.level().equals(Reference.INSTANCE) && r.targetSeries() != null) {
            out.add(key("series", r.targetSeries()));
        }
        if (!r.level().equals(Reference.STUDY) && r.targetStudy() != null) {
            out.add(key("study", r.targetStudy()));
        }
        return out;
    }

    public static String key(String kind, String uid) {
        return kind + ":" + uid;
    }
}
