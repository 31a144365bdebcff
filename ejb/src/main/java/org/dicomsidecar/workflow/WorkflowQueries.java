package org.dicomsidecar.workflow;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.dicomsidecar.query.CohortQuery;
import org.dicomsidecar.query.CohortQueryParser;
import org.dicomsidecar.cohorts.CohortService;
import org.dicomsidecar.query.JsonFields;
import org.dicomsidecar.query.QueryBudget;
import org.dicomsidecar.query.QueryDeadline;
import org.dicomsidecar.query.QueryException;
import org.dicomsidecar.couchdb.CouchDatabase;
import org.dicomsidecar.couchdb.CouchRequestException;
import org.dicomsidecar.json.Jsonp;

/**
 * Questions about workflow state: studies where a step is (or is not) in a state, studies with or without a
 * fact ("CT studies without a MANUAL segmentation"), combinable with a cohort condition; and the feed of
 * workflow changes that agents long-poll to wait for work.
 */
@ApplicationScoped
public class WorkflowQueries {

    private static final Set<String> KEYS = Set.of("where", "has", "lacks", "limit", "cursor");

    @Inject
    WorkflowService workflow;

    @Inject
    CohortService cohorts;

    @Inject
    CouchDatabase couch;

    @Inject
    QueryBudget budget;

    /** A requirement: a step (in a state, or in any) or a fact (containing a value, or true). */
    record Requirement(String step, String state, String fact, String contains) {
        boolean holds(StudyFacts facts, Map<String, JsonObject> steps) {
            if (step != null) {
                JsonObject s = steps.get(step);
                return s != null && (state == null || state.equals(s.getString("state")));
            }
            return facts != null && facts.values(fact).contains(contains == null ? "true" : contains);
        }
    }

    public JsonObject query(JsonValue json) {
        if (json.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new QueryException("query", "must be a JSON object");
        }
        JsonObject q = json.asJsonObject();
        for (String k : q.keySet()) {
            if (!KEYS.contains(k)) {
                throw new QueryException("query." + k, "unknown key; allowed: " + String.join(", ", new TreeSet<>(KEYS)));
            }
        }
        List<Requirement> has = requirements(q, "has");
        List<Requirement> lacks = requirements(q, "lacks");
        int limit = JsonFields.wholeNumber(q, "limit", "limit", 1, CohortQueryParser.MAX_LIMIT, 100);
        String cursor = JsonFields.optionalString(q, "cursor", "cursor");

        QueryDeadline deadline = budget.start();
        Set<String> candidates = null;
        if (q.containsKey("where")) {
            CohortQuery cohort = CohortQueryParser.parse(Jsonp.createObjectBuilder().add("level", "study")
                    .add("where", q.get("where")).add("limit", 1).build());
            candidates = new TreeSet<>();
            for (JsonObject r : cohorts.all(cohort, deadline)) {
                candidates.add(r.getString("studyInstanceUID"));
            }
        }
        Map<String, StudyFacts> facts = workflow.facts(candidates, deadline);
        Map<String, List<JsonObject>> stepDocs = workflow.steps(null);
        List<String> matching = new ArrayList<>();
        for (Map.Entry<String, StudyFacts> e : facts.entrySet()) {
            deadline.check();
            Map<String, JsonObject> steps = studySteps(stepDocs.get(e.getKey()));
            if (has.stream().allMatch(r -> r.holds(e.getValue(), steps))
                    && lacks.stream().noneMatch(r -> r.holds(e.getValue(), steps))) {
                matching.add(e.getKey());
            }
        }
        int from = 0;
        if (cursor != null) {
            while (from < matching.size() && matching.get(from).compareTo(cursor) <= 0) {
                from++;
            }
        }
        int to = Math.min(matching.size(), from + limit);
        JsonArrayBuilder results = Jsonp.createArrayBuilder();
        for (String study : matching.subList(from, to)) {
            results.add(WorkflowService.studyJson(study, facts.get(study), stepDocs.getOrDefault(study, List.of())));
        }
        var out = Jsonp.createObjectBuilder().add("count", matching.size()).add("results", results);
        if (to < matching.size()) {
            out.add("next", matching.get(to - 1));
        } else {
            out.addNull("next");
        }
        return out.build();
    }

    /** The database's current position in the change feed: where a long-poll without {@code since} starts. */
    public String now() {
        return couch.updateSequence();
    }

    /**
     * One look at the workflow changes after {@code token} (a token from an earlier answer): the answer
     * {@code {"changes": [...], "next": token}}, whose changes array is empty when no step changed since.
     * Agents wait on it through {@link WorkflowLongPolls}.
     */
    public JsonObject changesSince(String token) {
        JsonObject c;
        try {
            c = couch.query("/_changes?limit=1000&since=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
        } catch (CouchRequestException e) {
            if (e.status() >= 400 && e.status() < 500) {
                throw new QueryException("since", "must be the \"next\" token of an earlier answer");
            }
            throw e;
        }
        List<String> ids = new ArrayList<>();
        for (JsonValue v : c.getJsonArray("results")) {
            JsonObject r = v.asJsonObject();
            if (r.getString("id").startsWith("step:") && !r.getBoolean("deleted", false)) {
                ids.add(r.getString("id"));
            }
        }
        String next = CouchDatabase.sequence(c.get("last_seq"));
        JsonArrayBuilder changes = Jsonp.createArrayBuilder();
        if (!ids.isEmpty()) {
            for (JsonObject doc : couch.getAll(ids)) {
                JsonObject d = WorkflowService.describe(doc);
                JsonArray history = d.getJsonArray("history");
                changes.add(Jsonp.createObjectBuilder(d).remove("history")
                        .add("change", history.get(history.size() - 1)));
            }
        }
        return Jsonp.createObjectBuilder().add("changes", changes).add("next", next).build();
    }

    private static Map<String, JsonObject> studySteps(List<JsonObject> docs) {
        Map<String, JsonObject> out = new HashMap<>();
        if (docs != null) {
            docs.stream().filter(d -> !d.containsKey("series")).forEach(d -> out.put(d.getString("step"), d));
        }
        return out;
    }

    private static List<Requirement> requirements(JsonObject q, String key) {
        List<Requirement> out = new ArrayList<>();
        if (!q.containsKey(key)) {
            return out;
        }
        if (q.get(key).getValueType() != JsonValue.ValueType.ARRAY) {
            throw new QueryException(key, "must be an array of {\"step\": ...} or {\"fact\": ...}");
        }
        JsonArray a = q.getJsonArray(key);
        for (int i = 0; i < a.size(); i++) {
            String at = key + "[" + i + "]";
            if (a.get(i).getValueType() != JsonValue.ValueType.OBJECT) {
                throw new QueryException(at, "must be an object");
            }
            JsonObject r = a.getJsonObject(i);
            if (r.containsKey("step") == r.containsKey("fact")) {
                throw new QueryException(at, "needs either \"step\" (with an optional \"state\") or \"fact\" "
                        + "(with \"contains\" for modalities and segmentAlgorithmTypes)");
            }
            if (r.containsKey("step")) {
                for (String k : r.keySet()) {
                    if (!k.equals("step") && !k.equals("state")) {
                        throw new QueryException(at + "." + k, "unknown key; a step requirement has step and state");
                    }
                }
                out.add(new Requirement(WorkflowService.validStepName(JsonFields.requiredString(r, "step", at + ".step")),
                        JsonFields.optionalString(r, "state", at + ".state"), null, null));
            } else {
                String fact = JsonFields.requiredString(r, "fact", at + ".fact");
                if (!StudyFacts.NAMES.contains(fact)) {
                    throw new QueryException(at + ".fact", "unknown fact; known: " + String.join(", ", StudyFacts.NAMES));
                }
                for (String k : r.keySet()) {
                    if (!k.equals("fact") && !k.equals("contains")) {
                        throw new QueryException(at + "." + k, "unknown key; a fact requirement has fact and contains");
                    }
                }
                String contains = JsonFields.optionalString(r, "contains", at + ".contains");
                if (contains == null && (fact.equals("modalities") || fact.equals("segmentAlgorithmTypes"))) {
                    throw new QueryException(at + ".contains", "is required for " + fact);
                }
                out.add(new Requirement(null, null, fact, contains));
            }
        }
        return out;
    }
}
