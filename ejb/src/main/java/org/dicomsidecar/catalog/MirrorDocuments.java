package org.dicomsidecar.catalog;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dicomsidecar.dicom.DicomJson;
import org.dicomsidecar.dicom.Reference;
import org.dicomsidecar.dicom.ReferenceExtractor;
import org.dicomsidecar.dicom.Tags;
import org.dicomsidecar.json.Jsonp;

/**
 * The mirror's CouchDB documents, built from the host's DICOM JSON by pure functions.
 * <ul>
 * <li>{@code instance:<SOPInstanceUID>}: type "instance", the study/series/SOP UIDs, SOP class, modality, the
 * content hash, and {@code dicom}: the instance's metadata with bulk data left out.</li>
 * <li>{@code series:<SeriesInstanceUID>}: type "series", the study UID, the instances with their hashes (to
 * skip unchanged ones), and {@code dicom}: the attributes every instance of the series shares (patient,
 * study and series attributes, and per-series constants such as PixelSpacing), which series-level queries
 * read without touching the instances.</li>
 * </ul>
 */
public final class MirrorDocuments {

    public static final String INSTANCE = "instance";
    public static final String SERIES = "series";

    /** Above this many base64 characters an InlineBinary value counts as bulk data and is left out. */
    static final int MAX_INLINE_BINARY = 256;

    private MirrorDocuments() {
    }

    public static String instanceId(String sopUid) {
        return INSTANCE + ":" + sopUid;
    }

    public static String seriesId(String seriesUid) {
        return SERIES + ":" + seriesUid;
    }

    /** The dataset without bulk data: large InlineBinary values are dropped (the element and its VR stay). */
    public static JsonObject withoutBulkData(JsonObject dataset) {
        JsonObjectBuilder out = Jsonp.createObjectBuilder();
        for (Map.Entry<String, JsonValue> e : dataset.entrySet()) {
            out.add(e.getKey(), element(e.getValue()));
        }
        return out.build();
    }

    private static JsonValue element(JsonValue value) {
        if (value.getValueType() != JsonValue.ValueType.OBJECT) {
            return value;
        }
        JsonObject element = value.asJsonObject();
        if (element.containsKey("InlineBinary")
                && element.getString("InlineBinary", "").length() > MAX_INLINE_BINARY) {
            JsonObjectBuilder b = Jsonp.createObjectBuilder(element);
            b.remove("InlineBinary");
            return b.build();
        }
        if ("SQ".equals(element.getString("vr", "")) && element.containsKey("Value")) {
            var items = Jsonp.createArrayBuilder();
            for (JsonValue item : element.getJsonArray("Value")) {
                items.add(item.getValueType() == JsonValue.ValueType.OBJECT
                        ? withoutBulkData(item.asJsonObject()) : item);
            }
            return Jsonp.createObjectBuilder(element).add("Value", items).build();
        }
        return element;
    }

    /** Raise with every change of the documents' form, so that the next pass rewrites them. */
    static final String FORM = "2";

    /** A stable fingerprint of a dataset: the same metadata written again must not make a new revision. */
    public static String hash(JsonObject dataset) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((FORM + dataset).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first value of a top-level attribute, as text. */
    public static Optional<String> string(JsonObject dataset, String tag) {
        return DicomJson.string(dataset, tag).filter(v -> !v.isEmpty());
    }

    /**
     * The instance document for a dataset already stripped of bulk data, with its references (from
     * {@link ReferenceExtractor#references}, extracted once for this document and its series document).
     */
    public static JsonObject instanceDocument(JsonObject dataset, String hash, Instant mirroredAt,
                                              List<Reference> references) {
        String sop = required(dataset, Tags.SOP_INSTANCE_UID, "SOPInstanceUID");
        JsonObjectBuilder doc = Jsonp.createObjectBuilder()
                .add("_id", instanceId(sop))
                .add("type", INSTANCE)
                .add("study", required(dataset, Tags.STUDY_INSTANCE_UID, "StudyInstanceUID"))
                .add("series", required(dataset, Tags.SERIES_INSTANCE_UID, "SeriesInstanceUID"))
                .add("sop", sop)
                .add("hash", hash)
                .add("mirroredAt", mirroredAt.toString());
        string(dataset, Tags.SOP_CLASS_UID).ifPresent(v -> doc.add("sopClass", v));
        string(dataset, Tags.MODALITY).ifPresent(v -> doc.add("modality", v));
        string(dataset, Tags.SERIES_DESCRIPTION).ifPresent(v -> doc.add("seriesDescription", v));
        // every reference to another object, over every path DICOM has (see ReferenceExtractor)
        doc.add("references", ReferenceExtractor.toJson(references));
        return doc.add("dicom", dataset).build();
    }

    /**
     * The series document: its instances' hashes and the attributes all of them share.
     *
     * @param datasets   every instance of the series, stripped of bulk data
     * @param hashes     the hash of each, by SOPInstanceUID
     * @param references the references each makes, by SOPInstanceUID (as extracted for its document)
     */
    public static JsonObject seriesDocument(List<JsonObject> datasets, Map<String, String> hashes, Instant mirroredAt,
                                            Map<String, List<Reference>> references) {
        if (datasets.isEmpty()) {
            throw new IllegalArgumentException("a series without instances");
        }
        JsonObject first = datasets.get(0);
        Map<String, JsonValue> common = new LinkedHashMap<>(first);
        for (JsonObject d : datasets.subList(1, datasets.size())) {
            common.entrySet().removeIf(e -> !e.getValue().equals(d.get(e.getKey())));
        }
        common.remove(Tags.SOP_INSTANCE_UID);
        // attributes some instances have but not all alike: queries on them must look at the instances
        java.util.TreeSet<String> varying = new java.util.TreeSet<>();
        datasets.forEach(d -> varying.addAll(d.keySet()));
        varying.removeAll(common.keySet());
        JsonObjectBuilder instances = Jsonp.createObjectBuilder();
        hashes.forEach(instances::add);
        JsonObjectBuilder dicom = Jsonp.createObjectBuilder();
        common.forEach(dicom::add);
        String seriesUid = required(first, Tags.SERIES_INSTANCE_UID, "SeriesInstanceUID");
        JsonObjectBuilder doc = Jsonp.createObjectBuilder()
                .add("_id", seriesId(seriesUid))
                .add("type", SERIES)
                .add("study", required(first, Tags.STUDY_INSTANCE_UID, "StudyInstanceUID"))
                .add("series", seriesUid)
                .add("instanceCount", hashes.size())
                .add("instances", instances)
                .add("varying", Jsonp.createArrayBuilder(List.copyOf(varying)))
                .add("mirroredAt", mirroredAt.toString());
        string(first, Tags.MODALITY).ifPresent(v -> doc.add("modality", v));
        return doc.add("references", referencesBySource(datasets, references)).add("dicom", dicom).build();
    }

    /**
     * The references the series' instances make, by source SOP Instance UID (only instances that make some),
     * with what a search by reference answers about the source: kept in the series document so that the
     * sidecar can hold every reference in memory, read with the series.
     */
    private static JsonObject referencesBySource(List<JsonObject> datasets, Map<String, List<Reference>> references) {
        JsonObjectBuilder out = Jsonp.createObjectBuilder();
        for (JsonObject d : datasets) {
            String sop = required(d, Tags.SOP_INSTANCE_UID, "SOPInstanceUID");
            List<Reference> refs = references.getOrDefault(sop, List.of());
            if (refs.isEmpty()) {
                continue;
            }
            JsonObjectBuilder source = Jsonp.createObjectBuilder();
            string(d, Tags.SOP_CLASS_UID).ifPresent(v -> source.add("sopClass", v));
            string(d, Tags.MODALITY).ifPresent(v -> source.add("modality", v));
            string(d, Tags.SERIES_DESCRIPTION).ifPresent(v -> source.add("seriesDescription", v));
            out.add(sop, source.add("refs", ReferenceExtractor.toJson(refs)));
        }
        return out.build();
    }

    private static String required(JsonObject dataset, String tag, String keyword) {
        return string(dataset, tag).orElseThrow(() -> new IllegalArgumentException("metadata without " + keyword));
    }
}
