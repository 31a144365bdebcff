package org.dicomsidecar.catalog;

import static org.dicomsidecar.catalog.InMemoryCatalogStore.fixture;
import static org.dicomsidecar.catalog.InMemoryCatalogStore.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.TermQuery;
import org.dicomsidecar.dicom.Tags;
import org.dicomsidecar.index.IndexFields;
import org.dicomsidecar.query.QueryDeadline;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The catalog over a real on-disk index fed from an in-memory database: what it finds after each change of the
 * database (written, rewritten, deleted), and that it holds nothing between questions.
 */
class SeriesCatalogTest {

    static final String CT_STUDY = "1.2.826.0.1.3680043.8.498.10123.1";
    static final String CT_SERIES = "1.2.826.0.1.3680043.8.498.10123.3";
    static final String SEG_SERIES = "1.2.826.0.1.3680043.8.498.10123.9";
    static final String MR_SERIES = "1.2.826.0.1.3680043.8.498.20456.5";

    private final InMemoryCatalogStore store = new InMemoryCatalogStore();
    private final TestIndex index = new TestIndex(store);
    private final SeriesCatalog catalog = new SeriesCatalog(index, store);

    @AfterEach
    void closeTheIndex() throws IOException {
        index.close();
    }

    /** A CT series of three instances (InstanceNumber 1 to 3), a SEG in the same study, an MR in another. */
    private void mirrorThreeSeries() {
        store.mirror(ctInstances(fixture("ct-chest.json"), 3));
        store.mirror(List.of(fixture("seg-liver.json")));
        store.mirror(List.of(fixture("mr-brain.json")));
    }

    private static List<JsonObject> ctInstances(JsonObject dataset, int count) {
        List<JsonObject> out = new ArrayList<>();
        String series = InMemoryCatalogStore.string(dataset, Tags.SERIES_INSTANCE_UID);
        for (int i = 1; i <= count; i++) {
            out.add(with(with(dataset, Tags.SOP_INSTANCE_UID, "UI", series + "." + i), "00200013", "IS", i));
        }
        return out;
    }

    /**
     * A series' summary holds its shared attributes among QIDO-RS's study and series return attributes, and picking
     * attributes out of an entry gives the entry's own elements (sequences whole), whatever the entry holds besides.
     */
    @Test
    void summariesAndPickedAttributesAreTheEntrysOwnElements() {
        mirrorThreeSeries();
        catalog.current();
        Map<String, JsonObject> summaries = catalog.summaries(new MatchAllDocsQuery());
        assertEquals(Set.of(CT_SERIES, SEG_SERIES, MR_SERIES), summaries.keySet());
        for (String series : summaries.keySet()) {
            JsonObject dicom = catalog.series(series).dicom();
            JsonObject summary = summaries.get(series);
            assertTrue(SeriesCatalog.inSummaries(summary.keySet()), "only what summaries hold");
            Map<String, Object> expected = dicom.entrySet().stream()
                    .filter(e -> SeriesCatalog.inSummaries(Set.of(e.getKey())))
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            assertEquals(expected, Map.copyOf(summary), series);
            assertTrue(summary.containsKey(Tags.PATIENT_ID) && summary.containsKey(Tags.MODALITY), series);
            assertTrue(!summary.containsKey("00080016") && !summary.containsKey("00280030"), "no instance attribute");

            Set<String> tags = Set.of(Tags.MODALITY, "00081115", "00081032", "00620002", "00080016", "0020000E");
            Map<String, Object> picked = dicom.entrySet().stream().filter(e -> tags.contains(e.getKey()))
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            assertEquals(picked, Map.copyOf(catalog.datasets(new TermQuery(new Term(IndexFields.SERIES, series)), tags)
                    .get(series)), series);
        }
        assertTrue(catalog.series(SEG_SERIES).dicom().containsKey("00620002"), "the SEG's segments are picked whole");
    }

    @Test
    void findsEverySeriesWithItsSharedAndVaryingAttributesAndCountsThem() {
        mirrorThreeSeries();
        catalog.current();
        assertEquals(new SeriesCatalog.Counts(5, 3, 2), catalog.counts());
        SeriesCatalog.Entry ct = catalog.series(CT_SERIES);
        assertEquals(CT_STUDY, ct.study());
        assertEquals("CT", ct.modality());
        assertEquals(3, ct.instanceCount());
        assertTrue(ct.varying().contains("00200013"), "InstanceNumber differs between the instances");
        assertNull(ct.dicom().get("00200013"), "a varying attribute is not among the shared ones");
        assertEquals("SIDECAR-0042", ct.dicom().getJsonObject(Tags.PATIENT_ID).getJsonArray("Value").getString(0));
        assertEquals(Set.of(CT_SERIES, SEG_SERIES), uids(catalog.ofStudy(CT_STUDY)));
        assertEquals(Set.of(CT_STUDY, InMemoryCatalogStore.string(fixture("mr-brain.json"), Tags.STUDY_INSTANCE_UID)),
                catalog.studies());
        assertEquals(List.of(CT_SERIES + ".1", CT_SERIES + ".2", CT_SERIES + ".3"),
                catalog.instancesOf(List.of(CT_SERIES)).get(CT_SERIES));
        assertNull(catalog.series("1.2.3.4.5"), "an unknown series");
    }

    @Test
    void aRealSegsEntryCarriesItsReferencesAndIsFoundByWhatItReferences() {
        JsonObject liver = org.dicomsidecar.dicom.Fixtures.load("seg_liver_1frame.json");
        store.mirror(List.of(liver));
        catalog.current();
        String segSeries = InMemoryCatalogStore.string(liver, Tags.SERIES_INSTANCE_UID);
        SeriesCatalog.Entry seg = catalog.series(segSeries);
        assertNotNull(seg.references(), "series documents carry their instances' references");
        String target = seg.references().values().iterator().next().asJsonObject().getJsonArray("refs")
                .getJsonObject(0).getString("uid");
        List<SeriesCatalog.Entry> found = catalog.entries(new TermQuery(new Term(IndexFields.REFERENCE, "uid:" + target)),
                QueryDeadline.none());
        assertEquals(Set.of(segSeries), uids(found));
    }

    @Test
    void followsTheDatabaseAsItChanges() {
        mirrorThreeSeries();
        catalog.current();
        store.mirror(ctInstances(fixture("ct-chest.json"), 4)); // one more instance, the series rewritten
        catalog.current();
        assertEquals(4, catalog.series(CT_SERIES).instanceCount());
        assertEquals(6, catalog.counts().instances());
        store.delete(MirrorDocuments.seriesId(MR_SERIES));
        catalog.current();
        assertNull(catalog.series(MR_SERIES), "a deleted series document leaves the index");
        assertEquals(new SeriesCatalog.Counts(5, 2, 1), catalog.counts());
    }

    @Test
    void seriesRowsAndHitsComeFromDocValues() {
        mirrorThreeSeries();
        catalog.current();
        Map<String, String> modalities = catalog.seriesRows(new MatchAllDocsQuery()).stream()
                .collect(Collectors.toMap(SeriesCatalog.SeriesRow::series, SeriesCatalog.SeriesRow::modality));
        assertEquals(Map.of(CT_SERIES, "CT", SEG_SERIES, "SEG", MR_SERIES, "MR"), modalities);
        var modality = org.dicomsidecar.query.AttributePath.parse("Modality", "test");
        SeriesCatalog.SeriesHits hits = catalog.seriesHits(new MatchAllDocsQuery(), List.of(modality));
        assertEquals(3, hits.hits().size());
        for (SeriesCatalog.SeriesHit h : hits.hits()) {
            assertEquals(List.of(modalities.get(h.series())), hits.values().get("Modality").get(h.doc()));
        }
    }

    /**
     * A study's representative is its series of the smallest UID, wherever (in whichever segment) it was indexed; its
     * values are its own. Each series is indexed in a segment of its own, the smallest UID last.
     */
    @Test
    void studyRepresentativesAreTheSmallestSeriesAcrossSegments() {
        String study = "2.25.4242";
        String[][] series = {{"2.25.4242.30", "CT"}, {"2.25.4242.200", "MR"}, {"2.25.4242.1000", "SEG"}};
        for (String[] s : series) {
            JsonObject d = with(with(with(fixture("ct-chest.json"), Tags.STUDY_INSTANCE_UID, "UI", study),
                    Tags.SERIES_INSTANCE_UID, "UI", s[0]), "00080060", "CS", s[1]);
            store.mirror(List.of(with(d, Tags.SOP_INSTANCE_UID, "UI", s[0] + ".1")));
            catalog.current();
        }
        store.mirror(List.of(fixture("mr-brain.json")));
        catalog.current();
        var modality = org.dicomsidecar.query.AttributePath.parse("Modality", "test");
        SeriesCatalog.SeriesHits reps = catalog.studyRepresentatives(new MatchAllDocsQuery(), List.of(modality));
        Map<String, SeriesCatalog.SeriesHit> byStudy = reps.hits().stream()
                .collect(Collectors.toMap(SeriesCatalog.SeriesHit::study, h -> h));
        assertEquals(2, byStudy.size());
        assertEquals("2.25.4242.1000", byStudy.get(study).series(), "the smallest UID, compared as text");
        assertEquals("SEG", byStudy.get(study).modality());
        assertEquals(List.of("SEG"), reps.values().get("Modality").get(byStudy.get(study).doc()));
        // the same as choosing among every hit
        SeriesCatalog.SeriesHits all = catalog.seriesHits(new MatchAllDocsQuery(), List.of(modality));
        Map<String, String> smallest = new java.util.HashMap<>();
        all.hits().forEach(h -> smallest.merge(h.study(), h.series(), (a, b) -> a.compareTo(b) <= 0 ? a : b));
        assertEquals(smallest, byStudy.values().stream()
                .collect(Collectors.toMap(SeriesCatalog.SeriesHit::study, SeriesCatalog.SeriesHit::series)));
        assertEquals(Map.of(), catalog.studyRepresentatives(new TermQuery(new Term(IndexFields.STUDY, "none")),
                List.of()).values());
    }

    /**
     * Pages in series UID order over series spread across segments (indexed in a shuffled order, a refresh after
     * every few) are the UIDs sorted as text, from the first or strictly after any UID, present or not.
     */
    @Test
    void pagesInUidOrderAcrossSegmentsAreTheSortedUids() {
        List<String> uids = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            uids.add("2.25.99." + (i * 37 % 101) + (i % 3 == 0 ? ".7" : ""));
        }
        java.util.Collections.shuffle(uids, new java.util.Random(7));
        for (int i = 0; i < uids.size(); i++) {
            JsonObject d = with(with(fixture("ct-chest.json"), Tags.STUDY_INSTANCE_UID, "UI", "2.25.99"),
                    Tags.SERIES_INSTANCE_UID, "UI", uids.get(i));
            store.mirror(List.of(with(d, Tags.SOP_INSTANCE_UID, "UI", uids.get(i) + ".1")));
            if (i % 3 == 2) {
                catalog.current();
            }
        }
        catalog.current();
        List<String> sorted = uids.stream().sorted().toList();
        List<String> afters = new ArrayList<>(sorted);
        afters.add(null);
        afters.add("2.25.99.5");
        afters.add("0");
        afters.add("9");
        for (String after : afters) {
            for (int n : new int[] {1, 3, 5, 100}) {
                List<String> expected = sorted.stream().filter(u -> after == null || u.compareTo(after) > 0).limit(n)
                        .toList();
                List<SeriesCatalog.SeriesHit> page = catalog.seriesInUidOrder(new MatchAllDocsQuery(), after, n);
                assertEquals(expected, page.stream().map(SeriesCatalog.SeriesHit::series).toList(),
                        "after " + after + ", " + n);
                page.forEach(h -> assertEquals("2.25.99", h.study()));
                List<SeriesCatalog.PageRow> rows = catalog.seriesPage(new MatchAllDocsQuery(), after, n,
                        Set.of(Tags.SERIES_INSTANCE_UID));
                for (SeriesCatalog.PageRow r : rows) {
                    assertEquals(InMemoryCatalogStore.string(catalog.series(r.hit().series()).dicom(),
                            Tags.SERIES_INSTANCE_UID), r.hit().series());
                    assertTrue(r.summary().members().get(Tags.SERIES_INSTANCE_UID).contains(r.hit().series()),
                            "the row's own summary");
                    assertEquals(1, r.summary().instanceCount());
                }
            }
        }
    }

    private static Set<String> uids(List<SeriesCatalog.Entry> entries) {
        return entries.stream().map(SeriesCatalog.Entry::series).collect(Collectors.toSet());
    }
}
