package org.dicomsidecar.catalog;

import static org.dicomsidecar.catalog.InMemoryCatalogStore.fixture;
import static org.dicomsidecar.catalog.InMemoryCatalogStore.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dicomsidecar.dicom.Tags;
import org.junit.jupiter.api.Test;

/** The catalog over an in-memory store: what it loads, how it follows the changes, what it answers. */
class SeriesCatalogTest {

    static final String CT_STUDY = "1.2.826.0.1.3680043.8.498.10123.1";
    static final String CT_SERIES = "1.2.826.0.1.3680043.8.498.10123.3";
    static final String SEG_SERIES = "1.2.826.0.1.3680043.8.498.10123.9";
    static final String MR_SERIES = "1.2.826.0.1.3680043.8.498.20456.5";

    private final InMemoryCatalogStore store = new InMemoryCatalogStore();
    private final SeriesCatalog catalog = new SeriesCatalog(store);

    /** A CT series of three instances (InstanceNumber 1 to 3), a SEG in the same study, an MR in another. */
    static void mirrorThreeSeries(InMemoryCatalogStore store) {
        store.mirror(ctInstances(fixture("ct-chest.json"), 3));
        store.mirror(List.of(fixture("seg-liver.json")));
        store.mirror(List.of(fixture("mr-brain.json")));
    }

    /** {@code count} instances of a dataset's series, numbered from 1, each with its own SOP Instance UID. */
    static List<JsonObject> ctInstances(JsonObject dataset, int count) {
        List<JsonObject> out = new ArrayList<>();
        String series = InMemoryCatalogStore.string(dataset, Tags.SERIES_INSTANCE_UID);
        for (int i = 1; i <= count; i++) {
            out.add(with(with(dataset, Tags.SOP_INSTANCE_UID, "UI", series + "." + i), "00200013", "IS", i));
        }
        return out;
    }

    @Test
    void loadsEverySeriesDocumentWithItsSharedAndVaryingAttributes() {
        mirrorThreeSeries(store);
        assertEquals(3, catalog.current().size());
        assertEquals(2, catalog.studyCount());
        assertEquals(5, catalog.instanceCount());
        SeriesCatalog.Entry ct = catalog.series(CT_SERIES);
        assertEquals(CT_STUDY, ct.study());
        assertEquals("CT", ct.modality());
        assertEquals(3, ct.instances().size());
        assertTrue(ct.varying().contains("00200013"), "InstanceNumber differs between the instances");
        assertTrue(ct.varying().contains(Tags.SOP_INSTANCE_UID));
        assertNull(ct.dicom().get("00200013"), "a varying attribute is not among the shared ones");
        assertEquals("SIDECAR-0042", ct.dicom().getJsonObject(Tags.PATIENT_ID).getJsonArray("Value").getString(0));
        assertEquals(Set.of(CT_SERIES, SEG_SERIES), uids(catalog.ofStudy(CT_STUDY)));
        assertEquals(Set.of(CT_SERIES, SEG_SERIES), uids(catalog.withValue(Tags.PATIENT_ID, "SIDECAR-0042")));
        assertEquals(Set.of(), uids(catalog.withValue(Tags.PATIENT_ID, "SIDECAR-9999")));
        assertNull(catalog.withValue(Tags.MODALITY, "CT"), "Modality has no index");
    }

    @Test
    void followsTheChangesWithoutReadingEverythingAgain() {
        mirrorThreeSeries(store);
        catalog.current();
        List<String> told = new ArrayList<>();
        catalog.listen((before, after) -> told.add((before == null ? "-" : before.series()) + ">"
                + (after == null ? "-" : after.series())));
        told.clear(); // the series already held
        long version = catalog.version();

        store.mirror(ctInstances(fixture("ct-chest.json"), 4)); // a fourth instance in the CT series
        store.delete(MirrorDocuments.seriesId(MR_SERIES));
        JsonObject other = with(with(fixture("ct-chest.json"), Tags.SERIES_INSTANCE_UID, "UI", "1.2.3.4"),
                Tags.SOP_INSTANCE_UID, "UI", "1.2.3.4.1");
        store.mirror(List.of(other));

        assertEquals(Set.of(CT_SERIES, SEG_SERIES, "1.2.3.4"), uids(catalog.current()));
        assertEquals(1, store.fullReads, "changes are applied, the series are not read again");
        assertEquals(4, catalog.series(CT_SERIES).instances().size());
        assertNull(catalog.series(MR_SERIES));
        assertEquals(1, catalog.studyCount(), "the MR study has no series left");
        assertEquals(Set.of(CT_STUDY), catalog.studies());
        assertEquals(4 + 1 + 1, catalog.instanceCount());
        assertEquals(Set.of(CT_SERIES, SEG_SERIES, "1.2.3.4"),
                uids(catalog.withValue(Tags.STUDY_INSTANCE_UID, CT_STUDY)));
        assertEquals(Set.of(CT_SERIES + ">" + CT_SERIES, MR_SERIES + ">-", "->1.2.3.4"), Set.copyOf(told));
        assertEquals(3, told.size(), "each change told once");
        assertTrue(catalog.version() > version);

        long unchanged = catalog.version();
        catalog.current();
        assertEquals(unchanged, catalog.version(), "no change, no new version");
    }

    @Test
    void aSeriesDeletedAndWrittenAgainInOnePageEndsPresent() {
        mirrorThreeSeries(store);
        catalog.current();
        store.delete(MirrorDocuments.seriesId(SEG_SERIES));
        store.mirror(List.of(fixture("seg-liver.json")));
        assertEquals(Set.of(CT_SERIES, SEG_SERIES, MR_SERIES), uids(catalog.current()));
    }

    @Test
    void readsMoreSeriesThanOnePageHolds() {
        JsonObject mr = fixture("mr-brain.json");
        for (int i = 0; i < 1005; i++) {
            store.mirror(List.of(with(with(mr, Tags.SERIES_INSTANCE_UID, "UI", "1.2.9." + i),
                    Tags.SOP_INSTANCE_UID, "UI", "1.2.9." + i + ".1")));
        }
        assertEquals(1005, catalog.current().size());
        assertEquals(2, store.fullReads, "two pages of series documents");
        assertEquals(1005, catalog.withValue(Tags.PATIENT_ID, "SIDECAR-0077").size());
    }

    @Test
    void readsTheInstancesOfTheSeriesAsked() {
        mirrorThreeSeries(store);
        catalog.current();
        Map<String, List<JsonObject>> datasets = catalog.instanceDatasets(List.of(catalog.series(CT_SERIES),
                catalog.series(MR_SERIES)));
        assertEquals(Set.of(CT_SERIES, MR_SERIES), datasets.keySet());
        assertEquals(3, datasets.get(CT_SERIES).size());
        assertTrue(datasets.get(CT_SERIES).stream().allMatch(d -> d.containsKey("00200013")));
        assertTrue(catalog.instanceDatasets(List.of()).isEmpty());
    }

    private static Set<String> uids(java.util.Collection<SeriesCatalog.Entry> entries) {
        Set<String> out = new java.util.HashSet<>();
        entries.forEach(e -> out.add(e.series()));
        return out;
    }
}
