package org.dicomsidecar.workflow;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.dicomsidecar.query.AttributePath;
import org.dicomsidecar.query.ConditionEvaluator;
import org.dicomsidecar.query.QueryDeadline;
import org.dicomsidecar.query.QueryException;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.util.BytesRef;
import org.dicomsidecar.catalog.MirrorDocuments;
import org.dicomsidecar.catalog.SeriesCatalog;
import org.dicomsidecar.index.IndexFields;
import org.dicomsidecar.dicom.DicomUid;
import org.dicomsidecar.json.Jsonp;

/**
 * Workflow state per study (and per series): named steps that pipelines set, with state, actor, note and
 * times, optimistic concurrency on the document revision (the ETag), and their full history; facts derived
 * from the mirror; and a change feed agents can wait on. Steps are documents
 * {@code step:<study>[/<series>]:<name>}.
 */
@ApplicationScoped
public class WorkflowService {

    private static final String PREFIX = "step:";
    private static final AttributePath SEGMENT_ALGORITHM_TYPE =
            AttributePath.parse("SegmentSequence.SegmentAlgorithmType", "fact");

    @Inject
    StepStore store;

    @Inject
    SeriesCatalog catalog;

    @Inject
    WorkflowLongPolls longPolls;

    /** A step as answered, with its ETag (the document revision). */
    public record Step(JsonObject json, String etag) {
    }

    public static String validStepName(String name) {
        if (name == null || !name.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
            throw new QueryException("step", "a step name is 1-64 lower-case letters, digits, '.', '_' or '-'");
        }
        return name;
    }

    /**
     * Sets a step's state. {@code ifMatch}: null for an unconditional write, "*" to require that the step
     * exists, else the ETag the caller last saw (a stale one gives {@link StaleUpdateException}).
     */
    public Step put(String study, String series, String name, JsonObject body, String ifMatch) {
        uid(study, "study");
        if (series != null) {
            uid(series, "series");
        }
        validStepName(name);
        String state = text(body, "state", 64, true);
        if (!state.matches("[A-Za-z0-9][A-Za-z0-9 ._-]*")) {
            throw new QueryException("state", "letters, digits, space, '.', '_' or '-'");
        }
        String actor = text(body, "actor", 128, false);
        String note = text(body, "note", 4096, false);
        String id = id(study, series, name);
        Optional<JsonObject> old = store.get(id);
        if (ifMatch != null) {
            String current = old.map(o -> o.getString("_rev")).orElse(null);
            if (current == null || (!ifMatch.equals("*") && !ifMatch.equals(current))) {
                throw new StaleUpdateException(current == null ? "the step does not exist yet"
                        : "the step changed since " + ifMatch, current);
            }
        }
        String now = Instant.now().toString();
        JsonObjectBuilder entry = Jsonp.createObjectBuilder().add("state", state).add("time", now);
        if (actor != null) {
            entry.add("actor", actor);
        }
        if (note != null) {
            entry.add("note", note);
        }
        JsonArrayBuilder history = Jsonp.createArrayBuilder();
        old.ifPresent(o -> o.getJsonArray("history").forEach(history::add));
        history.add(entry);
        JsonObjectBuilder doc = Jsonp.createObjectBuilder().add("_id", id).add("type", "step").add("study", study)
                .add("step", name).add("state", state).add("updated", now)
                .add("created", old.map(o -> o.getString("created")).orElse(now)).add("history", history);
        if (series != null) {
            doc.add("series", series);
        }
        if (actor != null) {
            doc.add("actor", actor);
        }
        if (note != null) {
            doc.add("note", note);
        }
        old.ifPresent(o -> doc.add("_rev", o.getString("_rev")));
        Optional<String> written = store.put(doc.build());
        if (written.isEmpty()) { // someone else wrote between our read and our write
            throw new StaleUpdateException("the step changed meanwhile", store.get(id).map(o -> o.getString("_rev"))
                    .orElse(null));
        }
        longPolls.changed();
        return new Step(describe(store.get(id).orElseThrow()), written.get());
    }

    public Optional<Step> get(String study, String series, String name) {
        return store.get(id(study, series, validStepName(name)))
                .map(d -> new Step(describe(d), d.getString("_rev")));
    }

    /** A study's facts and all its steps (study- and series-level). */
    public JsonObject study(String study) {
        uid(study, "study");
        Map<String, StudyFacts> facts = facts(Set.of(study), QueryDeadline.none());
        Map<String, List<JsonObject>> steps = steps(Set.of(study));
        return studyJson(study, facts.get(study), steps.getOrDefault(study, List.of()));
    }

    private Map<String, StudyFacts> factsOfAll;
    private long factsOfAllVersion = -1;

    /**
     * Facts of these studies (or of every study when {@code studies} is null), from the mirror as it is now.
     * Those of every study are derived again only after the catalog changed (absence questions ask for all).
     */
    public Map<String, StudyFacts> facts(Set<String> studies, QueryDeadline deadline) {
        catalog.current();
        if (studies != null) {
            return facts(SeriesCatalog.ofStudies(studies),
                    deadline);
        }
        synchronized (this) {
            long version = catalog.version();
            if (version != factsOfAllVersion) {
                factsOfAll = Collections.unmodifiableMap(facts(new MatchAllDocsQuery(), deadline));
                factsOfAllVersion = version;
            }
            return factsOfAll;
        }
    }

    /**
     * The facts of the studies of the series a query finds: modalities and counts from the index's doc values;
     * segmentation algorithm types from the SEG series' shared attributes, or their instances where they vary.
     */
    private Map<String, StudyFacts> facts(Query seriesQuery, QueryDeadline deadline) {
        Map<String, Set<String>> modalities = new HashMap<>();
        Map<String, Set<String>> algorithms = new HashMap<>();
        Map<String, int[]> counts = new HashMap<>();
        List<BytesRef> segs = new ArrayList<>();
        for (SeriesCatalog.SeriesRow r : catalog.seriesRows(seriesQuery)) {
            deadline.check();
            modalities.computeIfAbsent(r.study(), k -> new HashSet<>()).add(r.modality());
            int[] c = counts.computeIfAbsent(r.study(), k -> new int[2]);
            c[0]++;
            c[1] += (int) r.instanceCount();
            algorithms.computeIfAbsent(r.study(), k -> new HashSet<>());
            if ("SEG".equals(r.modality())) {
                segs.add(new BytesRef(MirrorDocuments.seriesId(r.series())));
            }
        }
        List<SeriesCatalog.Entry> segsToOpen = new ArrayList<>();
        if (!segs.isEmpty()) {
            for (SeriesCatalog.Entry e : catalog.entries(new TermInSetQuery(IndexFields.ID, segs), deadline)) {
                if (e.varying().contains(SEGMENT_ALGORITHM_TYPE.tags().get(0))) {
                    segsToOpen.add(e);
                } else {
                    Set<String> types = algorithms.get(e.study());
                    ConditionEvaluator.values(e.dicom(), SEGMENT_ALGORITHM_TYPE).forEach(v -> {
                        if (v != null && types != null) {
                            types.add(v.toString());
                        }
                    });
                }
            }
        }
        Map<String, List<JsonObject>> segInstances = catalog.instanceDatasets(segsToOpen);
        for (SeriesCatalog.Entry e : segsToOpen) {
            deadline.check();
            for (JsonObject dicom : segInstances.getOrDefault(e.series(), List.of())) {
                ConditionEvaluator.values(dicom, SEGMENT_ALGORITHM_TYPE).forEach(v -> {
                    if (v != null) {
                        algorithms.get(e.study()).add(v.toString());
                    }
                });
            }
        }
        Map<String, StudyFacts> out = new TreeMap<>();
        modalities.forEach((study, m) -> {
            m.remove("");
            out.put(study, new StudyFacts(study, Set.copyOf(m), Set.copyOf(algorithms.get(study)),
                    counts.get(study)[0], counts.get(study)[1]));
        });
        return out;
    }

    /** Every step document, by study (studies null: all). */
    public Map<String, List<JsonObject>> steps(Set<String> studies) {
        Map<String, List<JsonObject>> out = new HashMap<>();
        if (studies != null && studies.size() == 1) {
            String s = studies.iterator().next();
            collectSteps(out, PREFIX + s, PREFIX + s + "\ufff0");
        } else {
            collectSteps(out, PREFIX, PREFIX + "\ufff0");
        }
        if (studies != null) {
            out.keySet().retainAll(studies);
        }
        return out;
    }

    private void collectSteps(Map<String, List<JsonObject>> out, String from, String to) {
        for (JsonObject doc : store.range(from, to)) {
            out.computeIfAbsent(doc.getString("study"), k -> new ArrayList<>()).add(doc);
        }
    }

    static JsonObject studyJson(String study, StudyFacts facts, List<JsonObject> steps) {
        JsonObjectBuilder s = Jsonp.createObjectBuilder();
        JsonArrayBuilder seriesSteps = Jsonp.createArrayBuilder();
        for (JsonObject d : steps) {
            if (d.containsKey("series")) {
                seriesSteps.add(describe(d));
            } else {
                s.add(d.getString("step"), summary(d));
            }
        }
        return Jsonp.createObjectBuilder().add("studyInstanceUID", study)
                .add("inMirror", facts != null)
                .add("facts", facts == null ? JsonValue.NULL : facts.toJson())
                .add("steps", s).add("seriesSteps", seriesSteps).build();
    }

    static JsonObject describe(JsonObject doc) {
        JsonObjectBuilder b = Jsonp.createObjectBuilder().add("studyInstanceUID", doc.getString("study"));
        if (doc.containsKey("series")) {
            b.add("seriesInstanceUID", doc.getString("series"));
        }
        b.add("step", doc.getString("step")).add("state", doc.getString("state"))
                .add("created", doc.getString("created")).add("updated", doc.getString("updated"));
        if (doc.containsKey("actor")) {
            b.add("actor", doc.getString("actor"));
        }
        if (doc.containsKey("note")) {
            b.add("note", doc.getString("note"));
        }
        return b.add("history", doc.getJsonArray("history")).build();
    }

    private static JsonObject summary(JsonObject doc) {
        JsonObjectBuilder b = Jsonp.createObjectBuilder().add("state", doc.getString("state"))
                .add("updated", doc.getString("updated"));
        if (doc.containsKey("actor")) {
            b.add("actor", doc.getString("actor"));
        }
        return b.build();
    }

    static String id(String study, String series, String name) {
        return PREFIX + study + (series == null ? "" : "/" + series) + ":" + name;
    }

    private static void uid(String uid, String field) {
        String problem = DicomUid.problem(uid, field);
        if (problem != null) {
            throw new QueryException(field, problem);
        }
    }

    private static String text(JsonObject body, String key, int max, boolean required) {
        if (!body.containsKey(key) || body.isNull(key)) {
            if (required) {
                throw new QueryException(key, "is required");
            }
            return null;
        }
        if (body.get(key).getValueType() != JsonValue.ValueType.STRING) {
            throw new QueryException(key, "must be a string");
        }
        String v = body.getString(key);
        if (v.isBlank() && required) {
            throw new QueryException(key, "must not be empty");
        }
        if (v.length() > max) {
            throw new QueryException(key, "at most " + max + " characters");
        }
        return v;
    }
}
