package org.dicomsidecar.it;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/** Test access to the mirror (read straight from CouchDB) and to the host (Orthanc's REST and DICOMweb). */
final class Mirror {

    private Mirror() {
    }

    static String db() {
        return ExternalServices.couchDbUrl() + "/dicom-sidecar";
    }

    static Optional<JsonObject> doc(String id) {
        HttpResponse<byte[]> r = Http.get(db() + "/" + URLEncoder.encode(id, StandardCharsets.UTF_8), "application/json");
        return r.statusCode() == 200 ? Optional.of(Http.json(r.body()).asJsonObject()) : Optional.empty();
    }

    static Optional<JsonObject> instance(String sop) {
        return doc("instance:" + sop);
    }

    /** Every SOP Instance UID in the mirror. */
    static Set<String> instances() {
        String url = db() + "/_all_docs?startkey=" + enc("\"instance:\"") + "&endkey=" + enc("\"instance:\ufff0\"");
        Set<String> out = new HashSet<>();
        for (JsonValue row : Http.json(Http.get(url, "application/json").body()).asJsonObject().getJsonArray("rows")) {
            out.add(row.asJsonObject().getString("id").substring("instance:".length()));
        }
        return out;
    }

    static int documentCount() {
        return Http.json(Http.get(db(), "application/json").body()).asJsonObject().getInt("doc_count");
    }

    /** Every SOP Instance UID the host holds (QIDO-RS, all pages). */
    static Set<String> hostInstances() {
        Set<String> out = new HashSet<>();
        for (int offset = 0; ; offset += 500) {
            JsonArray page = DelegationIT.qidoDirect("/instances?limit=500&offset=" + offset);
            page.forEach(v -> out.add(DelegationIT.firstValue(v.asJsonObject(), "00080018")));
            if (page.size() < 500) {
                return out;
            }
        }
    }

    /**
     * Stores a file in the host through Orthanc's REST API (its Lua hook then notifies the sidecar, and the
     * sidecar reads it from Orthanc's changes).
     */
    static void storeInHost(byte[] dicom) {
        postToHost(dicom);
    }

    /**
     * Stores a file so that Orthanc takes it as new (its hook fires, its change log gets a NewInstance): if
     * Orthanc already holds it (another test stored it), deletes it in Orthanc first and stores it again.
     */
    static void storeAnewInHost(Path file) {
        try {
            byte[] dicom = Files.readAllBytes(file);
            JsonObject answer = postToHost(dicom);
            if ("AlreadyStored".equals(answer.getString("Status", ""))) {
                Http.send(HttpRequest.newBuilder(URI.create(ExternalServices.orthancRestUrl() + "/instances/"
                        + answer.getString("ID"))).DELETE().build());
                answer = postToHost(dicom);
            }
            if (!"Success".equals(answer.getString("Status", ""))) {
                throw new AssertionError("Orthanc did not store " + file.getFileName() + " anew: " + answer);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonObject postToHost(byte[] dicom) {
        HttpResponse<byte[]> r = Http.send(HttpRequest.newBuilder(URI.create(ExternalServices.orthancRestUrl() + "/instances"))
                .header("Content-Type", "application/dicom").POST(HttpRequest.BodyPublishers.ofByteArray(dicom)).build());
        if (r.statusCode() != 200) {
            throw new AssertionError("Orthanc refused a file: " + r.statusCode());
        }
        return Http.json(r.body()).asJsonObject();
    }

    static void storeInHost(Path file) {
        try {
            storeInHost(Files.readAllBytes(file));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Deletes a series in the host directly (Orthanc REST), not through the sidecar. */
    static void deleteSeriesInHost(String seriesUid) {
        HttpResponse<byte[]> lookup = Http.send(HttpRequest.newBuilder(
                URI.create(ExternalServices.orthancRestUrl() + "/tools/lookup"))
                .POST(HttpRequest.BodyPublishers.ofString(seriesUid)).build());
        String id = Http.json(lookup.body()).asJsonArray().getJsonObject(0).getString("ID");
        Http.send(HttpRequest.newBuilder(URI.create(ExternalServices.orthancRestUrl() + "/series/" + id)).DELETE().build());
    }

    /** The host's WADO-RS metadata of one instance, as the sidecar's mirror should hold it. */
    static JsonObject hostMetadata(String study, String series, String sop) {
        HttpResponse<byte[]> r = Http.get(ExternalServices.hostDicomWebUrl() + "/studies/" + study + "/series/" + series
                + "/instances/" + sop + "/metadata", "application/dicom+json");
        return withoutBulkData(Http.json(r.body()).asJsonArray().getJsonObject(0));
    }

    /** Bulk data left out, written here independently of the sidecar's code: InlineBinary over 256 chars. */
    static JsonObject withoutBulkData(JsonObject dataset) {
        JsonObjectBuilder b = Json.createObjectBuilder();
        for (Map.Entry<String, JsonValue> e : dataset.entrySet()) {
            JsonObject element = e.getValue().asJsonObject();
            if (element.containsKey("InlineBinary") && element.getString("InlineBinary").length() > 256) {
                b.add(e.getKey(), Json.createObjectBuilder(element).remove("InlineBinary"));
            } else if (element.containsKey("Value") && "SQ".equals(element.getString("vr"))) {
                var items = Json.createArrayBuilder();
                element.getJsonArray("Value").forEach(item -> items.add(withoutBulkData(item.asJsonObject())));
                b.add(e.getKey(), Json.createObjectBuilder(element).add("Value", items));
            } else {
                b.add(e.getKey(), element);
            }
        }
        return b.build();
    }

    /**
     * The same tree with every number as the double it denotes. CouchDB (Apache's jiffy and pouchdb's
     * JavaScript alike) keeps JSON numbers as IEEE doubles: the host's "338.67160000000001" comes back as
     * "338.6716", the same number. Comparing mirror and host means comparing numbers as numbers.
     */
    static JsonValue numbersAsDoubles(JsonValue v) {
        switch (v.getValueType()) {
            case NUMBER:
                return Json.createValue(((jakarta.json.JsonNumber) v).doubleValue());
            case ARRAY: {
                var a = Json.createArrayBuilder();
                v.asJsonArray().forEach(x -> a.add(numbersAsDoubles(x)));
                return a.build();
            }
            case OBJECT: {
                var o = Json.createObjectBuilder();
                v.asJsonObject().forEach((k, x) -> o.add(k, numbersAsDoubles(x)));
                return o.build();
            }
            default:
                return v;
        }
    }

    /** A QIDO-RS answer of the sidecar's mirror base; 204 (nothing matched) as an empty array. */
    static JsonArray qido(String path) {
        HttpResponse<byte[]> r = Http.get(ExternalServices.sidecarUrl() + "/mirror/dicomweb" + path, "application/dicom+json");
        if (r.statusCode() == 204) {
            return JsonValue.EMPTY_JSON_ARRAY;
        }
        org.junit.jupiter.api.Assertions.assertEquals(200, r.statusCode(), path + " " + Http.text(r));
        return Http.json(r.body()).asJsonArray();
    }

    static void await(String what, int seconds, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            ManagedProcess.sleep(200);
        }
        throw new AssertionError("not within " + seconds + " s: " + what);
    }

    static JsonObject mirrorStatus() {
        return Http.status().getJsonObject("mirror");
    }

    /** Events the sidecar received from one source ("webhook", "orthanc-changes", ...) since it started. */
    static long eventsFrom(String source) {
        return mirrorStatus().getJsonObject("eventsBySource").getJsonNumber(source).longValue();
    }

    /** Waits until every accepted event is mirrored. */
    static void awaitQueueEmpty(int seconds) {
        await("the mirror's queue empties", seconds, () -> mirrorStatus().getInt("queueDepth") == 0);
    }

    static HttpResponse<byte[]> post(String path, String contentType, byte[] body) {
        return Http.send(HttpRequest.newBuilder(URI.create(ExternalServices.sidecarUrl() + path))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
