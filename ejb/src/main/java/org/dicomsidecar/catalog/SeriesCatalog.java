package org.dicomsidecar.catalog;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.SimpleCollector;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;
import org.dicomsidecar.index.IndexFields;
import org.dicomsidecar.index.IndexSearch;
import org.dicomsidecar.json.Jsonp;
import org.dicomsidecar.query.QueryDeadline;

/**
 * The mirrored series, as the on-disk index holds them: lookups by series and study, the series a query finds
 * (their stored entries: shared attributes, varying tags, references), counts, and the instance datasets of some
 * series from CouchDB. Holds nothing in memory: every answer is read from the index, which {@link #current()}
 * first brings up to date with CouchDB, so an answer includes everything mirrored before it was asked.
 */
@ApplicationScoped
public class SeriesCatalog {

    @Inject
    IndexSearch index;

    @Inject
    CatalogStore store;

    public SeriesCatalog() {
    }

    /** A catalog over this index and store (outside CDI: tests). */
    public SeriesCatalog(IndexSearch index, CatalogStore store) {
        this.index = index;
        this.store = store;
    }

    /**
     * One series: its UIDs, its shared attributes, the attributes that vary, how many instances it has, and the
     * references its instances make ({@code {sop: {sopClass, modality, seriesDescription, refs}}}; null in a
     * series document written before series documents carried them).
     */
    public record Entry(String study, String series, String modality, JsonObject dicom, Set<String> varying,
                        int instanceCount, JsonObject references) {
    }

    /** How much the mirror holds. */
    public record Counts(long instances, long series, long studies) {
    }

    private static final Query SERIES_DOCUMENTS = new TermQuery(new Term(IndexFields.KIND, IndexFields.SERIES_KIND));
    private static final Query INSTANCE_DOCUMENTS = new TermQuery(new Term(IndexFields.KIND, IndexFields.INSTANCE));

    /** Brings the index up to date with CouchDB (before a question: call once, then ask). */
    public void current() {
        index.current();
    }

    /** Changes with every change of the index's content: what is derived from it stays valid while it is equal. */
    public long version() {
        return index.search(s -> ((org.apache.lucene.index.DirectoryReader) s.getIndexReader()).getVersion());
    }

    /**
     * The documents of these studies: by the study's postings where they lead, by the study doc values where the
     * series documents have narrowed the candidates, so that finding a page's studies' series does not walk every
     * instance of those studies.
     */
    public static Query ofStudies(Collection<String> studyUids) {
        List<BytesRef> uids = studyUids.stream().distinct().map(BytesRef::new).toList();
        return new org.apache.lucene.search.IndexOrDocValuesQuery(new TermInSetQuery(IndexFields.STUDY, uids),
                org.apache.lucene.document.SortedDocValuesField.newSlowSetQuery(IndexFields.STUDY, uids));
    }

    /** The series with this UID, or null. */
    public Entry series(String seriesUid) {
        List<Entry> found = entries(new TermQuery(new Term(IndexFields.ID, MirrorDocuments.seriesId(seriesUid))),
                QueryDeadline.none());
        return found.isEmpty() ? null : found.get(0);
    }

    /** The series of a study, in UID order. */
    public List<Entry> ofStudy(String studyUid) {
        return entries(new TermQuery(new Term(IndexFields.STUDY, studyUid)), QueryDeadline.none());
    }

    /** The series documents that a query over series documents finds, with their entries (in series UID order). */
    public List<Entry> entries(Query seriesQuery, QueryDeadline deadline) {
        Query q = new BooleanQuery.Builder().add(SERIES_DOCUMENTS, Occur.FILTER).add(seriesQuery, Occur.FILTER).build();
        return index.search(s -> {
            List<Entry> out = new ArrayList<>();
            try {
                s.search(q, new SimpleCollector() {
                    private BinaryDocValues entries;

                    @Override
                    protected void doSetNextReader(LeafReaderContext context) throws IOException {
                        entries = context.reader().getBinaryDocValues(IndexFields.ENTRY);
                    }

                    @Override
                    public void collect(int doc) throws IOException {
                        deadline.check();
                        if (entries != null && entries.advanceExact(doc)) {
                            out.add(entry(entries.binaryValue()));
                        }
                    }

                    @Override
                    public ScoreMode scoreMode() {
                        return ScoreMode.COMPLETE_NO_SCORES;
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out.sort(java.util.Comparator.comparing(Entry::series));
            return out;
        });
    }

    /**
     * Whether series' summaries hold these top-level tags (where the series have them): QIDO-RS's study and series
     * return attributes, and the attributes of patient, study and series level.
     */
    public static boolean inSummaries(Collection<String> tags) {
        return tags.stream().allMatch(org.dicomsidecar.index.SeriesEntryJson::inSummary);
    }

    /**
     * The summaries of the series documents a query over series documents finds, by series UID: their shared
     * attributes that {@link #inSummaries} names, read instead of a whole entry.
     */
    public Map<String, JsonObject> summaries(Query seriesQuery) {
        return bySeries(seriesQuery, IndexFields.SUMMARY, (summary, count) -> json(summary));
    }

    /**
     * A series' summary as stored, member by member ({@link org.dicomsidecar.json.JsonMembers}), with the series'
     * instance count: what an answer splices in without building JSON objects.
     */
    public record Summary(Map<String, String> members, long instanceCount) {

        /** A stored summary's members named in {@code tags} (all when null), with the series' instance count. */
        static Summary read(BytesRef stored, Set<String> tags, long instanceCount) {
            return new Summary(org.dicomsidecar.json.JsonMembers.members(stored.utf8ToString(), tags), instanceCount);
        }
    }

    /**
     * The stored summaries of the series documents a query over series documents finds, by series UID, with the
     * members named in {@code tags} only (all when null).
     */
    public Map<String, Summary> storedSummaries(Query seriesQuery, Set<String> tags) {
        return bySeries(seriesQuery, IndexFields.SUMMARY, (summary, count) -> Summary.read(summary, tags, count));
    }

    /**
     * Some attributes of the series documents a query over series documents finds, by series UID: of each entry's
     * shared attributes, those with these tags, read from the entry without building the rest.
     */
    public Map<String, JsonObject> datasets(Query seriesQuery, Set<String> tags) {
        return bySeries(seriesQuery, IndexFields.ENTRY, (entry, count) -> sharedAttributes(entry, tags));
    }

    /** What a pass over series documents makes of a binary doc-values field and the series' instance count. */
    private interface SeriesReader<T> {
        T read(BytesRef value, long instanceCount);
    }

    /** What {@code read} makes of a binary doc-values field of each series document a query finds, by series UID. */
    private <T> Map<String, T> bySeries(Query seriesQuery, String field, SeriesReader<T> read) {
        Query q = new BooleanQuery.Builder().add(SERIES_DOCUMENTS, Occur.FILTER).add(seriesQuery, Occur.FILTER).build();
        return index.search(s -> {
            Map<String, T> out = new HashMap<>();
            try {
                s.search(q, new SimpleCollector() {
                    private BinaryDocValues values;
                    private SortedDocValues series;
                    private NumericDocValues counts;

                    @Override
                    protected void doSetNextReader(LeafReaderContext context) throws IOException {
                        values = context.reader().getBinaryDocValues(field);
                        series = context.reader().getSortedDocValues(IndexFields.SERIES);
                        counts = context.reader().getNumericDocValues(IndexFields.COUNT);
                    }

                    @Override
                    public void collect(int doc) throws IOException {
                        String uid = value(series, doc);
                        if (uid != null && values != null && values.advanceExact(doc)) {
                            long count = counts != null && counts.advanceExact(doc) ? counts.longValue() : 0;
                            out.put(uid, read.read(values.binaryValue(), count));
                        }
                    }

                    @Override
                    public ScoreMode scoreMode() {
                        return ScoreMode.COMPLETE_NO_SCORES;
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out;
        });
    }

    /** Of an entry's shared attributes ({@code dicom}), those with these tags; the rest is skipped unparsed. */
    static JsonObject sharedAttributes(BytesRef entry, Set<String> tags) {
        jakarta.json.JsonObjectBuilder out = Jsonp.createObjectBuilder();
        try (jakarta.json.stream.JsonParser p = Jsonp.createParser(
                new java.io.ByteArrayInputStream(entry.bytes, entry.offset, entry.length))) {
            p.next(); // the entry's object
            while (p.hasNext()) {
                jakarta.json.stream.JsonParser.Event e = p.next();
                if (e != jakarta.json.stream.JsonParser.Event.KEY_NAME) {
                    break; // the entry's end
                }
                boolean dicom = p.getString().equals("dicom");
                jakarta.json.stream.JsonParser.Event value = p.next();
                if (!dicom) {
                    skip(p, value);
                    continue;
                }
                while (p.next() == jakarta.json.stream.JsonParser.Event.KEY_NAME) {
                    String tag = p.getString();
                    jakarta.json.stream.JsonParser.Event element = p.next();
                    if (tags.contains(tag)) {
                        out.add(tag, p.getValue());
                    } else {
                        skip(p, element);
                    }
                }
                break; // what follows the shared attributes (references) is not read
            }
        }
        return out.build();
    }

    private static void skip(jakarta.json.stream.JsonParser p, jakarta.json.stream.JsonParser.Event value) {
        if (value == jakarta.json.stream.JsonParser.Event.START_OBJECT) {
            p.skipObject();
        } else if (value == jakarta.json.stream.JsonParser.Event.START_ARRAY) {
            p.skipArray();
        }
    }

    /** How many series documents a query over series documents finds. */
    public int countSeries(Query seriesQuery) {
        Query q = new BooleanQuery.Builder().add(SERIES_DOCUMENTS, Occur.FILTER).add(seriesQuery, Occur.FILTER).build();
        return index.search(s -> {
            try {
                return s.count(q);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The SOP Instance UIDs of the instance documents a query over instance documents finds, by series. */
    public Map<String, List<String>> instanceUidsBySeries(Query instanceQuery) {
        Query q = new BooleanQuery.Builder().add(INSTANCE_DOCUMENTS, Occur.FILTER).add(instanceQuery, Occur.FILTER)
                .build();
        return index.search(s -> {
            Map<String, List<String>> out = new HashMap<>();
            collect(s, q, (leaf, doc) -> {
                String series = value(leaf.series, doc);
                String sop = value(leaf.sop, doc);
                if (series != null && sop != null) {
                    out.computeIfAbsent(series, k -> new ArrayList<>()).add(sop);
                }
            });
            out.values().forEach(java.util.Collections::sort); // a stable order whatever the segments' order
            return out;
        });
    }

    /** The instances of these series (SOP Instance UIDs), by series. */
    public Map<String, List<String>> instancesOf(Collection<String> seriesUids) {
        if (seriesUids.isEmpty()) {
            return Map.of();
        }
        return instanceUidsBySeries(new TermInSetQuery(IndexFields.SERIES,
                seriesUids.stream().map(u -> new BytesRef(u)).toList()));
    }

    /** The UIDs of every study with a series in the mirror. */
    public Set<String> studies() {
        return index.search(s -> sortedValues(s, SERIES_DOCUMENTS, IndexFields.STUDY));
    }

    /** Instances (as the series documents list them), series and studies in the mirror. */
    public Counts counts() {
        return index.search(s -> {
            long[] instances = new long[1];
            long[] series = new long[1];
            Set<String> studies = new HashSet<>();
            collect(s, SERIES_DOCUMENTS, (leaf, doc) -> {
                series[0]++;
                if (leaf.count != null && leaf.count.advanceExact(doc)) {
                    instances[0] += leaf.count.longValue();
                }
                String study = leaf.study.get(doc);
                if (study != null) {
                    studies.add(study);
                }
            });
            return new Counts(instances[0], series[0], studies.size());
        });
    }

    /** Each series' modality, study and instance count, for the series a query over series documents finds. */
    public record SeriesRow(String study, String series, String modality, long instanceCount) {
    }

    public List<SeriesRow> seriesRows(Query seriesQuery) {
        Query q = new BooleanQuery.Builder().add(SERIES_DOCUMENTS, Occur.FILTER).add(seriesQuery, Occur.FILTER).build();
        return index.search(s -> {
            List<SeriesRow> out = new ArrayList<>();
            collect(s, q, (leaf, doc) -> {
                long count = leaf.count != null && leaf.count.advanceExact(doc) ? leaf.count.longValue() : 0;
                String modality = leaf.modality.get(doc);
                out.add(new SeriesRow(leaf.study.get(doc), value(leaf.series, doc), modality == null ? "" : modality,
                        count));
            });
            return out;
        });
    }

    /** A study's series count, instance count and modalities, from its series documents. */
    public record StudyTotals(int series, long instances, java.util.SortedSet<String> modalities) {
    }

    /**
     * The totals of the studies whose series a query over series documents finds, by study UID, from doc values
     * only (no series UID is read).
     */
    public Map<String, StudyTotals> studyTotals(Query seriesQuery) {
        Query q = new BooleanQuery.Builder().add(SERIES_DOCUMENTS, Occur.FILTER).add(seriesQuery, Occur.FILTER).build();
        return index.search(s -> {
            Map<String, int[]> series = new HashMap<>();
            Map<String, long[]> instances = new HashMap<>();
            Map<String, java.util.SortedSet<String>> modalities = new HashMap<>();
            collect(s, q, (leaf, doc) -> {
                String study = leaf.study.get(doc);
                if (study == null) {
                    return;
                }
                series.computeIfAbsent(study, k -> new int[1])[0]++;
                instances.computeIfAbsent(study, k -> new long[1])[0] +=
                        leaf.count != null && leaf.count.advanceExact(doc) ? leaf.count.longValue() : 0;
                String modality = leaf.modality.get(doc);
                java.util.SortedSet<String> m = modalities.computeIfAbsent(study, k -> new TreeSet<>());
                if (modality != null && !modality.isEmpty()) {
                    m.add(modality);
                }
            });
            Map<String, StudyTotals> out = new HashMap<>();
            series.forEach((study, n) -> out.put(study, new StudyTotals(n[0], instances.get(study)[0],
                    modalities.get(study))));
            return out;
        });
    }

    /**
     * A series document a query found: its study, its UID, its modality ("" when it has none), and its document
     * number in the searcher it came from.
     */
    public record SeriesHit(String study, String series, String modality, int doc) {
    }

    /**
     * The series documents a query over series documents finds, with their document numbers, and the values of
     * some attributes for each (read from doc values, see {@link #valuesFromDocValues}), all from one searcher.
     */
    public record SeriesHits(List<SeriesHit> hits, Map<String, Map<Integer, List<Object>>> values) {
    }

    /** Whether an attribute's values can be read from doc values: numbers, and short code-like text. */
    public static boolean valuesFromDocValues(org.dicomsidecar.query.AttributePath path) {
        return path.numeric() || FACETED.contains(path.vr());
    }

    private static final Set<String> FACETED = Set.of("AE", "AS", "CS", "SH", "LO");

    /** As {@link #seriesHits}: the values of each path ({@link #valuesFromDocValues} must hold) by document. */
    public SeriesHits seriesHits(Query seriesQuery, List<org.dicomsidecar.query.AttributePath> paths) {
        Query q = new BooleanQuery.Builder().add(SERIES_DOCUMENTS, Occur.FILTER).add(seriesQuery, Occur.FILTER).build();
        return index.search(s -> {
            List<SeriesHit> hits = new ArrayList<>();
            Map<String, Map<Integer, List<Object>>> values = new HashMap<>();
            try {
                s.search(q, new SimpleCollector() {
                    private int base;
                    private RepeatedValues study;
                    private SortedDocValues series;
                    private RepeatedValues modality;
                    private PathValues pathValues;

                    @Override
                    protected void doSetNextReader(LeafReaderContext context) throws IOException {
                        base = context.docBase;
                        var r = context.reader();
                        study = new RepeatedValues(r.getSortedDocValues(IndexFields.STUDY));
                        series = r.getSortedDocValues(IndexFields.SERIES);
                        modality = new RepeatedValues(r.getSortedDocValues(IndexFields.MODALITY));
                        pathValues = new PathValues(r, paths);
                    }

                    @Override
                    public void collect(int doc) throws IOException {
                        String m = modality.get(doc);
                        hits.add(new SeriesHit(study.get(doc), value(series, doc), m == null ? "" : m, base + doc));
                        for (var p : paths) {
                            values.computeIfAbsent(p.text(), k -> new HashMap<>()).put(base + doc,
                                    pathValues.of(p, doc));
                        }
                    }

                    @Override
                    public ScoreMode scoreMode() {
                        return ScoreMode.COMPLETE_NO_SCORES;
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new SeriesHits(hits, values);
        });
    }

    /**
     * As {@link #seriesHits}, but one hit per study: the series of the smallest UID among those the query finds (the
     * study's row in the evaluator's order), with the values of the paths for it. Within a segment the series' doc
     * values ordinals follow their UIDs, so a UID is read once per study and segment, not once per series.
     */
    public SeriesHits studyRepresentatives(Query seriesQuery, List<org.dicomsidecar.query.AttributePath> paths) {
        Query q = new BooleanQuery.Builder().add(SERIES_DOCUMENTS, Occur.FILTER).add(seriesQuery, Occur.FILTER).build();
        return index.search(s -> {
            Map<String, SeriesHit> best = new HashMap<>();
            Map<Integer, Map<String, List<Object>>> valuesByDoc = new HashMap<>();
            try {
                class Representatives extends SimpleCollector {
                    private LeafReaderContext leaf;
                    private SortedDocValues study;
                    private SortedDocValues series;
                    // per study ordinal of this segment: the smallest series ordinal and its document
                    private final Map<Integer, int[]> smallest = new HashMap<>();

                    @Override
                    protected void doSetNextReader(LeafReaderContext context) throws IOException {
                        finishSegment();
                        leaf = context;
                        study = context.reader().getSortedDocValues(IndexFields.STUDY);
                        series = context.reader().getSortedDocValues(IndexFields.SERIES);
                    }

                    @Override
                    public void collect(int doc) throws IOException {
                        if (study == null || series == null || !study.advanceExact(doc) || !series.advanceExact(doc)) {
                            return;
                        }
                        int seriesOrd = series.ordValue();
                        int[] current = smallest.get(study.ordValue());
                        if (current == null) {
                            smallest.put(study.ordValue(), new int[] {seriesOrd, doc});
                        } else if (seriesOrd < current[0]) {
                            current[0] = seriesOrd;
                            current[1] = doc;
                        }
                    }

                    /** Resolves the segment's representatives (in document order, as doc values are read). */
                    private void finishSegment() throws IOException {
                        if (leaf == null || smallest.isEmpty()) {
                            smallest.clear();
                            return;
                        }
                        var r = leaf.reader();
                        List<Map.Entry<Integer, int[]>> byDoc = new ArrayList<>(smallest.entrySet());
                        byDoc.sort(java.util.Comparator.comparingInt(e -> e.getValue()[1]));
                        SortedDocValues modality = r.getSortedDocValues(IndexFields.MODALITY);
                        PathValues pathValues = new PathValues(r, paths);
                        for (Map.Entry<Integer, int[]> e : byDoc) {
                            int doc = e.getValue()[1];
                            String studyUid = study.lookupOrd(e.getKey()).utf8ToString();
                            String seriesUid = series.lookupOrd(e.getValue()[0]).utf8ToString();
                            String m = value(modality, doc);
                            SeriesHit hit = new SeriesHit(studyUid, seriesUid, m == null ? "" : m, leaf.docBase + doc);
                            SeriesHit before = best.get(studyUid);
                            Map<String, List<Object>> values = new HashMap<>();
                            for (var p : paths) {
                                values.put(p.text(), pathValues.of(p, doc));
                            }
                            if (before == null || seriesUid.compareTo(before.series()) < 0) {
                                best.put(studyUid, hit);
                                if (before != null) {
                                    valuesByDoc.remove(before.doc());
                                }
                                valuesByDoc.put(hit.doc(), values);
                            }
                        }
                        smallest.clear();
                    }

                    @Override
                    public ScoreMode scoreMode() {
                        return ScoreMode.COMPLETE_NO_SCORES;
                    }
                }
                Representatives collector = new Representatives();
                s.search(q, collector);
                collector.finishSegment(); // the last segment's
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Map<String, Map<Integer, List<Object>>> values = new HashMap<>();
            for (var p : paths) {
                Map<Integer, List<Object>> byDoc = values.computeIfAbsent(p.text(), k -> new HashMap<>());
                valuesByDoc.forEach((doc, v) -> byDoc.put(doc, v.get(p.text())));
            }
            return new SeriesHits(List.copyOf(best.values()), values);
        });
    }

    /** How many series documents a query found, and each one's values of some paths, in no particular order. */
    public record SeriesValues(int count, Map<String, List<List<Object>>> values) {
    }

    /**
     * The series documents a query over series documents finds: how many, and the values of these paths
     * ({@link #valuesFromDocValues} must hold) of each, without their UIDs (for counts and facets).
     */
    public SeriesValues seriesValues(Query seriesQuery, List<org.dicomsidecar.query.AttributePath> paths) {
        Query q = new BooleanQuery.Builder().add(SERIES_DOCUMENTS, Occur.FILTER).add(seriesQuery, Occur.FILTER).build();
        if (paths.isEmpty()) {
            return new SeriesValues(countSeries(seriesQuery), Map.of());
        }
        Map<String, org.dicomsidecar.query.AttributePath> distinct = new java.util.LinkedHashMap<>();
        paths.forEach(p -> distinct.putIfAbsent(p.text(), p)); // a path faceted twice is read once
        return index.search(s -> {
            int[] count = new int[1];
            Map<String, List<List<Object>>> values = new HashMap<>();
            distinct.keySet().forEach(t -> values.put(t, new ArrayList<>()));
            try {
                s.search(q, new SimpleCollector() {
                    private PathValues pathValues;

                    @Override
                    protected void doSetNextReader(LeafReaderContext context) throws IOException {
                        pathValues = new PathValues(context.reader(), List.copyOf(distinct.values()));
                    }

                    @Override
                    public void collect(int doc) throws IOException {
                        count[0]++;
                        for (var p : distinct.values()) {
                            values.get(p.text()).add(pathValues.of(p, doc));
                        }
                    }

                    @Override
                    public ScoreMode scoreMode() {
                        return ScoreMode.COMPLETE_NO_SCORES;
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new SeriesValues(count[0], values);
        });
    }

    /**
     * The first {@code n} series documents a query over series documents finds in series UID order, after the
     * series {@code afterUid} (null: from the first): the index's sorted search, which reads the UIDs of these
     * only.
     */
    public List<SeriesHit> seriesInUidOrder(Query seriesQuery, String afterUid, int n) {
        return seriesPage(seriesQuery, afterUid, n, null).stream().map(PageRow::hit).toList();
    }

    /** A row of a page of series: the series document found, and its stored summary when asked for (else null). */
    public record PageRow(SeriesHit hit, Summary summary) {
    }

    /**
     * As {@link #seriesInUidOrder}, with each series' stored summary (the members named in {@code summaryTags}) read
     * in the same pass when {@code summaryTags} is not null: a page of QIDO-RS rows from one searcher.
     */
    public List<PageRow> seriesPage(Query seriesQuery, String afterUid, int n, Set<String> summaryTags) {
        Query q = new BooleanQuery.Builder().add(SERIES_DOCUMENTS, Occur.FILTER).add(seriesQuery, Occur.FILTER).build();
        if (n <= 0) {
            return List.of();
        }
        return index.search(s -> {
            try {
                List<PageEntry> page = firstInUidOrder(s, q, afterUid, n);
                // doc values are read forward only: leaf by leaf, in document order, then put back in UID order
                Integer[] byDoc = new Integer[page.size()];
                for (int i = 0; i < byDoc.length; i++) {
                    byDoc[i] = i;
                }
                java.util.Arrays.sort(byDoc, java.util.Comparator.comparingInt(i -> page.get(i).global()));
                PageRow[] out = new PageRow[byDoc.length];
                var leaves = s.getIndexReader().leaves();
                LeafReaderContext leaf = null;
                RepeatedValues study = null;
                RepeatedValues modality = null;
                BinaryDocValues summaries = null;
                NumericDocValues counts = null;
                for (int i : byDoc) {
                    int global = page.get(i).global();
                    if (leaf == null || global >= leaf.docBase + leaf.reader().maxDoc()) {
                        leaf = leaves.get(org.apache.lucene.index.ReaderUtil.subIndex(global, leaves));
                        study = new RepeatedValues(leaf.reader().getSortedDocValues(IndexFields.STUDY));
                        modality = new RepeatedValues(leaf.reader().getSortedDocValues(IndexFields.MODALITY));
                        if (summaryTags != null) {
                            summaries = leaf.reader().getBinaryDocValues(IndexFields.SUMMARY);
                            counts = leaf.reader().getNumericDocValues(IndexFields.COUNT);
                        }
                    }
                    int doc = global - leaf.docBase;
                    String m = modality.get(doc);
                    SeriesHit hit = new SeriesHit(study.get(doc), page.get(i).uid(), m == null ? "" : m, global);
                    Summary summary = null;
                    if (summaries != null && summaries.advanceExact(doc)) {
                        long count = counts != null && counts.advanceExact(doc) ? counts.longValue() : 0;
                        summary = Summary.read(summaries.binaryValue(), summaryTags, count);
                    }
                    out[i] = new PageRow(hit, summary);
                }
                return List.of(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** A document of a page in UID order: its number in the searcher and its series UID. */
    private record PageEntry(int global, String uid) {
    }

    /**
     * The first {@code n} documents a query finds in series UID order, after {@code afterUid} (null: from the first).
     * Within a segment the series' doc-values ordinals follow their UIDs, so each segment's matches are sorted by
     * ordinal, and the segments' sorted runs are merged by UID: one UID is read per document returned (and one per
     * segment more), never one per match, and no priority queue of {@code n} entries is kept.
     */
    private static List<PageEntry> firstInUidOrder(IndexSearcher s, Query q, String afterUid, int n)
            throws IOException {
        List<LeafReaderContext> leaves = s.getIndexReader().leaves();
        long[][] runs = new long[leaves.size()][];
        int[] lengths = new int[leaves.size()];
        SortedDocValues[] uids = new SortedDocValues[leaves.size()];
        BytesRef after = afterUid == null ? null : new BytesRef(afterUid);
        s.search(q, new SimpleCollector() {
            private int leaf;
            private int minOrd;

            @Override
            protected void doSetNextReader(LeafReaderContext context) throws IOException {
                leaf = context.ord;
                uids[leaf] = context.reader().getSortedDocValues(IndexFields.SERIES);
                runs[leaf] = new long[16];
                minOrd = 0;
                if (after != null && uids[leaf] != null) {
                    int found = uids[leaf].lookupTerm(after);
                    minOrd = found >= 0 ? found + 1 : -found - 1; // strictly after that UID
                }
            }

            @Override
            public void collect(int doc) throws IOException {
                SortedDocValues values = uids[leaf];
                if (values == null || !values.advanceExact(doc) || values.ordValue() < minOrd) {
                    return;
                }
                if (lengths[leaf] == runs[leaf].length) {
                    runs[leaf] = java.util.Arrays.copyOf(runs[leaf], runs[leaf].length * 2);
                }
                runs[leaf][lengths[leaf]++] = ((long) values.ordValue() << 32) | doc; // ordinal, then document
            }

            @Override
            public ScoreMode scoreMode() {
                return ScoreMode.COMPLETE_NO_SCORES;
            }
        });
        // each segment's run in ordinal order; the heads of the runs merged by UID
        int[] next = new int[leaves.size()];
        java.util.PriorityQueue<Object[]> heads = new java.util.PriorityQueue<>(
                (a, b) -> ((BytesRef) a[1]).compareTo((BytesRef) b[1]));
        for (int leaf = 0; leaf < runs.length; leaf++) {
            if (lengths[leaf] > 0) {
                java.util.Arrays.sort(runs[leaf], 0, lengths[leaf]);
                heads.add(new Object[] {leaf, head(uids[leaf], runs[leaf][0])});
            }
        }
        List<PageEntry> out = new ArrayList<>(Math.min(n, 1024));
        while (out.size() < n && !heads.isEmpty()) {
            Object[] smallest = heads.poll();
            int leaf = (Integer) smallest[0];
            int doc = (int) runs[leaf][next[leaf]];
            out.add(new PageEntry(leaves.get(leaf).docBase + doc, ((BytesRef) smallest[1]).utf8ToString()));
            if (++next[leaf] < lengths[leaf]) {
                heads.add(new Object[] {leaf, head(uids[leaf], runs[leaf][next[leaf]])});
            }
        }
        return out;
    }

    /** The UID of a run's entry (ordinal in the high half), copied: the doc values reuse their bytes. */
    private static BytesRef head(SortedDocValues uids, long entry) throws IOException {
        return BytesRef.deepCopyOf(uids.lookupOrd((int) (entry >>> 32)));
    }

    /** A segment's doc values of some attribute paths, read as facet values. */
    private static final class PathValues {
        private final Map<String, Object> readers = new HashMap<>();

        PathValues(org.apache.lucene.index.LeafReader r, List<org.dicomsidecar.query.AttributePath> paths)
                throws IOException {
            for (var p : paths) {
                readers.put(p.text(), p.numeric()
                        ? r.getSortedNumericDocValues(IndexFields.field(p.tags(), IndexFields.NUM))
                        : r.getSortedSetDocValues(IndexFields.field(p.tags(), IndexFields.FACET)));
            }
        }

        List<Object> of(org.dicomsidecar.query.AttributePath p, int doc) throws IOException {
            List<Object> out = new ArrayList<>();
            Object reader = readers.get(p.text());
            if (reader instanceof org.apache.lucene.index.SortedNumericDocValues n && n.advanceExact(doc)) {
                for (int i = 0; i < n.docValueCount(); i++) {
                    double d = org.apache.lucene.util.NumericUtils.sortableLongToDouble(n.nextValue());
                    if (Double.isFinite(d)) { // a number beyond a double's range is no facet value
                        out.add(java.math.BigDecimal.valueOf(d));
                    }
                }
            } else if (reader instanceof org.apache.lucene.index.SortedSetDocValues t && t.advanceExact(doc)) {
                for (int i = 0; i < t.docValueCount(); i++) {
                    out.add(t.lookupOrd(t.nextOrd()).utf8ToString());
                }
            }
            return out;
        }
    }

    /** The instance datasets of these series, from the mirror, by series UID (one request for all of them). */
    public Map<String, List<JsonObject>> instanceDatasets(Collection<Entry> series) {
        Map<String, List<JsonObject>> out = new HashMap<>();
        if (series.isEmpty()) {
            return out;
        }
        for (JsonObject doc : store.instanceDocumentsOfSeries(series.stream().map(Entry::series).toList())) {
            out.computeIfAbsent(doc.getString("series"), k -> new ArrayList<>()).add(doc.getJsonObject("dicom"));
        }
        return out;
    }

    private static JsonObject json(BytesRef utf8) {
        return Jsonp.createReader(new java.io.ByteArrayInputStream(utf8.bytes, utf8.offset, utf8.length)).readObject();
    }

    static Entry entry(BytesRef stored) {
        JsonObject json = json(stored);
        Set<String> varying = new HashSet<>();
        json.getJsonArray("varying").forEach(v -> varying.add(((JsonString) v).getString()));
        return new Entry(json.getString("study"), json.getString("series"), json.getString("modality", ""),
                json.getJsonObject("dicom"), Set.copyOf(varying), json.getInt("count", 0),
                json.get("references") instanceof JsonObject r ? r : null);
    }

    // ---- reading doc values ------------------------------------------------------------------------------

    /**
     * A segment's sorted doc values whose texts repeat among the documents one question visits (a study's UID on
     * each of its series, a modality): each ordinal's text is looked up (and decompressed) once per question.
     */
    private static final class RepeatedValues {
        private final SortedDocValues values;
        private final Map<Integer, String> texts = new HashMap<>();

        RepeatedValues(SortedDocValues values) {
            this.values = values;
        }

        String get(int doc) throws IOException {
            if (values == null || !values.advanceExact(doc)) {
                return null;
            }
            int ord = values.ordValue();
            String text = texts.get(ord);
            if (text == null) {
                text = values.lookupOrd(ord).utf8ToString();
                texts.put(ord, text);
            }
            return text;
        }
    }

    /** The doc values a pass over one segment reads (absent ones null). */
    private record Leaf(RepeatedValues study, SortedDocValues series, SortedDocValues sop, RepeatedValues modality,
                        NumericDocValues count) {
    }

    private interface Visitor {
        void visit(Leaf leaf, int doc) throws IOException;
    }

    private static void collect(IndexSearcher s, Query q, Visitor visitor) {
        try {
            s.search(q, new SimpleCollector() {
                private Leaf leaf;

                @Override
                protected void doSetNextReader(LeafReaderContext context) throws IOException {
                    var r = context.reader();
                    leaf = new Leaf(new RepeatedValues(r.getSortedDocValues(IndexFields.STUDY)),
                            r.getSortedDocValues(IndexFields.SERIES),
                            r.getSortedDocValues(IndexFields.SOP),
                            new RepeatedValues(r.getSortedDocValues(IndexFields.MODALITY)),
                            r.getNumericDocValues(IndexFields.COUNT));
                }

                @Override
                public void collect(int doc) throws IOException {
                    visitor.visit(leaf, doc);
                }

                @Override
                public ScoreMode scoreMode() {
                    return ScoreMode.COMPLETE_NO_SCORES;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String value(SortedDocValues values, int doc) throws IOException {
        return values != null && values.advanceExact(doc) ? values.lookupOrd(values.ordValue()).utf8ToString() : null;
    }

    private static Set<String> sortedValues(IndexSearcher s, Query q, String field) {
        Set<String> out = new TreeSet<>();
        collect(s, q, (leaf, doc) -> {
            String v = field.equals(IndexFields.STUDY) ? leaf.study.get(doc) : value(leaf.series, doc);
            if (v != null) {
                out.add(v);
            }
        });
        return out;
    }
}
