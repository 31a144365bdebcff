package org.dicomsidecar.cohorts;

import static org.dicomsidecar.catalog.InMemoryCatalogStore.fixture;
import static org.dicomsidecar.catalog.InMemoryCatalogStore.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.dicomsidecar.catalog.InMemoryCatalogStore;
import org.dicomsidecar.catalog.SeriesCatalog;
import org.dicomsidecar.catalog.TestIndex;
import org.dicomsidecar.dicom.Tags;
import org.dicomsidecar.json.Jsonp;
import org.dicomsidecar.query.CohortQuery;
import org.dicomsidecar.query.CohortQueryParser;
import org.dicomsidecar.query.ConditionEvaluator;
import org.dicomsidecar.query.QueryBudget;
import org.dicomsidecar.query.QueryDeadline;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Study and series queries that the index decides alone (counted, paged and faceted from doc values, entries read
 * for a page's rows only) answer exactly what the evaluator answers over every series: the same count, the same
 * rows page after page along the cursors, the same facets. Queries the index cannot decide alone answer the same
 * through the evaluator. Twelve series in six studies, of CT, MR and SEG datasets with differing body parts, slice
 * thicknesses (as JSON numbers and as strings), pixel spacings and manufacturers; some series' instances differ.
 */
class DecidedByTheIndexTest {

    private final InMemoryCatalogStore store = new InMemoryCatalogStore();
    /** Stored series entries the service read: a decided query reads those of its page's rows only. */
    private final AtomicInteger entriesRead = new AtomicInteger();
    private CohortService service;
    private TestIndex index;

    @BeforeEach
    void mirrorSixStudies() {
        String[][] series = {
            // study, modality fixture, body part, slice thickness, manufacturer, row spacing, instances
            {"1", "ct-chest.json", "CHEST", "1.25", "SIEMENS", "0.5", "3"},
            {"1", "ct-chest.json", "CHEST", "5", "SIEMENS", "0.7", "1"},
            {"1", "seg-liver.json", "", "", "", "", "1"},
            {"2", "mr-brain.json", "HEAD", "\"1.0\"", "GE MEDICAL SYSTEMS", "0.50", "2"},
            {"2", "mr-brain.json", "HEAD", "\"3\"", "GE MEDICAL SYSTEMS", "0.9", "1"},
            {"3", "ct-chest.json", "ABDOMEN", "2.5", "Philips", "0.5", "2"},
            {"4", "ct-chest.json", "chest", "1.25", "siemens", "0.7", "1"},
            {"4", "mr-brain.json", "KNEE", "\"1e2\"", "", "0.5", "1"},
            {"5", "mr-brain.json", "HEAD", "\"abc\"", "Siemens Healthineers", "0.5", "1"},
            {"5", "ct-chest.json", "", "0.625", "SIEMENS", "0.5", "4"},
            {"6", "seg-liver.json", "", "", "", "", "2"},
            {"6", "ct-chest.json", "CHEST", "1.25", "TOSHIBA", "0.35", "1"},
            {"7", "ct-chest.json", "CHEST", "1.25", "TOSHIBA", "null", "1"},
        };
        for (int s = 0; s < series.length; s++) {
            String[] spec = series[s];
            String study = "2.25.77" + spec[0];
            String seriesUid = study + "." + (s < 10 ? "0" : "") + s;
            JsonObject d = with(with(fixture(spec[1]), Tags.STUDY_INSTANCE_UID, "UI", study),
                    Tags.SERIES_INSTANCE_UID, "UI", seriesUid);
            d = with(d, Tags.PATIENT_ID, "LO", "P" + spec[0]);
            d = spec[2].isEmpty() ? d : with(d, "00180015", "CS", spec[2]);
            d = spec[3].isEmpty() ? d : spec[3].startsWith("\"") ? with(d, "00180050", "DS", spec[3].replace("\"", ""))
                    : with(d, "00180050", "DS", new java.math.BigDecimal(spec[3]));
            d = spec[4].isEmpty() ? d : with(d, "00080070", "LO", spec[4]);
            if (!spec[5].isEmpty()) {
                d = Jsonp.createObjectBuilder(d).add("00280030", Jsonp.createObjectBuilder().add("vr", "DS")
                        .add("Value", (spec[5].equals("null") ? Jsonp.createArrayBuilder().addNull()
                                : Jsonp.createArrayBuilder().add(new java.math.BigDecimal(spec[5])))
                                .add(new java.math.BigDecimal("0.5")))).build();
            }
            List<JsonObject> instances = new ArrayList<>();
            for (int i = 1; i <= Integer.parseInt(spec[6]); i++) {
                instances.add(with(with(d, Tags.SOP_INSTANCE_UID, "UI", seriesUid + "." + i), "00200013", "IS", i));
            }
            store.mirror(instances);
        }
        index = new TestIndex(store);
        service = new CohortService();
        service.catalog = new SeriesCatalog(index, store) {
            @Override
            public List<Entry> entries(Query seriesQuery, QueryDeadline deadline) {
                List<Entry> found = super.entries(seriesQuery, deadline);
                entriesRead.addAndGet(found.size());
                return found;
            }

            @Override
            public Map<String, JsonObject> summaries(Query seriesQuery) {
                Map<String, JsonObject> found = super.summaries(seriesQuery);
                entriesRead.addAndGet(found.size());
                return found;
            }

            @Override
            public Map<String, Summary> storedSummaries(Query seriesQuery, java.util.Set<String> tags) {
                Map<String, Summary> found = super.storedSummaries(seriesQuery, tags);
                entriesRead.addAndGet(found.size());
                return found;
            }

            @Override
            public Map<String, JsonObject> datasets(Query seriesQuery, java.util.Set<String> tags) {
                Map<String, JsonObject> found = super.datasets(seriesQuery, tags);
                entriesRead.addAndGet(found.size());
                return found;
            }
        };
        service.instances = sops -> store.documents(sops.stream()
                .map(org.dicomsidecar.catalog.MirrorDocuments::instanceId).toList());
        service.budget = new QueryBudget() {
            @Override
            public QueryDeadline start() {
                return QueryDeadline.after(60_000);
            }
        };
    }

    @AfterEach
    void closeTheIndex() throws IOException {
        index.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{'level': 'series', 'where': {'attribute': 'Modality', 'equals': 'CT'}, 'limit': 2,"
                + " 'facets': [{'attribute': 'SliceThickness', 'bins': 3}, {'attribute': 'BodyPartExamined'}],"
                + " 'include': ['SliceThickness', 'PatientName', 'PixelSpacing']}",
        "{'level': 'study', 'where': {'attribute': 'Modality', 'in': ['CT', 'MR']}, 'limit': 2,"
                + " 'facets': [{'attribute': 'Modality'}, {'attribute': 'Manufacturer', 'limit': 2}]}",
        "{'level': 'series', 'where': {'attribute': 'SliceThickness', 'range': [1, 3]}, 'limit': 3,"
                + " 'facets': [{'attribute': 'Manufacturer'}, {'attribute': 'PixelSpacing', 'bins': 4}]}",
        "{'level': 'series', 'where': {'not': {'attribute': 'Modality', 'equals': 'SEG'}}, 'limit': 4,"
                + " 'facets': [{'attribute': 'PixelSpacing'}, {'attribute': 'SliceThickness'}]}",
        "{'level': 'study', 'where': {'or': [{'attribute': 'BodyPartExamined', 'equals': 'HEAD'},"
                + " {'attribute': 'SliceThickness', 'gt': 2}]}, 'limit': 1,"
                + " 'facets': [{'attribute': 'SliceThickness', 'bins': 2}], 'include': ['BodyPartExamined']}",
        "{'level': 'series', 'limit': 5, 'facets': [{'attribute': 'Modality'}, {'attribute': 'Rows'},"
                + " {'attribute': 'BodyPartExamined', 'limit': 1}]}",
        "{'level': 'study', 'limit': 2, 'facets': [{'attribute': 'PatientID'}]}",
        "{'level': 'series', 'where': {'attribute': 'BodyPartExamined', 'equals': 'chest', 'caseInsensitive': true},"
                + " 'limit': 2, 'facets': [{'attribute': 'Manufacturer'}]}",
        "{'level': 'study', 'where': {'attribute': 'BodyPartExamined', 'exists': false}, 'limit': 2,"
                + " 'facets': [{'attribute': 'Modality'}]}",
        "{'level': 'series', 'where': {'and': [{'attribute': 'Manufacturer', 'matches': 'S*'},"
                + " {'attribute': 'PixelSpacing', 'lte': 0.5}]}, 'limit': 2, 'facets': [{'attribute': 'PixelSpacing',"
                + " 'bins': 3}]}",
        "{'level': 'series', 'where': {'attribute': 'StudyInstanceUID', 'equals': 'no such study'},"
                + " 'facets': [{'attribute': 'SliceThickness', 'bins': 5}, {'attribute': 'Modality'}]}",
        "{'level': 'series', 'where': {'and': [{'attribute': 'Modality', 'equals': 'CT'}, {'attribute': 'PixelSpacing',"
                + " 'values': 'every', 'near': 0.5, 'tolerance': 0.01}]}, 'limit': 2, 'include': ['PixelSpacing']}",
        "{'level': 'study', 'where': {'attribute': 'PixelSpacing', 'values': 'every', 'gte': 0.5}, 'limit': 1}",
        "{'level': 'series', 'where': {'attribute': 'SliceThickness', 'values': 'every', 'equals': 1}, 'limit': 2}",
        // the last series' spacing [empty, 0.5]: some value passes, none fails, but the empty one is no number
        "{'level': 'series', 'where': {'attribute': 'PixelSpacing', 'values': 'every', 'lte': 0.5}, 'limit': 2}",
    })
    void aDecidedQueryAnswersWhatTheEvaluatorAnswersOverEverySeries(String query) {
        int rows = answersAsTheEvaluator(query);
        assertTrue(store.instanceReads.isEmpty(), "no instance read: " + store.instanceReads);
        // a row without attributes is made of doc values: entries are read only for rows that show attributes
        assertEquals(parse(query).include().isEmpty() ? 0 : rows, entriesRead.get(),
                "entries read for the rows of the pages only, where they show attributes");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{'level': 'series', 'where': {'attribute': 'InstanceNumber', 'gte': 2}, 'limit': 2,"
                + " 'facets': [{'attribute': 'Modality'}]}",
        "{'level': 'study', 'where': {'attribute': 'PixelSpacing', 'values': 1, 'equals': 0.5}, 'limit': 2,"
                + " 'facets': [{'attribute': 'PixelSpacing', 'bins': 2}]}",
        "{'level': 'series', 'where': {'attribute': 'SliceThickness', 'exists': true}, 'limit': 3,"
                + " 'facets': [{'attribute': 'PatientName'}]}",
    })
    void aQueryTheIndexCannotDecideAloneAnswersTheSame(String query) {
        int rows = answersAsTheEvaluator(query);
        assertTrue(entriesRead.get() > rows, "the evaluator read the entries of every page's candidates");
    }

    /** Pages through the query's answers, checks them against the evaluator's; the number of rows. */
    private int answersAsTheEvaluator(String query) {
        CohortQuery q = parse(query);
        List<CohortService.Match> expected = evaluatedOverEverySeries(q);
        entriesRead.set(0);
        List<JsonObject> paged = pageThrough(q, expected);
        assertEquals(expected.stream().map(m -> service.row(m, q)).toList(), paged);
        return expected.size();
    }

    /** Every page along the cursors: each with the count and facets of every match, and its slice of the rows. */
    private List<JsonObject> pageThrough(CohortQuery q, List<CohortService.Match> expected) {
        JsonObject expectedFacets = service.facets(q, f -> expected.stream()
                .map(m -> ConditionEvaluator.values(m.dataset(), f.path())).toList(), QueryDeadline.none());
        List<JsonObject> paged = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            CohortService.Answer a = service.run(new CohortQuery(q.level(), q.where(), q.sort(), q.limit(), cursor,
                    q.facets(), q.include()));
            assertEquals(expected.size(), a.count(), "every page counts every match");
            assertEquals(expectedFacets, a.facets(), "every page's facets are those of every match");
            int from = pages * q.limit();
            assertEquals(Math.min(q.limit(), expected.size() - from), a.results().size());
            paged.addAll(a.results());
            cursor = a.next();
            pages++;
            assertEquals(from + q.limit() < expected.size(), cursor != null, "a next page exactly when rows remain");
        } while (cursor != null && pages <= expected.size());
        return paged;
    }

    /**
     * QIDO-RS's offset paging over a decided query: each slice is the evaluator's, in UID order, with the
     * datasets the caller reads (summaries for return attributes, picked attributes otherwise).
     */
    @ParameterizedTest
    @ValueSource(strings = {"{'level': 'series', 'where': {'attribute': 'Modality', 'in': ['CT', 'MR']}}",
        "{'level': 'study', 'where': {'attribute': 'Modality', 'in': ['CT', 'MR']}}",
        "{'level': 'series', 'where': {'attribute': 'PixelSpacing', 'values': 'every', 'gte': 0.5}}"})
    void offsetPagesAreTheEvaluatorsSlices(String query) {
        CohortQuery q = parse(query);
        List<CohortService.Match> expected = evaluatedOverEverySeries(q);
        // an image-level attribute is picked out of the entries; patient- and series-level ones come from summaries
        for (java.util.Set<String> read : List.of(java.util.Set.of(Tags.PATIENT_ID, "00180050"),
                java.util.Set.of(Tags.PATIENT_ID, "00080060"))) {
            for (int offset = 0; offset <= expected.size() + 1; offset++) {
                for (int limit : new int[] {1, 2, 5}) {
                    List<CohortService.Hit> hits = service.hits(q.level(), q.where(), offset, limit, read,
                            QueryDeadline.none());
                    List<CohortService.Match> slice = expected.subList(Math.min(offset, expected.size()),
                            Math.min(expected.size(), offset + limit));
                    assertEquals(slice.stream().map(m -> m.study() + "/" + m.series()).toList(),
                            hits.stream().map(h -> h.study() + "/" + h.series()).toList(), "offset " + offset);
                    for (int i = 0; i < slice.size(); i++) {
                        JsonObject shown = org.dicomsidecar.json.JsonMembers.toObject(hits.get(i).dataset());
                        JsonObject all = slice.get(i).dataset();
                        for (String tag : read) {
                            assertEquals(all.get(tag), shown.get(tag), tag);
                        }
                        if (hits.get(i).series() != null && SeriesCatalog.inSummaries(read)) {
                            // read with the summary: the series' instance count comes along
                            assertEquals(service.catalog.series(hits.get(i).series()).instanceCount(),
                                    hits.get(i).seriesInstances());
                        }
                    }
                }
            }
        }
        assertTrue(store.instanceReads.isEmpty(), "no instance read: " + store.instanceReads);
    }

    /** The matches the evaluator finds over every series of the index, in the answer's order (by UID). */
    private List<CohortService.Match> evaluatedOverEverySeries(CohortQuery q) {
        service.catalog.current();
        List<CohortService.Match> out = new ArrayList<>(service.matches(q,
                service.catalog.entries(new MatchAllDocsQuery(), QueryDeadline.none()), QueryDeadline.none()));
        out.sort(Comparator.comparing(CohortService.Match::id));
        assertTrue(out.size() > 0 || q.where().toString().contains("no such study"), "the query matches something");
        return out;
    }

    private static CohortQuery parse(String query) {
        return CohortQueryParser.parse(Jsonp.createReader(new StringReader(query.replace('\'', '"'))).readObject());
    }
}
