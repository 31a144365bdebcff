package org.dicomsidecar.cohorts;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.util.BytesRef;
import org.dicomsidecar.catalog.SeriesCatalog;
import org.dicomsidecar.index.ConditionQueries;
import org.dicomsidecar.index.IndexFields;
import org.dicomsidecar.dicom.DicomDictionary;
import org.dicomsidecar.dicom.Tags;
import org.dicomsidecar.json.JsonMembers;
import org.dicomsidecar.json.Jsonp;
import org.dicomsidecar.query.AttributePath;
import org.dicomsidecar.query.CohortQuery.Level;
import org.dicomsidecar.query.CohortQuery;
import org.dicomsidecar.query.CohortQueryParser;
import org.dicomsidecar.query.Condition;
import org.dicomsidecar.query.ConditionEvaluator.Truth;
import org.dicomsidecar.query.ConditionEvaluator;
import org.dicomsidecar.query.QueryBudget;
import org.dicomsidecar.query.QueryDeadline;
import org.dicomsidecar.query.QueryException;

/**
 * Runs cohort queries over the mirror: the on-disk index narrows the series a condition can match, and the
 * condition is decided on each of those series' shared attributes (their entries in the {@link SeriesCatalog});
 * where an attribute varies within a series, on its instances. A series
 * matches when its shared attributes satisfy the condition or, failing that, when one of its instances
 * does; a study matches when one of its series does; at instance level each instance is tested.
 */
@ApplicationScoped
public class CohortService {

    @Inject
    SeriesCatalog catalog;

    @Inject
    InstanceStore instances;

    @Inject
    QueryBudget budget;

    /** Series whose instances are read from CouchDB in one request: bounds each request and each wait. */
    static final int SERIES_PER_READ = 50;
    /** Instance documents read in one request by SOP Instance UID. */
    static final int INSTANCES_PER_READ = 1000;

    /** One row of an answer, before paging: its UIDs, the dataset its values come from, its sort keys. */
    record Match(String study, String series, String sop, String modality, JsonObject dataset, List<Object> sortKeys) {
        String id() {
            return sop != null ? sop : series != null ? series : study;
        }
    }

    /** A page of results with the total count and facets; {@code next} is the cursor of the next page or null. */
    public record Answer(long count, List<JsonObject> results, String next, JsonObject facets) {
    }

    public Answer run(CohortQuery q) {
        QueryDeadline deadline = budget.start();
        catalog.current();
        Optional<org.apache.lucene.search.Query> series = decidedSeries(q);
        if (series.isPresent()) {
            return q.level() == Level.SERIES ? seriesAnswer(q, series.get(), deadline)
                    : answer(q, decided(q, series.get()), deadline);
        }
        List<Match> matches = matches(q, deadline);
        matches.sort(order(q));
        long count = matches.size();
        int from = 0;
        if (q.cursor() != null) {
            from = resumeAfter(matches, q);
        }
        int to = Math.min(matches.size(), from + q.limit());
        List<JsonObject> page = new ArrayList<>();
        for (Match m : matches.subList(from, to)) {
            page.add(row(m, q));
        }
        String next = to < matches.size() ? cursorAfter(matches.get(to - 1)) : null;
        return new Answer(count, page, next, facets(q, f -> matches.stream()
                .map(m -> ConditionEvaluator.values(m.dataset(), f.path())).toList(), deadline));
    }

    /**
     * The rows of a study-level query that the index decides alone ({@link #decidedSeries}): each study with the
     * series that stands for it, in UID order (the query sorts by nothing else), with the facet values of every
     * series document; entries are read only for the rows of a page.
     */
    private record Decided(List<Match> rows, Map<Match, SeriesCatalog.SeriesHit> docs, SeriesCatalog.SeriesHits hits) {
    }

    /**
     * The series documents of a study- or series-level query's matches, when the index decides it alone: every
     * series its upper bound finds is in its lower bound, so no series is left for the evaluator, and it sorts by
     * UID only and facets doc values. Empty when the evaluator must decide some series.
     */
    private Optional<org.apache.lucene.search.Query> decidedSeries(CohortQuery q) {
        if (q.level() == Level.INSTANCE || !q.sort().isEmpty()
                || !q.facets().stream().allMatch(f -> SeriesCatalog.valuesFromDocValues(f.path()))) {
            return Optional.empty();
        }
        ConditionQueries.Bounds bounds = ConditionQueries.onSeries(q.where());
        if (!bounds.exact() && catalog.countSeries(bounds.upper()) != catalog.countSeries(bounds.lower())) {
            return Optional.empty(); // the lower bound is inside the upper one: equal counts mean equal sets
        }
        return Optional.of(bounds.lower());
    }

    /**
     * A series-level query the index decides alone: counted and faceted from doc values, and paged in series UID
     * order by the index's sorted search, so that only the page's rows are read.
     */
    private Answer seriesAnswer(CohortQuery q, org.apache.lucene.search.Query series, QueryDeadline deadline) {
        SeriesCatalog.SeriesValues values = catalog.seriesValues(series,
                q.facets().stream().map(CohortQuery.Facet::path).toList());
        String after = q.cursor() == null ? null : cursorRow(q).id();
        List<SeriesCatalog.SeriesHit> page = catalog.seriesInUidOrder(series, after, q.limit() + 1);
        String next = null;
        if (page.size() > q.limit()) {
            page = page.subList(0, q.limit());
            next = cursorAfter(new Match(null, page.get(page.size() - 1).series(), null, null, null, List.of()));
        }
        List<JsonObject> results = new ArrayList<>();
        withEntries(page, Level.SERIES, topTags(q.include())).forEach(m -> results.add(row(m, q)));
        return new Answer(values.count(), results, next, facets(q, f -> values.values().get(f.path().text()), deadline));
    }

    private static Set<String> topTags(List<AttributePath> paths) {
        return paths.stream().map(p -> p.tags().get(0)).collect(java.util.stream.Collectors.toSet());
    }

    /** A study-level query the index decides alone ({@link #decidedSeries}): its rows, each study's series. */
    private Decided decided(CohortQuery q, org.apache.lucene.search.Query series) {
        // a study's row stands for its series of the smallest UID, as the evaluator's order has it
        SeriesCatalog.SeriesHits hits = catalog.studyRepresentatives(series,
                q.facets().stream().map(CohortQuery.Facet::path).toList());
        Map<String, SeriesCatalog.SeriesHit> byRow = new java.util.TreeMap<>();
        for (SeriesCatalog.SeriesHit h : hits.hits()) {
            byRow.put(h.study(), h);
        }
        List<Match> rows = new ArrayList<>(byRow.size());
        Map<Match, SeriesCatalog.SeriesHit> docs = new HashMap<>();
        byRow.forEach((id, h) -> {
            Match m = new Match(h.study(), null, null, null, null, List.of());
            rows.add(m);
            docs.put(m, h);
        });
        return new Decided(rows, docs, hits);
    }

    private Answer answer(CohortQuery q, Decided d, QueryDeadline deadline) {
        List<Match> rows = d.rows();
        int from = q.cursor() == null ? 0 : resumeAfter(rows, q);
        int to = Math.min(rows.size(), from + q.limit());
        List<Match> page = withEntries(rows.subList(from, to).stream().map(m -> d.docs().get(m)).toList(), q.level(),
                topTags(q.include()));
        List<JsonObject> results = new ArrayList<>();
        page.forEach(m -> results.add(row(m, q)));
        String next = to < rows.size() ? cursorAfter(rows.get(to - 1)) : null;
        return new Answer(rows.size(), results, next, facets(q, f -> rows.stream()
                .map(m -> d.hits().values().get(f.path().text()).getOrDefault(d.docs().get(m).doc(), List.of())).toList(),
                deadline));
    }

    /**
     * The rows with what their answer shows: each series' dataset, or each study's representative series' dataset
     * (UIDs and modalities come from doc values).
     *
     * @param attributes the top-level tags the answer shows of each row (null: every shared attribute); read from
     *                   the series' summaries where they hold them all, else picked out of their entries
     */
    private List<Match> withEntries(List<SeriesCatalog.SeriesHit> hits, Level level, Set<String> attributes) {
        if (hits.isEmpty()) {
            return List.of();
        }
        Map<String, JsonObject> dicom = new HashMap<>();
        if (attributes == null || !attributes.isEmpty()) {
            TermInSetQuery series = new TermInSetQuery(IndexFields.ID, hits.stream()
                    .map(h -> new BytesRef(org.dicomsidecar.catalog.MirrorDocuments.seriesId(h.series()))).toList());
            if (attributes == null) {
                catalog.entries(series, QueryDeadline.none()).forEach(e -> dicom.put(e.series(), e.dicom()));
            } else if (SeriesCatalog.inSummaries(attributes)) {
                dicom.putAll(catalog.summaries(series));
            } else {
                dicom.putAll(catalog.datasets(series, attributes));
            }
        }
        Map<String, String> modalities = level == Level.STUDY
                ? modalitiesOfStudies(hits.stream().map(SeriesCatalog.SeriesHit::study).toList()) : Map.of();
        List<Match> out = new ArrayList<>(hits.size());
        for (SeriesCatalog.SeriesHit h : hits) {
            JsonObject dataset = dicom.getOrDefault(h.series(), JsonValue.EMPTY_JSON_OBJECT);
            String modality = level == Level.STUDY ? modalities.getOrDefault(h.study(), "") : h.modality();
            out.add(new Match(h.study(), level == Level.STUDY ? null : h.series(), null, modality, dataset, List.of()));
        }
        return out;
    }

    /** Every match, unpaged, in order: for export. */
    public List<JsonObject> all(CohortQuery q) {
        return all(q, budget.start());
    }

    /** Every match, unpaged, in order, within a deadline the caller started. */
    public List<JsonObject> all(CohortQuery q, QueryDeadline deadline) {
        catalog.current();
        List<Match> matches = matches(q, deadline);
        matches.sort(order(q));
        return matches.stream().map(m -> row(m, q)).toList();
    }

    public long count(CohortQuery q) {
        catalog.current();
        CohortQuery counted = new CohortQuery(q.level(), q.where(), List.of(), q.limit(), null, List.of(), List.of());
        Optional<org.apache.lucene.search.Query> series = decidedSeries(counted);
        if (series.isPresent()) {
            return q.level() == Level.SERIES ? catalog.countSeries(series.get())
                    : decided(counted, series.get()).rows().size();
        }
        return matches(q, budget.start()).size();
    }

    /**
     * A match for other query front-ends (QIDO-RS): UIDs, the dataset its attributes come from (member by member, each
     * value as JSON text, see {@link org.dicomsidecar.json.JsonMembers}), and its series' instance count where the
     * read knew it (else -1).
     */
    public record Hit(String study, String series, String sop, Map<String, String> dataset, long seriesInstances) {
    }

    /**
     * The matches at a level from {@code offset} on, at most {@code limit}, ordered by UID (offset paging).
     *
     * @param attributes the top-level tags the caller reads of each hit's dataset, or null for all: where the
     *                   series' summaries hold them, only those are read
     */
    public List<Hit> hits(Level level, Condition where, int offset, int limit, Set<String> attributes,
                          QueryDeadline deadline) {
        CohortQuery q = new CohortQuery(level, where, List.of(), CohortQueryParser.MAX_LIMIT, null, List.of(), List.of());
        catalog.current();
        Optional<org.apache.lucene.search.Query> series = decidedSeries(q);
        if (series.isPresent() && level == Level.SERIES) {
            // the first offset + limit in UID order, never more than there are
            int n = (int) Math.min((long) offset + limit, catalog.countSeries(series.get()));
            boolean summaries = attributes != null && SeriesCatalog.inSummaries(attributes);
            List<SeriesCatalog.PageRow> first = catalog.seriesPage(series.get(), null, n, summaries ? attributes : null);
            first = first.subList(Math.min(first.size(), offset), first.size());
            if (summaries) { // read with the page, in the same pass
                return first.stream().map(r -> hit(r.hit(), level, r.summary())).toList();
            }
            return hitsOf(first.stream().map(SeriesCatalog.PageRow::hit).toList(), level, attributes);
        } else if (series.isPresent()) {
            Decided decided = decided(q, series.get());
            List<Match> rows = decided.rows();
            return hitsOf(rows.subList(Math.min(rows.size(), offset),
                    (int) Math.min(rows.size(), (long) offset + limit)).stream().map(m -> decided.docs().get(m))
                    .toList(), level, attributes);
        }
        List<Match> matches = matches(q, deadline);
        matches.sort(order(q));
        matches = matches.subList(Math.min(matches.size(), offset),
                (int) Math.min(matches.size(), (long) offset + limit));
        return matches.stream().map(m -> new Hit(m.study(), m.series(), m.sop(), JsonMembers.of(m.dataset()), -1))
                .toList();
    }

    /**
     * Hits for series documents the index found: with their stored summaries, spliced as they are, where those hold
     * every attribute the caller reads; else with the attributes read from their entries.
     */
    private List<Hit> hitsOf(List<SeriesCatalog.SeriesHit> found, Level level, Set<String> attributes) {
        if (found.isEmpty()) {
            return List.of();
        }
        if (attributes == null || !SeriesCatalog.inSummaries(attributes)) {
            return withEntries(found, level, attributes).stream()
                    .map(m -> new Hit(m.study(), m.series(), null, JsonMembers.of(m.dataset()), -1)).toList();
        }
        Map<String, SeriesCatalog.Summary> summaries = catalog.storedSummaries(new TermInSetQuery(IndexFields.ID,
                found.stream().map(h -> new BytesRef(org.dicomsidecar.catalog.MirrorDocuments.seriesId(h.series())))
                        .toList()), attributes);
        return found.stream().map(h -> hit(h, level, summaries.get(h.series()))).toList();
    }

    /** A hit for a series document with its stored summary (null: none stored). */
    private static Hit hit(SeriesCatalog.SeriesHit h, Level level, SeriesCatalog.Summary summary) {
        return new Hit(h.study(), level == Level.STUDY ? null : h.series(), null,
                summary == null ? Map.of() : summary.members(), summary == null ? -1 : summary.instanceCount());
    }

    /** Instance datasets by SOP Instance UID (those the mirror holds). */
    public Map<String, JsonObject> instanceDatasets(List<String> sops, QueryDeadline deadline) {
        Map<String, JsonObject> out = new HashMap<>();
        for (int from = 0; from < sops.size(); from += INSTANCES_PER_READ) {
            deadline.check();
            instances.instanceDocuments(sops.subList(from, Math.min(sops.size(), from + INSTANCES_PER_READ)))
                    .forEach(d -> out.put(d.getString("sop"), d.getJsonObject("dicom")));
        }
        return out;
    }

    /**
     * The index bounds the condition over series documents: series outside the upper bound cannot match, so only
     * those inside it are read and evaluated (in full, by the same rules as before: answers do not depend on the
     * index's translation being exact, only their cost does). The caller has brought the index up to date.
     */
    private List<Match> matches(CohortQuery q, QueryDeadline deadline) {
        deadline.check();
        ConditionQueries.Bounds bounds = ConditionQueries.onSeries(q.where());
        return matches(q, catalog.entries(bounds.upper(), deadline), deadline);
    }

    /** The instance datasets of these series, read a few series at a time with the deadline checked between. */
    private Map<String, List<JsonObject>> instanceDatasetsOf(List<SeriesCatalog.Entry> series, QueryDeadline deadline) {
        Map<String, List<JsonObject>> out = new HashMap<>();
        for (int from = 0; from < series.size(); from += SERIES_PER_READ) {
            deadline.check();
            out.putAll(catalog.instanceDatasets(series.subList(from, Math.min(series.size(), from + SERIES_PER_READ))));
        }
        return out;
    }

    /** The matches among these series; checks the deadline at each series and each instance tested. */
    List<Match> matches(CohortQuery q, Collection<SeriesCatalog.Entry> series, QueryDeadline deadline) {
        List<Match> out = new ArrayList<>();
        Set<String> studies = new LinkedHashSet<>();
        Map<String, SeriesCatalog.Entry> studyRepresentative = new HashMap<>();
        List<SeriesCatalog.Entry> undecided = new ArrayList<>();
        List<SeriesCatalog.Entry> decided = new ArrayList<>();
        for (SeriesCatalog.Entry e : series) {
            deadline.check();
            Truth t = ConditionEvaluator.evaluate(q.where(), e.dicom(), e.varying());
            if (t == Truth.TRUE) {
                decided.add(e);
            } else if (t == Truth.UNKNOWN) {
                undecided.add(e);
            }
        }
        Map<String, List<JsonObject>> instancesOfUndecided = instanceDatasetsOf(undecided, deadline);
        java.util.function.Predicate<JsonObject> instanceMatches = d -> {
            deadline.check();
            return ConditionEvaluator.matches(q.where(), d);
        };
        switch (q.level()) {
            case SERIES -> {
                decided.forEach(e -> out.add(new Match(e.study(), e.series(), null, e.modality(), e.dicom(),
                        sortKeys(q, e.dicom()))));
                for (SeriesCatalog.Entry e : undecided) {
                    instancesOfUndecided.getOrDefault(e.series(), List.of()).stream()
                            .filter(instanceMatches).findFirst()
                            .ifPresent(d -> out.add(new Match(e.study(), e.series(), null, e.modality(), e.dicom(),
                                    sortKeys(q, e.dicom()))));
                }
            }
            case STUDY -> {
                for (SeriesCatalog.Entry e : decided) {
                    if (studies.add(e.study())) {
                        studyRepresentative.put(e.study(), e);
                    }
                }
                for (SeriesCatalog.Entry e : undecided) {
                    if (!studies.contains(e.study()) && instancesOfUndecided.getOrDefault(e.series(), List.of()).stream()
                            .anyMatch(instanceMatches)) {
                        studies.add(e.study());
                        studyRepresentative.put(e.study(), e);
                    }
                }
                Map<String, String> modalities = modalitiesOfStudies(studies);
                for (String study : studies) {
                    SeriesCatalog.Entry e = studyRepresentative.get(study);
                    out.add(new Match(study, null, null, modalities.getOrDefault(study, ""), e.dicom(),
                            sortKeys(q, e.dicom())));
                }
            }
            case INSTANCE -> {
                // instance documents are read only where a sorted, included or faceted attribute varies
                Set<String> needed = new java.util.HashSet<>();
                q.include().forEach(p -> needed.add(p.tags().get(0)));
                q.sort().forEach(k -> needed.add(k.path().tags().get(0)));
                q.facets().forEach(f -> needed.add(f.path().tags().get(0)));
                List<SeriesCatalog.Entry> toOpen = decided.stream()
                        .filter(e -> e.varying().stream().anyMatch(needed::contains)).toList();
                Map<String, List<JsonObject>> instancesOfDecided = instanceDatasetsOf(toOpen, deadline);
                Map<String, List<String>> listed = catalog.instancesOf(decided.stream()
                        .filter(e -> !instancesOfDecided.containsKey(e.series())).map(SeriesCatalog.Entry::series)
                        .toList());
                for (SeriesCatalog.Entry e : decided) {
                    deadline.check();
                    List<JsonObject> docs = instancesOfDecided.get(e.series());
                    if (docs == null) {
                        listed.getOrDefault(e.series(), List.of()).forEach(sop -> out.add(new Match(e.study(),
                                e.series(), sop, e.modality(), e.dicom(), sortKeys(q, e.dicom()))));
                    } else {
                        docs.forEach(d -> out.add(instanceMatch(e, d, q)));
                    }
                }
                for (SeriesCatalog.Entry e : undecided) {
                    instancesOfUndecided.getOrDefault(e.series(), List.of()).stream()
                            .filter(instanceMatches)
                            .forEach(d -> out.add(instanceMatch(e, d, q)));
                }
            }
        }
        return out;
    }

    private static Match instanceMatch(SeriesCatalog.Entry e, JsonObject dataset, CohortQuery q) {
        String sop = dataset.getJsonObject(Tags.SOP_INSTANCE_UID).getJsonArray("Value").getString(0);
        return new Match(e.study(), e.series(), sop, e.modality(), dataset, sortKeys(q, dataset));
    }

    /** The modalities of each study's series, sorted and joined with a backslash as a CS list is written. */
    private Map<String, String> modalitiesOfStudies(Collection<String> studies) {
        Map<String, java.util.TreeSet<String>> byStudy = new HashMap<>();
        if (!studies.isEmpty()) {
            catalog.seriesRows(SeriesCatalog.ofStudies(studies))
                    .forEach(r -> {
                        if (!r.modality().isEmpty()) {
                            byStudy.computeIfAbsent(r.study(), k -> new java.util.TreeSet<>()).add(r.modality());
                        }
                    });
        }
        Map<String, String> out = new HashMap<>();
        byStudy.forEach((study, modalities) -> out.put(study, String.join("\\", modalities)));
        return out;
    }

    private static List<Object> sortKeys(CohortQuery q, JsonObject dataset) {
        List<Object> keys = new ArrayList<>();
        for (CohortQuery.SortKey s : q.sort()) {
            List<Object> values = ConditionEvaluator.values(dataset, s.path());
            keys.add(values.isEmpty() ? null : values.get(0));
        }
        return keys;
    }

    /** Sort keys (missing values last), then the UID: a total order, so a cursor always resumes exactly. */
    private static Comparator<Match> order(CohortQuery q) {
        return (a, b) -> {
            for (int i = 0; i < q.sort().size(); i++) {
                int c = compareNullsLast(a.sortKeys().get(i), b.sortKeys().get(i));
                if (c != 0) {
                    return q.sort().get(i).descending() ? -c : c;
                }
            }
            return a.id().compareTo(b.id());
        };
    }

    private static int compareNullsLast(Object a, Object b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : 1) : -1;
        }
        if (a.getClass() != b.getClass()) {
            return a.getClass().getName().compareTo(b.getClass().getName());
        }
        return CohortQueryParser.compare(a, b);
    }

    /** The cursor names the last row sent: the next page starts after it, whatever was added meanwhile. */
    private static String cursorAfter(Match m) {
        JsonArrayBuilder keys = Jsonp.createArrayBuilder();
        for (Object k : m.sortKeys()) {
            if (k == null) {
                keys.addNull();
            } else if (k instanceof BigDecimal d) {
                keys.add(d);
            } else {
                keys.add(k.toString());
            }
        }
        String json = Jsonp.createObjectBuilder().add("k", keys).add("id", m.id()).build().toString();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static int resumeAfter(List<Match> sorted, CohortQuery q) {
        Match last = cursorRow(q);
        Comparator<Match> order = order(q);
        int lo = 0;
        int hi = sorted.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (order.compare(sorted.get(mid), last) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The last row a cursor names: its sort keys and its id (a 400 for anything this query did not return). */
    private static Match cursorRow(CohortQuery q) {
        List<Object> keys = new ArrayList<>();
        String id;
        try {
            JsonObject c = Jsonp.createReader(new java.io.StringReader(new String(Base64.getUrlDecoder()
                    .decode(q.cursor()), StandardCharsets.UTF_8))).readObject();
            for (JsonValue v : c.getJsonArray("k")) {
                keys.add(v.getValueType() == JsonValue.ValueType.NULL ? null
                        : v.getValueType() == JsonValue.ValueType.NUMBER ? ((jakarta.json.JsonNumber) v).bigDecimalValue()
                        : ((jakarta.json.JsonString) v).getString());
            }
            id = c.getString("id");
        } catch (RuntimeException e) {
            throw new QueryException("cursor", "not a cursor this query returned");
        }
        if (keys.size() != q.sort().size()) {
            throw new QueryException("cursor", "belongs to a query with another sort");
        }
        return new Match(null, null, id, null, null, keys);
    }

    /** The answer's row of a match (package-private: tests build the rows they expect with it). */
    JsonObject row(Match m, CohortQuery q) {
        JsonObjectBuilder b = Jsonp.createObjectBuilder().add("studyInstanceUID", m.study());
        if (m.series() != null) {
            b.add("seriesInstanceUID", m.series());
        }
        if (m.sop() != null) {
            b.add("sopInstanceUID", m.sop());
        }
        b.add(q.level() == Level.STUDY ? "modalitiesInStudy" : "modality", m.modality() == null ? "" : m.modality());
        b.add("retrievePath", "/studies/" + m.study() + (m.series() != null ? "/series/" + m.series() : "")
                + (m.sop() != null ? "/instances/" + m.sop() : ""));
        if (!q.include().isEmpty()) {
            JsonObjectBuilder attributes = Jsonp.createObjectBuilder();
            for (AttributePath p : q.include()) {
                attributes.add(name(p), jsonValues(ConditionEvaluator.values(m.dataset(), p)));
            }
            b.add("attributes", attributes);
        }
        return b.build();
    }

    private static JsonValue jsonValues(List<Object> values) {
        JsonArrayBuilder a = Jsonp.createArrayBuilder();
        for (Object v : values) {
            if (v == null) {
                a.addNull();
            } else if (v instanceof BigDecimal d) {
                a.add(d);
            } else {
                a.add(v.toString());
            }
        }
        return a.build();
    }

    private static String name(AttributePath p) {
        return p.text();
    }

    /**
     * Each facet over the rows' values ({@code valuesOfRows}: a facet's values of each row, in row order);
     * package-private: tests build the facets they expect with it.
     */
    JsonObject facets(CohortQuery q, java.util.function.Function<CohortQuery.Facet, List<List<Object>>> valuesOfRows,
                              QueryDeadline deadline) {
        JsonObjectBuilder out = Jsonp.createObjectBuilder();
        for (CohortQuery.Facet f : q.facets()) {
            List<Object> values = new ArrayList<>();
            for (List<Object> ofRow : valuesOfRows.apply(f)) {
                deadline.check();
                // a row counts once per value: 0.50 and 0.5 are one number (as doc values, which hold doubles, see it);
                // a numeric attribute's values are its numbers (a malformed DS is no value, as in the index)
                ofRow.stream().filter(v -> v != null && (v instanceof BigDecimal || !f.path().numeric()))
                        .map(v -> v instanceof BigDecimal d ? d.stripTrailingZeros() : v)
                        .collect(java.util.stream.Collectors.toCollection(LinkedHashSet::new)).forEach(values::add);
            }
            out.add(name(f.path()), f.bins() > 0 ? histogram(values, f.bins()) : valueCounts(values, f.limit()));
        }
        return out.build();
    }

    private static JsonObject valueCounts(List<Object> values, int limit) {
        Map<String, Long> counts = new LinkedHashMap<>();
        values.forEach(v -> counts.merge(v instanceof BigDecimal d ? d.stripTrailingZeros().toPlainString()
                : v.toString(), 1L, Long::sum));
        JsonArrayBuilder rows = Jsonp.createArrayBuilder();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(limit)
                .forEach(e -> rows.add(Jsonp.createObjectBuilder().add("value", e.getKey()).add("count", e.getValue())));
        return Jsonp.createObjectBuilder().add("distinct", counts.size()).add("values", rows).build();
    }

    private static JsonObject histogram(List<Object> values, int bins) {
        List<BigDecimal> numbers = values.stream().filter(v -> v instanceof BigDecimal).map(v -> (BigDecimal) v).toList();
        JsonArrayBuilder rows = Jsonp.createArrayBuilder();
        if (numbers.isEmpty()) {
            return Jsonp.createObjectBuilder().add("count", 0).add("bins", rows).build();
        }
        BigDecimal min = numbers.stream().min(Comparator.naturalOrder()).orElseThrow();
        BigDecimal max = numbers.stream().max(Comparator.naturalOrder()).orElseThrow();
        BigDecimal width = max.subtract(min).divide(BigDecimal.valueOf(bins), 10, RoundingMode.HALF_UP);
        long[] counts = new long[bins];
        for (BigDecimal n : numbers) {
            int i = width.signum() == 0 ? 0 : n.subtract(min).divide(width, 0, RoundingMode.FLOOR).intValue();
            counts[Math.min(bins - 1, Math.max(0, i))]++;
        }
        for (int i = 0; i < bins; i++) {
            BigDecimal from = min.add(width.multiply(BigDecimal.valueOf(i))).stripTrailingZeros();
            BigDecimal to = i == bins - 1 ? max.stripTrailingZeros()
                    : min.add(width.multiply(BigDecimal.valueOf(i + 1))).stripTrailingZeros();
            rows.add(Jsonp.createObjectBuilder().add("from", from).add("to", to).add("count", counts[i]));
            if (width.signum() == 0) {
                break;
            }
        }
        return Jsonp.createObjectBuilder().add("count", numbers.size()).add("min", min).add("max", max)
                .add("bins", rows).build();
    }

    /** Keyword of a tag for column names (CSV). */
    static String keyword(AttributePath p) {
        return DicomDictionary.standard().byTag(p.leaf()).map(DicomDictionary.Entry::keyword).orElse(p.leaf());
    }

}
