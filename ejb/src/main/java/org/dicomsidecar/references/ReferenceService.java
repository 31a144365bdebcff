package org.dicomsidecar.references;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
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
import org.dicomsidecar.cohorts.SeriesCatalog;
import org.dicomsidecar.couchdb.CouchDatabase;
import org.dicomsidecar.mirror.MirrorDocuments;

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

    /** What a UID names in the mirror: an instance, a series, a study, or nothing known ("unknown"). */
    public record Target(String level, String uid, String study, String series, boolean inMirror) {
        JsonObject toJson() {
            JsonObjectBuilder b = Json.createObjectBuilder().add("uid", uid).add("level", level).add("inMirror", inMirror);
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

    public Target resolve(String uid) {
        return resolve(uid, catalog.current());
    }

    /** @param all the catalog as read once for the whole request */
    private Target resolve(String uid, Collection<SeriesCatalog.Entry> all) {
        Optional<JsonObject> instance = couch.get(MirrorDocuments.instanceId(uid));
        if (instance.isPresent()) {
            return new Target("instance", uid, instance.get().getString("study"), instance.get().getString("series"), true);
        }
        for (SeriesCatalog.Entry e : all) {
            if (e.series().equals(uid)) {
                return new Target("series", uid, e.study(), uid, true);
            }
        }
        for (SeriesCatalog.Entry e : all) {
            if (e.study().equals(uid)) {
                return new Target("study", uid, uid, null, true);
            }
        }
        return new Target("unknown", uid, null, null, false);
    }

    /** Every object that references the target (and, transitively, what references those). */
    public JsonObject incoming(String uid, boolean transitive, Filter filter) {
        Collection<SeriesCatalog.Entry> series = catalog.current();
        Target target = resolve(uid, series);
        Map<String, JsonObject> found = new LinkedHashMap<>();
        Map<String, Integer> depthOfSop = new HashMap<>();
        Deque<List<JsonValue>> frontier = new ArrayDeque<>();
        frontier.add(keysFor(target, series));
        Set<String> targetSops = Set.copyOf(instancesOf(target, series));
        for (int depth = 1; !frontier.isEmpty() && depth <= (transitive ? MAX_DEPTH : 1); depth++) {
            List<JsonValue> keys = frontier.poll();
            List<JsonValue> next = new ArrayList<>();
            for (JsonObject v : rows(keys)) {
                String sop = v.getString("sop");
                if (targetSops.contains(sop) || (target.level().equals("instance") && sop.equals(uid))) {
                    continue; // the target's own instances referencing each other
                }
                String key = sop + "|" + v.getString("path") + "|" + v.getString("target");
                if (found.putIfAbsent(key, withDepth(v, depth)) == null && !depthOfSop.containsKey(sop)) {
                    depthOfSop.put(sop, depth);
                    next.add(Json.createArrayBuilder().add("uid").add(sop).build());
                }
            }
            if (!next.isEmpty()) {
                frontier.add(next);
            }
        }
        JsonArrayBuilder refs = Json.createArrayBuilder();
        found.values().stream().filter(filter::keeps).forEach(refs::add);
        return Json.createObjectBuilder().add("target", target.toJson()).add("direction", "incoming")
                .add("transitive", transitive).add("references", refs).build();
    }

    /** Everything the object's instances reference, each target resolved in the mirror or marked dangling. */
    public JsonObject outgoing(String uid, boolean transitive, Filter filter) {
        Collection<SeriesCatalog.Entry> catalogNow = catalog.current();
        Target target = resolve(uid, catalogNow);
        Map<String, JsonObject> found = new LinkedHashMap<>();
        Deque<List<String>> frontier = new ArrayDeque<>();
        frontier.add(instancesOf(target, catalogNow));
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
                    JsonObject ref = r.asJsonObject();
                    String key = source.getString("sop") + "|" + ref.getString("path") + "|" + ref.getString("uid");
                    if (found.containsKey(key)) {
                        continue;
                    }
                    Target t = resolve(ref.getString("uid"), catalogNow);
                    JsonObjectBuilder b = Json.createObjectBuilder()
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
        JsonArrayBuilder refs = Json.createArrayBuilder();
        found.values().stream().filter(filter::keeps).forEach(refs::add);
        return Json.createObjectBuilder().add("target", target.toJson()).add("direction", "outgoing")
                .add("transitive", transitive).add("references", refs).build();
    }

    /** View keys that find references to the target: to it by UID, and to anything inside it. */
    private List<JsonValue> keysFor(Target target, Collection<SeriesCatalog.Entry> series) {
        List<JsonValue> keys = new ArrayList<>();
        keys.add(key("uid", target.uid()));
        if (target.level().equals("series")) {
            keys.add(key("series", target.uid()));
            instancesOf(target, series).forEach(sop -> keys.add(key("uid", sop)));
        } else if (target.level().equals("study")) {
            keys.add(key("study", target.uid()));
            for (SeriesCatalog.Entry e : series) {
                if (e.study().equals(target.uid())) {
                    keys.add(key("uid", e.series()));
                    keys.add(key("series", e.series()));
                    e.instances().forEach(sop -> keys.add(key("uid", sop)));
                }
            }
        }
        return keys;
    }

    private static List<String> instancesOf(Target target, Collection<SeriesCatalog.Entry> series) {
        return switch (target.level()) {
            case "instance" -> List.of(target.uid());
            case "series" -> series.stream().filter(e -> e.series().equals(target.uid()))
                    .flatMap(e -> e.instances().stream()).toList();
            case "study" -> series.stream().filter(e -> e.study().equals(target.uid()))
                    .flatMap(e -> e.instances().stream()).toList();
            default -> List.of();
        };
    }

    private List<JsonObject> rows(List<JsonValue> keys) {
        List<JsonObject> out = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += 1000) {
            JsonArrayBuilder k = Json.createArrayBuilder();
            keys.subList(from, Math.min(keys.size(), from + 1000)).forEach(k::add);
            JsonObject answer = couch.post("/_design/references/_view/by_target",
                    Json.createObjectBuilder().add("keys", k).build().toString());
            answer.getJsonArray("rows").forEach(r -> out.add(r.asJsonObject().getJsonObject("value")));
        }
        return out;
    }

    private static JsonObject withDepth(JsonObject v, int depth) {
        JsonObjectBuilder b = Json.createObjectBuilder()
                .add("studyInstanceUID", v.getString("study"))
                .add("seriesInstanceUID", v.getString("series"))
                .add("sopInstanceUID", v.getString("sop"));
        addIfPresent(b, "sopClass", v.isNull("sopClass") ? null : v.getString("sopClass"));
        addIfPresent(b, "modality", v.isNull("modality") ? null : v.getString("modality"));
        addIfPresent(b, "seriesDescription", v.isNull("seriesDescription") ? null : v.getString("seriesDescription"));
        return b.add("path", v.getString("path")).add("level", v.getString("level"))
                .add("target", v.getString("target")).add("depth", depth).build();
    }

    private static void addIfPresent(JsonObjectBuilder b, String key, String value) {
        if (value != null) {
            b.add(key, value);
        }
    }

    private static JsonValue key(String kind, String uid) {
        return Json.createArrayBuilder().add(kind).add(uid).build();
    }
}
