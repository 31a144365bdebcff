package org.dicomsidecar.references;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.dicomsidecar.query.QueryBudget;
import org.dicomsidecar.query.QueryDeadline;
import org.dicomsidecar.catalog.SeriesCatalog;
import org.dicomsidecar.couchdb.CouchDatabase;
import org.dicomsidecar.json.Jsonp;
import org.dicomsidecar.catalog.MirrorDocuments;

/**
 * Search by reference over the mirror: what references an instance, series or study (incoming), and what an
 * object references (outgoing), over every reference path (the {@code references} view indexes each
 * instance's references by target). Chains can be followed ({@code transitive}); targets the mirror does
 * not hold are reported as dangling.
 */
@ApplicationScoped
public class ReferenceService {

    private static final int MAX_DEPTH = 10;

    @Inject
    CouchDatabase couch;

    @Inject
    SeriesCatalog catalog;

    @Inject
    ReferenceIndex index;

    @Inject
    QueryBudget budget;

    /** What a UID names in the mirror: an instance, a series, a study, or nothing known ("unknown"). */
    public record Target(String level, String uid, String study, String series, boolean inMirror) {
        JsonObject toJson() {
            JsonObjectBuilder b = Jsonp.createObjectBuilder().add("uid", uid).add("level", level).add("inMirror", inMirror);
            if (study != null) {
                b.add("studyInstanceUID", study);
            }
            if (series != null) {
                b.add("seriesInstanceUID", series);
            }
            return b.build();
        }
    }

    /** Which results to keep (the walk itself follows every reference, so SR to SEG to CT chains are found). */
    public record Filter(Set<String> modalities, Set<String> sopClasses) {
        boolean keeps(JsonObject v) {
            return (modalities.isEmpty() || modalities.contains(v.getString("modality", "")))
                    && (sopClasses.isEmpty() || sopClasses.contains(v.getString("sopClass", "")));
        }
    }

    /** What a UID names: a series or study of the catalog (brought up to date first), else an instance. */
    public Target resolve(String uid) {
        catalog.current();
        return resolveCurrent(uid);
    }

    private Target resolveCurrent(String uid) {
        SeriesCatalog.Entry series = catalog.series(uid);
        if (series != null) {
            return new Target("series", uid, series.study(), uid, true);
        }
        if (!catalog.ofStudy(uid).isEmpty()) {
            return new Target("study", uid, uid, null, true);
        }
        Optional<JsonObject> instance = couch.get(MirrorDocuments.instanceId(uid));
        if (instance.isPresent()) {
            return new Target("instance", uid, instance.get().getString("study"), instance.get().getString("series"), true);
        }
        return new Target("unknown", uid, null, null, false);
    }

    /** Every object that references the target (and, transitively, what references those). */
    public JsonObject incoming(String uid, boolean transitive, Filter filter) {
        QueryDeadline deadline = budget.start();
        Target target = resolve(uid);
        Map<String, JsonObject> found = new LinkedHashMap<>();
        Map<String, Integer> depthOfSop = new HashMap<>();
        Deque<List<String>> frontier = new ArrayDeque<>();
        frontier.add(keysFor(target));
        Set<String> targetSops = Set.copyOf(instancesOf(target));
        for (int depth = 1; !frontier.isEmpty() && depth <= (transitive ? MAX_DEPTH : 1); depth++) {
            List<String> keys = frontier.poll();
            List<String> next = new ArrayList<>();
            for (ReferenceIndex.Row v : rows(keys, deadline)) {
                deadline.check();
                String sop = v.sop();
                if (targetSops.contains(sop) || (target.level().equals("instance") && sop.equals(uid))) {
                    continue; // the target's own instances referencing each other
                }
                String key = sop + "|" + v.path() + "|" + v.target();
                if (found.putIfAbsent(key, withDepth(v, depth)) == null && !depthOfSop.containsKey(sop)) {
                    depthOfSop.put(sop, depth);
                    next.add(ReferenceIndex.key("uid", sop));
                }
            }
            if (!next.isEmpty()) {
                frontier.add(next);
            }
        }
        return answer(target, "incoming", transitive, found.values(), filter);
    }

    /** Everything the object's instances reference, each target resolved in the mirror or marked dangling. */
    public JsonObject outgoing(String uid, boolean transitive, Filter filter) {
        QueryDeadline deadline = budget.start();
        Target target = resolve(uid);
        Map<String, JsonObject> found = new LinkedHashMap<>();
        Deque<List<String>> frontier = new ArrayDeque<>();
        frontier.add(instancesOf(target));
        Set<String> visited = new java.util.HashSet<>(frontier.peek());
        for (int depth = 1; !frontier.isEmpty() && depth <= (transitive ? MAX_DEPTH : 1); depth++) {
            List<String> sources = frontier.poll();
            List<String> next = new ArrayList<>();
            for (JsonObject source : couch.getAll(sources.stream().map(MirrorDocuments::instanceId).toList())) {
                JsonValue refs = source.get("references");
                if (refs == null || refs.getValueType() != JsonValue.ValueType.ARRAY) {
                    continue;
                }
                for (JsonValue r : refs.asJsonArray()) {
                    deadline.check();
                    JsonObject ref = r.asJsonObject();
                    String key = source.getString("sop") + "|" + ref.getString("path") + "|" + ref.getString("uid");
                    if (found.containsKey(key)) {
                        continue;
                    }
                    Target t = resolveCurrent(ref.getString("uid"));
                    JsonObjectBuilder b = Jsonp.createObjectBuilder()
                            .add("source", source.getString("sop"))
                            .add("path", ref.getString("path"))
                            .add("level", ref.getString("level"))
                            .add("target", ref.getString("uid"))
                            .add("depth", depth)
                            .add("dangling", !t.inMirror());
                    String study = t.study() != null ? t.study() : ref.getString("study", null);
                    String series = t.series() != null ? t.series() : ref.getString("series", null);
                    if (study != null) {
                        b.add("studyInstanceUID", study);
                    }
                    if (series != null) {
                        b.add("seriesInstanceUID", series);
                    }
                    if (t.level().equals("instance")) {
                        b.add("sopInstanceUID", t.uid());
                        couch.get(MirrorDocuments.instanceId(t.uid())).ifPresent(d -> {
                            addIfPresent(b, "sopClass", d.getString("sopClass", null));
                            addIfPresent(b, "modality", d.getString("modality", null));
                            addIfPresent(b, "seriesDescription", d.getString("seriesDescription", null));
                        });
                        if (visited.add(t.uid())) {
                            next.add(t.uid());
                        }
                    } else {
                        addIfPresent(b, "sopClass", ref.getString("sopClass", null));
                    }
                    found.put(key, b.build());
                }
            }
            if (!next.isEmpty()) {
                frontier.add(next);
            }
        }
        return answer(target, "outgoing", transitive, found.values(), filter);
    }

    private static JsonObject answer(Target target, String direction, boolean transitive,
                                     Collection<JsonObject> found, Filter filter) {
        JsonArrayBuilder refs = Jsonp.createArrayBuilder();
        found.stream().filter(filter::keeps).forEach(refs::add);
        return Jsonp.createObjectBuilder().add("target", target.toJson()).add("direction", direction)
                .add("transitive", transitive).add("references", refs).build();
    }

    /** Index keys that find references to the target: to it by UID, and to anything inside it. */
    private List<String> keysFor(Target target) {
        List<String> keys = new ArrayList<>();
        keys.add(ReferenceIndex.key("uid", target.uid()));
        if (target.level().equals("series")) {
            keys.add(ReferenceIndex.key("series", target.uid()));
            instancesOf(target).forEach(sop -> keys.add(ReferenceIndex.key("uid", sop)));
        } else if (target.level().equals("study")) {
            keys.add(ReferenceIndex.key("study", target.uid()));
            List<SeriesCatalog.Entry> series = catalog.ofStudy(target.uid());
            Map<String, List<String>> instances = catalog.instancesOf(series.stream().map(SeriesCatalog.Entry::series)
                    .toList());
            for (SeriesCatalog.Entry e : series) {
                keys.add(ReferenceIndex.key("uid", e.series()));
                keys.add(ReferenceIndex.key("series", e.series()));
                instances.getOrDefault(e.series(), List.of()).forEach(sop -> keys.add(ReferenceIndex.key("uid", sop)));
            }
        }
        return keys;
    }

    private List<String> instancesOf(Target target) {
        return switch (target.level()) {
            case "instance" -> List.of(target.uid());
            case "series" -> catalog.instancesOf(List.of(target.uid())).getOrDefault(target.uid(), List.of());
            case "study" -> catalog.instancesOf(catalog.ofStudy(target.uid()).stream().map(SeriesCatalog.Entry::series)
                    .toList()).values().stream().flatMap(List::stream).toList();
            default -> List.of();
        };
    }

    /** The references under these keys: from memory, or from the view while older series documents remain. */
    private List<ReferenceIndex.Row> rows(List<String> keys, QueryDeadline deadline) {
        if (index.complete()) {
            return index.rows(keys, deadline);
        }
        List<ReferenceIndex.Row> out = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += 1000) {
            deadline.check();
            JsonArrayBuilder k = Jsonp.createArrayBuilder();
            keys.subList(from, Math.min(keys.size(), from + 1000)).forEach(key -> {
                int colon = key.indexOf(':');
                k.add(Jsonp.createArrayBuilder().add(key.substring(0, colon)).add(key.substring(colon + 1)));
            });
            JsonObject answer = couch.post("/_design/references/_view/by_target",
                    Jsonp.createObjectBuilder().add("keys", k).build().toString());
            answer.getJsonArray("rows").forEach(r -> {
                JsonObject v = r.asJsonObject().getJsonObject("value");
                out.add(new ReferenceIndex.Row(v.getString("study"), v.getString("series"), v.getString("sop"),
                        text(v, "sopClass"), text(v, "modality"), text(v, "seriesDescription"), v.getString("path"),
                        v.getString("level"), v.getString("target")));
            });
        }
        return out;
    }

    private static String text(JsonObject o, String key) {
        return o.containsKey(key) && !o.isNull(key) ? o.getString(key) : null;
    }

    private static JsonObject withDepth(ReferenceIndex.Row v, int depth) {
        JsonObjectBuilder b = Jsonp.createObjectBuilder()
                .add("studyInstanceUID", v.study())
                .add("seriesInstanceUID", v.series())
                .add("sopInstanceUID", v.sop());
        addIfPresent(b, "sopClass", v.sopClass());
        addIfPresent(b, "modality", v.modality());
        addIfPresent(b, "seriesDescription", v.seriesDescription());
        return b.add("path", v.path()).add("level", v.level())
                .add("target", v.target()).add("depth", depth).build();
    }

    private static void addIfPresent(JsonObjectBuilder b, String key, String value) {
        if (value != null) {
            b.add(key, value);
        }
    }
}
