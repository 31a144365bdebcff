package org.dicomsidecar.bench;

import jakarta.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dicomsidecar.catalog.MirrorDocuments;
import org.dicomsidecar.dicom.Reference;
import org.dicomsidecar.dicom.ReferenceExtractor;
import org.dicomsidecar.dicom.Tags;

/**
 * The CouchDB documents the mirror writes for a series it has not seen before, built the way
 * {@code mirror/SeriesMirror} builds them from the host's metadata: bulk data left out, a hash and the references
 * of each instance, one instance document each, then the series document.
 */
final class MirrorBatch {

    private MirrorBatch() {
    }

    static List<JsonObject> documents(List<JsonObject> metadata, Instant mirroredAt) {
        Map<String, JsonObject> datasets = new LinkedHashMap<>();
        Map<String, String> hashes = new LinkedHashMap<>();
        Map<String, List<Reference>> references = new LinkedHashMap<>();
        for (JsonObject raw : metadata) {
            JsonObject dataset = MirrorDocuments.withoutBulkData(raw);
            String sop = MirrorDocuments.string(dataset, Tags.SOP_INSTANCE_UID).orElseThrow();
            datasets.put(sop, dataset);
            hashes.put(sop, MirrorDocuments.hash(dataset));
            references.put(sop, ReferenceExtractor.references(dataset));
        }
        List<JsonObject> docs = new ArrayList<>(datasets.size() + 1);
        datasets.forEach((sop, dataset) -> docs.add(
                MirrorDocuments.instanceDocument(dataset, hashes.get(sop), mirroredAt, references.get(sop))));
        docs.add(MirrorDocuments.seriesDocument(new ArrayList<>(datasets.values()), hashes, mirroredAt, references));
        return docs;
    }
}
