package org.dicomsidecar.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.dicomsidecar.dicom.Reference;
import org.dicomsidecar.dicom.ReferenceExtractor;
import org.dicomsidecar.index.DocumentMapper;
import org.junit.jupiter.api.Test;

/** The scale benchmark's generator: deterministic, its references resolve, and its documents are the mirror's. */
class ScaleDatasetTest {

    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    private static List<JsonObject> documents(String seed, int studies) {
        List<JsonObject> out = new ArrayList<>();
        for (int i = 0; i < studies; i++) {
            for (List<JsonObject> series : StudyDatasets.of(StudyPlan.of(seed, i))) {
                out.addAll(MirrorBatch.documents(series, AT));
            }
        }
        return out;
    }

    private static List<String> ids(List<JsonObject> docs) {
        return docs.stream().map(d -> d.getString("_id")).toList();
    }

    @Test
    void aSeedGivesTheSameDocumentsAndAnotherSeedOthers() {
        List<JsonObject> once = documents("test", 2);
        assertEquals(once, documents("test", 2));
        Set<String> other = new HashSet<>(ids(documents("other", 2)));
        assertEquals(List.of(), ids(once).stream().filter(other::contains).limit(3).toList());
        assertEquals(new HashSet<>(ids(once)).size(), once.size(), "ids are unique");
    }

    @Test
    void theFingerprintIsTheSeedsAndChangesWithIt() {
        assertEquals(ScaleDataset.fingerprint("test"), ScaleDataset.fingerprint("test"));
        assertEquals(64, ScaleDataset.fingerprint("test").length());
        assertFalse(ScaleDataset.fingerprint("test").equals(ScaleDataset.fingerprint("other")));
    }

    @Test
    void growingADatasetWritesEachStudyOnce() {
        ScaleDataset.Range small = ScaleDataset.range("test", 0, 20_000);
        ScaleDataset.Range more = ScaleDataset.range("test", 20_000, 60_000);
        ScaleDataset.Range all = ScaleDataset.range("test", 0, 60_000);
        List<Integer> grown = new ArrayList<>(small.added().stream().map(StudyPlan::index).toList());
        grown.addAll(more.added().stream().map(StudyPlan::index).toList());
        assertEquals(all.added().stream().map(StudyPlan::index).toList(), grown);
        assertTrue(all.instances() >= 60_000 && all.instances() < 63_000, "about the size asked: " + all.instances());
    }

    @Test
    void everyReferenceResolvesToAGeneratedObject() {
        List<JsonObject> docs = documents("test", 3);
        Set<String> instances = new HashSet<>();
        Set<String> series = new HashSet<>();
        Set<String> studies = new HashSet<>();
        for (JsonObject d : docs) {
            if (d.getString("type").equals("instance")) {
                instances.add(d.getString("sop"));
                series.add(d.getString("series"));
                studies.add(d.getString("study"));
            }
        }
        Set<String> referencingModalities = new TreeSet<>();
        Set<String> paths = new TreeSet<>();
        for (JsonObject d : docs) {
            if (!d.getString("type").equals("instance")) {
                continue;
            }
            for (Reference r : ReferenceExtractor.fromJson(d.getJsonArray("references"))) {
                Set<String> targets = switch (r.level()) {
                    case Reference.INSTANCE -> instances;
                    case Reference.SERIES -> series;
                    default -> studies;
                };
                assertTrue(targets.contains(r.targetUid()), r + " from " + d.getString("modality"));
                referencingModalities.add(d.getString("modality"));
                paths.add(r.path());
            }
        }
        assertEquals(Set.of("RTSTRUCT", "SEG", "SR"), referencingModalities);
        assertTrue(paths.containsAll(Set.of("ReferencedSeriesSequence>ReferencedInstanceSequence",
                "CurrentRequestedProcedureEvidenceSequence>ReferencedSeriesSequence>ReferencedSOPSequence",
                "ContentSequence>ReferencedSOPSequence")), paths.toString());
        assertTrue(paths.stream().anyMatch(p -> p.startsWith("ReferencedFrameOfReferenceSequence>")), paths.toString());
    }

    @Test
    void everyDocumentIsIndexedAndImagesHaveARealCtsAttributes() {
        for (JsonObject d : documents("test", 2)) {
            assertTrue(DocumentMapper.map(d).isPresent(), d.getString("_id"));
            if (d.getString("type").equals("instance") && Set.of("CT", "MR").contains(d.getString("modality"))) {
                int attributes = d.getJsonObject("dicom").size();
                assertTrue(attributes >= 100 && attributes <= 150, attributes + " attributes");
                assertFalse(d.getJsonObject("dicom").getJsonObject("7FE00010").containsKey("InlineBinary"));
            }
        }
    }
}
