package org.dicomsidecar.cohorts;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.dicomsidecar.couchdb.CouchDatabase;
import org.dicomsidecar.couchdb.CouchRequestException;
import org.dicomsidecar.json.Jsonp;
import org.dicomsidecar.query.CohortQuery;
import org.dicomsidecar.query.CohortQueryParser;
import org.dicomsidecar.query.QueryException;

/**
 * Named cohort queries, stored as {@code cohort:<name>} documents. Each run records its count when it
 * changed, so a researcher sees the cohort grow as data arrives.
 */
@ApplicationScoped
public class SavedCohorts {

    private static final int HISTORY = 100;

    @Inject
    CouchDatabase couch;

    @Inject
    CohortService cohorts;

    public static String validName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
            throw new QueryException("name", "1-100 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return name;
    }

    /** Saves (or replaces) a named query after checking it parses; answers the saved cohort with its count. */
    public JsonObject save(String name, JsonObject query) {
        CohortQuery parsed = CohortQueryParser.parse(query);
        long count = cohorts.count(parsed);
        for (int attempt = 0; ; attempt++) {
            Optional<JsonObject> old = couch.get(id(name));
            JsonObjectBuilder doc = Jsonp.createObjectBuilder().add("_id", id(name)).add("type", "cohort")
                    .add("name", name).add("query", query)
                    .add("saved", Instant.now().toString())
                    .add("history", Jsonp.createArrayBuilder().add(point(count)));
            old.ifPresent(o -> doc.add("_rev", o.getString("_rev")));
            try {
                couch.put(doc.build());
                return describe(couch.get(id(name)).orElseThrow(), count);
            } catch (CouchRequestException e) {
                if (e.status() != 409 || attempt > 5) {
                    throw e;
                }
            }
        }
    }

    /** Runs the saved query now; its count joins the history when it changed. */
    public Optional<JsonObject> run(String name) {
        Optional<JsonObject> stored = couch.get(id(name));
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        JsonObject doc = stored.get();
        long count = cohorts.count(CohortQueryParser.parse(doc.getJsonObject("query")));
        List<JsonValue> history = doc.getJsonArray("history");
        long last = history.isEmpty() ? -1 : history.get(history.size() - 1).asJsonObject().getJsonNumber("count").longValue();
        if (count != last) {
            JsonArrayBuilder h = Jsonp.createArrayBuilder();
            history.stream().skip(Math.max(0, history.size() - HISTORY + 1)).forEach(h::add);
            h.add(point(count));
            try {
                couch.put(Jsonp.createObjectBuilder(doc).add("history", h).build());
                doc = couch.get(id(name)).orElse(doc);
            } catch (CouchRequestException conflict) {
                // another run recorded it at the same moment
            }
        }
        return Optional.of(describe(doc, count));
    }

    public List<String> names() {
        JsonObject rows = couch.query("/_all_docs?startkey=%22cohort%3A%22&endkey=%22cohort%3A%EF%BF%B0%22");
        return rows.getJsonArray("rows").stream().map(r -> r.asJsonObject().getString("id").substring(7)).toList();
    }

    public boolean delete(String name) {
        Optional<JsonObject> doc = couch.get(id(name));
        doc.ifPresent(d -> couch.bulkDocs(List.of(Jsonp.createObjectBuilder().add("_id", d.getString("_id"))
                .add("_rev", d.getString("_rev")).add("_deleted", true).build())));
        return doc.isPresent();
    }

    private static JsonObject describe(JsonObject doc, long count) {
        return Jsonp.createObjectBuilder().add("name", doc.getString("name")).add("query", doc.getJsonObject("query"))
                .add("saved", doc.getString("saved")).add("count", count).add("history", doc.getJsonArray("history"))
                .build();
    }

    private static JsonObject point(long count) {
        return Jsonp.createObjectBuilder().add("time", Instant.now().toString()).add("count", count).build();
    }

    private static String id(String name) {
        return "cohort:" + validName(name);
    }
}
