package org.dicomsidecar.cohorts;

import static org.dicomsidecar.catalog.InMemoryCatalogStore.fixture;
import static org.dicomsidecar.catalog.InMemoryCatalogStore.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.dicomsidecar.catalog.InMemoryCatalogStore;
import org.dicomsidecar.catalog.MirrorDocuments;
import org.dicomsidecar.catalog.SeriesCatalog;
import org.dicomsidecar.catalog.TestIndex;
import org.dicomsidecar.dicom.Tags;
import org.dicomsidecar.json.Jsonp;
import org.dicomsidecar.query.CohortQueryParser;
import org.dicomsidecar.query.QueryBudget;
import org.dicomsidecar.query.QueryDeadline;
import org.dicomsidecar.query.QueryException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Cohort queries over a handful of series in an in-memory mirror (documents as mirroring writes them):
 * <ul>
 * <li>study 10123.1, patient SIDECAR-0042: a CT series of three instances (InstanceNumber 1 to 3), a SEG;
 * <li>study 20456.1, patient SIDECAR-0077: an MR series of two instances (InstanceNumber 1, 2);
 * <li>studies 3 and 4, patients P3 and P4: one CT series of one instance each.
 * </ul>
 */
class CohortServiceTest {

    static final String CT_STUDY = "1.2.826.0.1.3680043.8.498.10123.1";
    static final String CT_SERIES = "1.2.826.0.1.3680043.8.498.10123.3";
    static final String SEG_SERIES = "1.2.826.0.1.3680043.8.498.10123.9";
    static final String MR_STUDY = "1.2.826.0.1.3680043.8.498.20456.1";
    static final String MR_SERIES = "1.2.826.0.1.3680043.8.498.20456.5";

    private final InMemoryCatalogStore store = new InMemoryCatalogStore();
    private final List<List<String>> instanceReads = new ArrayList<>();
    private CohortService service;
    private TestIndex index;

    @BeforeEach
    void mirrorAHandfulOfSeries() {
        store.mirror(numbered(fixture("ct-chest.json"), CT_SERIES, 3));
        store.mirror(List.of(fixture("seg-liver.json")));
        store.mirror(numbered(fixture("mr-brain.json"), MR_SERIES, 2));
        for (int s = 3; s <= 4; s++) {
            JsonObject ct = with(with(fixture("ct-chest.json"), Tags.STUDY_INSTANCE_UID, "UI", "2.25." + s),
                    Tags.PATIENT_ID, "LO", "P" + s);
            store.mirror(numbered(with(ct, Tags.SERIES_INSTANCE_UID, "UI", "2.25." + s + ".1"), "2.25." + s + ".1", 1));
        }
        service = new CohortService();
        index = new TestIndex(store);
        service.catalog = new SeriesCatalog(index, store);
        service.instances = sops -> {
            instanceReads.add(sops);
            return store.documents(sops.stream().map(MirrorDocuments::instanceId).toList());
        };
        service.budget = new QueryBudget() {
            @Override
            public QueryDeadline start() {
                return QueryDeadline.after(60_000);
            }
        };
    }

    @AfterEach
    void closeTheIndex() throws java.io.IOException {
        index.close();
    }

    private static List<JsonObject> numbered(JsonObject dataset, String series, int count) {
        List<JsonObject> out = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            out.add(with(with(dataset, Tags.SOP_INSTANCE_UID, "UI", series + "." + i), "00200013", "IS", i));
        }
        return out;
    }

    private CohortService.Answer run(String query) {
        return service.run(CohortQueryParser.parse(
                Jsonp.createReader(new StringReader(query.replace('\'', '"'))).readObject()));
    }

    private static List<String> column(CohortService.Answer a, String key) {
        return a.results().stream().map(r -> r.getString(key)).toList();
    }

    @Test
    void aSeriesQueryAnswersTheMatchingSeriesInUidOrder() {
        CohortService.Answer a = run("{'level': 'series', 'where': {'attribute': 'Modality', 'equals': 'CT'}}");
        assertEquals(3, a.count());
        assertEquals(List.of(CT_SERIES, "2.25.3.1", "2.25.4.1"), column(a, "seriesInstanceUID"));
        JsonObject first = a.results().get(0);
        assertEquals(CT_STUDY, first.getString("studyInstanceUID"));
        assertEquals("CT", first.getString("modality"));
        assertEquals("/studies/" + CT_STUDY + "/series/" + CT_SERIES, first.getString("retrievePath"));
        assertNull(a.next());
        assertTrue(store.instanceReads.isEmpty());
    }

    @Test
    void aStudyQueryAnswersEachStudyOnceWithItsModalities() {
        CohortService.Answer a = run("{'level': 'study', 'where': {'attribute': 'PatientID', 'in': ['SIDECAR-0042', 'P4']}}");
        assertEquals(List.of(CT_STUDY, "2.25.4"), column(a, "studyInstanceUID"));
        assertEquals(List.of("CT\\SEG", "CT"), column(a, "modalitiesInStudy"));
        assertEquals("/studies/" + CT_STUDY, a.results().get(0).getString("retrievePath"));
    }

    @Test
    void anInstanceQueryOnAnAttributeThatVariesReadsTheInstancesOfThoseSeriesOnly() {
        CohortService.Answer a = run("{'level': 'instance', 'where': {'attribute': 'InstanceNumber', 'gte': 2},"
                + " 'include': ['InstanceNumber'], 'sort': [{'attribute': 'InstanceNumber', 'order': 'desc'}]}");
        assertEquals(List.of(CT_SERIES + ".3", CT_SERIES + ".2", MR_SERIES + ".2"), column(a, "sopInstanceUID"));
        assertEquals("3", a.results().get(0).getJsonObject("attributes").getJsonArray("InstanceNumber").get(0).toString());
        assertEquals(List.of(java.util.Set.of(CT_SERIES, MR_SERIES)), store.instanceReads,
                "only the series where InstanceNumber varies are opened");
    }

    @Test
    void anInstanceQueryDecidedOnTheSeriesListsItsInstancesWithoutReadingThem() {
        CohortService.Answer a = run("{'level': 'instance', 'where': {'attribute': 'Modality', 'equals': 'CT'}}");
        assertEquals(5, a.count());
        assertEquals(List.of(CT_SERIES + ".1", CT_SERIES + ".2", CT_SERIES + ".3", "2.25.3.1.1", "2.25.4.1.1"),
                column(a, "sopInstanceUID"));
        assertTrue(store.instanceReads.isEmpty());
    }

    @Test
    void pagesFollowTheCursorToTheEndWithoutRepeatOrGap() {
        String query = "{'level': 'instance', 'where': {'attribute': 'Modality', 'in': ['CT', 'MR', 'SEG']}, 'limit': 2%s}";
        List<String> all = column(run(String.format(query.replace("'limit': 2", "'limit': 100"), "")), "sopInstanceUID");
        assertEquals(8, all.size());
        List<String> paged = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            CohortService.Answer a = run(String.format(query, cursor == null ? "" : ", 'cursor': '" + cursor + "'"));
            assertEquals(8, a.count(), "every page counts every match");
            paged.addAll(column(a, "sopInstanceUID"));
            cursor = a.next();
            pages++;
        } while (cursor != null && pages < 10);
        assertEquals(4, pages);
        assertEquals(all, paged);
    }

    @Test
    void aCursorResumesAfterItsRowWhatEverWasMirroredMeanwhile() {
        String query = "{'level': 'series', 'where': {'attribute': 'Modality', 'equals': 'CT'}, 'limit': 1%s}";
        CohortService.Answer first = run(String.format(query, ""));
        assertEquals(List.of(CT_SERIES), column(first, "seriesInstanceUID"));
        store.mirror(List.of(with(with(fixture("ct-chest.json"), Tags.SERIES_INSTANCE_UID, "UI", "1.0.1"),
                Tags.SOP_INSTANCE_UID, "UI", "1.0.1.1"))); // sorts before the cursor: not sent again
        CohortService.Answer second = run(String.format(query, ", 'cursor': '" + first.next() + "'"));
        assertEquals(4, second.count());
        assertEquals(List.of("2.25.3.1"), column(second, "seriesInstanceUID"));
        assertThrows(QueryException.class, () -> run(String.format(query, ", 'cursor': 'not-a-cursor'")));
    }

    @Test
    void aFacetCountsTheValuesOfEveryMatchNotOnlyThePage() {
        CohortService.Answer a = run("{'level': 'series', 'where': {'attribute': 'StudyInstanceUID', 'exists': true},"
                + " 'limit': 1, 'facets': [{'attribute': 'Modality'}]}");
        assertEquals(5, a.count());
        assertEquals(1, a.results().size());
        JsonObject modality = a.facets().getJsonObject("Modality");
        assertEquals(3, modality.getInt("distinct"));
        assertEquals("[{\"value\":\"CT\",\"count\":3},{\"value\":\"MR\",\"count\":1},{\"value\":\"SEG\",\"count\":1}]",
                modality.getJsonArray("values").toString());
    }

    @Test
    void readsInstanceDatasetsBySopInstanceUid() {
        var datasets = service.instanceDatasets(List.of(CT_SERIES + ".2", MR_SERIES + ".1", "9.9.9"), QueryDeadline.none());
        assertEquals(2, datasets.size());
        assertEquals(List.of(List.of(CT_SERIES + ".2", MR_SERIES + ".1", "9.9.9")), instanceReads);
        assertEquals("MR", datasets.get(MR_SERIES + ".1").getJsonObject(Tags.MODALITY).getJsonArray("Value").getString(0));
    }
}
