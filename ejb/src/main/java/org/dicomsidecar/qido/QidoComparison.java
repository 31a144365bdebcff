package org.dicomsidecar.qido;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.dicomsidecar.delegation.DelegatedRequest;
import org.dicomsidecar.delegation.DicomWebPath;
import org.dicomsidecar.delegation.DicomWebQuery;
import org.dicomsidecar.delegation.HostDicomWebClient;
import org.dicomsidecar.delegation.HostResponse;
import org.dicomsidecar.delegation.HostUnavailableException;
import org.dicomsidecar.delegation.RefusedRequestException;
import org.dicomsidecar.dicom.Tags;
import org.dicomsidecar.json.Jsonp;
import org.dicomsidecar.query.AttributePath;
import org.dicomsidecar.query.CohortQuery.Level;
import org.dicomsidecar.query.ConditionEvaluator;
import org.dicomsidecar.query.QueryException;

/**
 * Runs one QIDO-RS query against the host and against the mirror and says how the answers differ: both
 * counts and latencies, the UIDs only one side returned, attribute differences on the UIDs both returned,
 * and the query keys the host evidently ignored (its answer includes results that do not satisfy them).
 */
@ApplicationScoped
public class QidoComparison {

    private static final Set<String> NOT_COMPARED = Set.of("00081190", "00080056", "00080005");

    @Inject
    HostDicomWebClient host;

    @Inject
    MirrorQidoService mirror;

    public JsonObject compare(String query, String mirrorBase) {
        if (query == null || query.isBlank()) {
            throw new QueryException("query", "a QIDO-RS path and query is required, e.g. /studies?PatientID=123");
        }
        String path = query.contains("?") ? query.substring(0, query.indexOf('?')) : query;
        String rawQuery = query.contains("?") ? query.substring(query.indexOf('?') + 1) : null;
        try {
            // what goes to the host is what /sidecar/dicomweb would let through, nothing else (a space or '^'
            // percent-encoded, a malformed escape refused)
            path = DicomWebPath.parse("GET", path);
            rawQuery = DicomWebQuery.normalise(rawQuery);
        } catch (RefusedRequestException e) {
            throw new QueryException("query", e.getMessage());
        }
        QidoRequest request = QidoRequest.of(path).orElseThrow(() -> new QueryException("query",
                "not a QIDO-RS path: /studies, /series, /instances, /studies/{uid}/series, ..."));
        Level level = request.level();
        Map<String, List<String>> params = QidoRequest.parameters(rawQuery);
        QidoQuery q = request.query(params);
        String uidTag = level == Level.STUDY ? Tags.STUDY_INSTANCE_UID : level == Level.SERIES ? Tags.SERIES_INSTANCE_UID : Tags.SOP_INSTANCE_UID;

        long t0 = System.nanoTime();
        JsonArray hostAnswer = hostQido(path, rawQuery);
        long hostMillis = (System.nanoTime() - t0) / 1_000_000;
        t0 = System.nanoTime();
        JsonArray mirrorAnswer = mirror.query(q, mirrorBase).toJsonArray();
        long mirrorMillis = (System.nanoTime() - t0) / 1_000_000;

        Map<String, JsonObject> h = byUid(hostAnswer, uidTag);
        Map<String, JsonObject> s = byUid(mirrorAnswer, uidTag);
        JsonArrayBuilder onlyHost = Jsonp.createArrayBuilder();
        JsonArrayBuilder onlyMirror = Jsonp.createArrayBuilder();
        new TreeSet<>(h.keySet()).stream().filter(u -> !s.containsKey(u)).forEach(onlyHost::add);
        new TreeSet<>(s.keySet()).stream().filter(u -> !h.containsKey(u)).forEach(onlyMirror::add);
        JsonArrayBuilder differences = Jsonp.createArrayBuilder();
        int differing = 0;
        for (String uid : new TreeSet<>(h.keySet())) {
            if (!s.containsKey(uid)) {
                continue;
            }
            JsonObject a = h.get(uid);
            JsonObject b = s.get(uid);
            for (String tag : new TreeSet<>(a.keySet())) {
                if (NOT_COMPARED.contains(tag) || !b.containsKey(tag)) {
                    continue;
                }
                if (!comparable(a.get(tag)).equals(comparable(b.get(tag)))) {
                    differing++;
                    if (differing <= 100) {
                        differences.add(Jsonp.createObjectBuilder().add("uid", uid).add("tag", tag)
                                .add("host", a.get(tag)).add("mirror", b.get(tag)));
                    }
                }
            }
        }
        JsonArrayBuilder ignored = Jsonp.createArrayBuilder();
        for (String key : params.keySet()) {
            if (Set.of("includefield", "fuzzymatching", "limit", "offset").contains(key)) {
                continue;
            }
            QidoQuery single = QidoQuery.parse(level, null, null, Map.of(key, params.get(key)));
            AttributePath p = single.returned().iterator().next();
            long violating = h.entrySet().stream().filter(e -> !s.containsKey(e.getKey()))
                    .filter(e -> !ConditionEvaluator.matches(single.where(), e.getValue())).count();
            if (violating > 0) {
                ignored.add(Jsonp.createObjectBuilder().add("key", key).add("tag", p.leaf())
                        .add("hostResultsNotMatchingIt", violating)
                        .add("note", "the host returned results this key excludes: it did not match on it"));
            }
        }
        JsonObjectBuilder out = Jsonp.createObjectBuilder()
                .add("query", query)
                .add("level", level.name().toLowerCase(java.util.Locale.ROOT))
                .add("host", Jsonp.createObjectBuilder().add("count", hostAnswer.size()).add("millis", hostMillis))
                .add("mirror", Jsonp.createObjectBuilder().add("count", mirrorAnswer.size()).add("millis", mirrorMillis))
                .add("onlyHost", onlyHost).add("onlyMirror", onlyMirror)
                .add("attributeDifferences", differences).add("attributeDifferenceCount", differing)
                .add("keysIgnoredByHost", ignored);
        return out.add("identical", hostAnswer.size() == mirrorAnswer.size() && h.keySet().equals(s.keySet())
                && differing == 0).build();
    }

    private JsonArray hostQido(String path, String rawQuery) {
        DelegatedRequest r = new DelegatedRequest("GET", path, rawQuery,
                Map.of("Accept", List.of("application/dicom+json")), null, -1);
        try (HostResponse answer = host.forward(r); InputStream in = answer.body()) {
            if (answer.status() == 204) {
                return JsonValue.EMPTY_JSON_ARRAY;
            }
            if (answer.status() >= 500) {
                throw new HostUnavailableException(502, "host-error", "the host answered HTTP " + answer.status(), null);
            }
            if (answer.status() != 200) {
                throw new QueryException("query", "the host answered HTTP " + answer.status());
            }
            byte[] body = in.readAllBytes();
            if (body.length == 0) {
                return JsonValue.EMPTY_JSON_ARRAY;
            }
            try (var reader = Jsonp.createReader(new java.io.ByteArrayInputStream(body))) {
                return reader.readArray();
            } catch (jakarta.json.JsonException | IllegalStateException e) {
                throw new HostUnavailableException(502, "host-error", "the host's QIDO-RS answer is not a JSON array", e);
            }
        } catch (IOException e) {
            throw new HostUnavailableException(502, "host-error", "reading the host's QIDO-RS answer failed", e);
        }
    }

    /** Numbers compared as the doubles they denote; person names by their Alphabetic form. */
    private static JsonValue comparable(JsonValue v) {
        if (v.getValueType() != JsonValue.ValueType.OBJECT || !v.asJsonObject().containsKey("Value")) {
            return Jsonp.createArrayBuilder().build();
        }
        JsonArrayBuilder b = Jsonp.createArrayBuilder();
        for (JsonValue x : v.asJsonObject().getJsonArray("Value")) {
            if (x.getValueType() == JsonValue.ValueType.NUMBER) {
                b.add(((JsonNumber) x).doubleValue());
            } else {
                b.add(x);
            }
        }
        return b.build();
    }

    private static Map<String, JsonObject> byUid(JsonArray rows, String tag) {
        Map<String, JsonObject> out = new LinkedHashMap<>();
        for (JsonValue r : rows) {
            JsonObject o = r.asJsonObject();
            JsonObject e = o.getJsonObject(tag);
            if (e != null && e.containsKey("Value")) {
                out.put(e.getJsonArray("Value").getString(0), o);
            }
        }
        return out;
    }
}
