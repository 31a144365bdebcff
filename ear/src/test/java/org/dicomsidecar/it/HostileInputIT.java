package org.dicomsidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hostile input is normal input: every endpoint of the API, fed wrong types in every field of a valid body,
 * garbage bodies, wrong content types, bodies cut short, bad path and query parameters. Every answer must be
 * 2xx or a 4xx JSON error that says what is wrong (never a 500), and nothing the requests carried that looks
 * like patient data may reach the server log.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class HostileInputIT extends SidecarDeployment {

    /** Looks like a patient's name and ID: sent in every way a caller could, and searched for in the log. */
    static final String SECRET_NAME = "Fuzzbert^Secretta";
    static final String SECRET_ID = "PID-SECRET-4711";

    private static final String STUDY = "1.2.826.0.1.3680043.2.1125.9.1";
    private static final String SERIES = STUDY + ".1";
    private static final String SOP = SERIES + ".1";

    /** Values put in place of every value of a valid body, one at a time. */
    private static final List<String> WRONG_VALUES = List.of(
            "\"x\"", "\"\"", "5", "-1", "0", "4294967297", "-9223372036854775809", "1e400", "1.5", "true", "null",
            "[]", "{}", "[1,\"a\",null,{}]", "{\"a\":{\"b\":[]}}", "\"" + SECRET_NAME + "\"", "\"" + SECRET_ID + "\"",
            "\"" + "9".repeat(5000) + "\"", "\"..\"", "\"1.2.\\u0000\"", "\"*****************************x\"");

    /** Whole bodies no endpoint can make sense of. */
    private static final List<String> GARBAGE = List.of(
            "", " ", "{", "}", "[", "[]", "null", "\"x\"", "1", "true", "{\"a\":", "{\"a\" 1}", "{'a':1}",
            "[".repeat(20_000), "{\"a\":".repeat(5_000), "\uFEFF{}", "{\"a\":1,\"a\":2}", "\u0000", "NaN",
            "{\"where\": {\"attribute\": \"PatientName\", \"equals\": \"" + SECRET_NAME + "\"}, \"bogus\": 1}");

    private static long logStart;

    @BeforeAll
    static void markTheLog() throws IOException {
        Http.awaitStatus(200, 60);
        logStart = Files.size(serverLog());
    }

    @Test
    void everyFieldOfEveryBodyWithEveryWrongType() {
        List<String> failures = new ArrayList<>();
        for (BodyEndpoint e : bodyEndpoints()) {
            JsonValue valid = Http.json(e.body());
            for (String mutant : mutants(valid)) {
                check(failures, e.method(), e.target(), e.contentType(), mutant);
            }
            for (String garbage : GARBAGE) {
                check(failures, e.method(), e.target(), e.contentType(), garbage);
            }
            for (String type : List.of("text/plain", "application/xml", "application/x-www-form-urlencoded",
                    "multipart/related; type=\"application/dicom\"; boundary=x", "application/json; charset=EBCDIC")) {
                check(failures, e.method(), e.target(), type, e.body());
            }
            check(failures, e.method(), e.target(), null, e.body());
        }
        assertTrue(failures.isEmpty(), failures.size() + " bad answers:\n" + String.join("\n", failures));
    }

    @Test
    void bodiesCutShortAreRefusedQuietly() {
        List<String> failures = new ArrayList<>();
        for (BodyEndpoint e : bodyEndpoints()) {
            byte[] half = e.body().substring(0, e.body().length() / 2).getBytes(StandardCharsets.UTF_8);
            RawHttp.Answer a;
            try {
                a = RawHttp.exchange(e.method(), e.target(), Map.of("Content-Type", e.contentType()), half,
                        half.length + 1000L);
            } catch (UncheckedIOException closed) {
                continue; // the server may drop a connection whose body never came: fine
            }
            verdict(e.method() + " " + e.target() + " (body cut short)", a).ifPresent(failures::add);
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void badPathAndQueryParameters() {
        List<String> failures = new ArrayList<>();
        List<String> badUids = List.of("..", "%2e%2e", "1.2.a", "9".repeat(65), "Doe%5EJohn", "%00", "%ZZ", "1%2F2",
                "%F0%9F%92%A9", "1.2%0D%0AX-Evil:%201");
        for (String uid : badUids) {
            check(failures, "GET", "/sidecar/api/references/" + uid, null, null);
            check(failures, "GET", "/sidecar/api/workflow/studies/" + uid, null, null);
            check(failures, "GET", "/sidecar/api/workflow/studies/" + uid + "/steps/seg", null, null);
            check(failures, "PUT", "/sidecar/api/workflow/studies/" + uid + "/steps/seg", "application/json",
                    "{\"state\":\"done\"}");
            check(failures, "GET", "/sidecar/api/events/wado/studies/" + uid, null, null);
            check(failures, "GET", "/sidecar/api/events/wado/studies/" + STUDY + "/series/" + uid, null, null);
            check(failures, "GET", "/sidecar/api/events/wado/studies/" + STUDY + "/series/" + SERIES + "/instances/" + uid,
                    null, null);
            check(failures, "GET", "/sidecar/api/cohorts/saved/" + uid, null, null);
            check(failures, "PUT", "/sidecar/api/cohorts/saved/" + uid, "application/json", "{\"level\":\"study\"}");
            check(failures, "DELETE", "/sidecar/api/cohorts/saved/" + uid, null, null);
        }
        for (String step : List.of("..", "UPPER", "-x", "a".repeat(200), "%00", "a%2Fb", "%ZZ")) {
            check(failures, "PUT", "/sidecar/api/workflow/studies/" + STUDY + "/steps/" + step, "application/json",
                    "{\"state\":\"done\"}");
            check(failures, "GET", "/sidecar/api/workflow/studies/" + STUDY + "/series/" + SERIES + "/steps/" + step,
                    null, null);
        }
        for (String q : List.of("direction=sideways", "direction=", "transitive=maybe", "transitive=", "modality=",
                "modality=%ZZ", "sopClass=Doe%5EJohn", "direction=incoming&direction=outgoing")) {
            check(failures, "GET", "/sidecar/api/references/" + STUDY + "?" + q, null, null);
        }
        // a timeout past the most (60 s) is shortened to it, and the long-poll then waits: ChangesRequestTest
        // checks that; here a bad since token ends it at once
        for (String q : List.of("timeout=abc", "timeout=-1", "timeout=1e3", "timeout=99999999999999999999&since=%ZZ",
                "timeout=0&since=abc", "timeout=0&since=", "timeout=0&since=" + "9".repeat(3000),
                "timeout=0&since=%ZZ", "timeout=0&since=-5", "timeout=0&since=1%00")) {
            check(failures, "GET", "/sidecar/api/workflow/changes?" + q, null, null);
        }
        for (String q : List.of("", "query=", "query=%2Fstudies%3FPatientName%3DA%20B", "query=/studies?PatientName=A%20B",
                "query=/studies?PatientID=%25ZZ", "query=%25ZZ", "query=/system", "query=/../system", "query=studies",
                "query=/studies?StudyDate=2020-2019-2018", "query=/studies?limit=-5", "query=/studies?PatientName="
                        + SECRET_NAME.replace("^", "%5E") + "%25ZZ",
                "query=/studies%3FPatientID%3D" + SECRET_ID + "%2520%25", "query=/studies/1.2/series/%2e%2e/instances",
                "query=" + "%2Fstudies".repeat(400))) {
            check(failures, "GET", "/sidecar/api/compare?" + q, null, null);
        }
        for (String mode : List.of("garbage", "", "FULL", "incremental%00", SECRET_ID)) {
            check(failures, "POST", "/sidecar/api/admin/reconcile?mode=" + mode, null, null);
        }
        for (String format : List.of("garbage", "", "CSV", "%ZZ")) {
            check(failures, "POST", "/sidecar/api/cohorts/export?format=" + format, "application/json",
                    "{\"level\":\"study\",\"limit\":1}");
        }
        for (String q : List.of("limit=x", "limit=-1", "limit=4294967297", "offset=x", "offset=-3", "PatientName=%ZZ",
                "StudyDate=2020-2019-2018", "StudyDate=abc", "NoSuchKeyword=1", "includefield=NoSuchKeyword",
                "fuzzymatching=maybe", "PatientName=" + SECRET_NAME.replace("^", "%5E") + "%ZZ", "00100010=%00",
                "PixelSpacing=a%5Cb", "StudyInstanceUID=" + "1.".repeat(5000), "ModalitiesInStudy=,,,,",
                "PatientID=" + SECRET_ID + "&limit=abc")) {
            check(failures, "GET", "/sidecar/mirror/dicomweb/studies?" + q, null, null);
            check(failures, "GET", "/sidecar/mirror/dicomweb/instances?" + q, null, null);
        }
        assertTrue(failures.isEmpty(), failures.size() + " bad answers:\n" + String.join("\n", failures));
    }

    @Test
    void valuesThatWereTakenForSomethingElseAreRefused() {
        // an unknown mode started a full run; a limit past 2^32 wrapped round to 1
        RawHttp.Answer mode = RawHttp.exchange("POST", "/sidecar/api/admin/reconcile?mode=garbage", null, null);
        assertEquals(400, mode.status(), mode.text());
        RawHttp.Answer limit = RawHttp.exchange("POST", "/sidecar/api/workflow/query", "application/json",
                "{\"limit\": 4294967297}");
        assertEquals(400, limit.status(), limit.text());
        RawHttp.Answer cohortLimit = RawHttp.exchange("POST", "/sidecar/api/cohorts/query", "application/json",
                "{\"limit\": 4294967297}");
        assertEquals(400, cohortLimit.status(), cohortLimit.text());
    }

    @Test
    void bodiesOfTheApiHaveTheirOwnLimitsAndSayWhereTheyBreak() {
        // a cohort query past its own limit (256 KiB) but within the notifications' (4 MiB)
        String big = "{\"level\": \"study\", \"cursor\": \"" + "1".repeat(300 * 1024) + "\"}";
        RawHttp.Answer tooLarge = RawHttp.exchange("POST", "/sidecar/api/cohorts/query", "application/json", big);
        assertEquals(413, tooLarge.status(), tooLarge.text());
        assertEquals("too-large", Http.json(tooLarge.body()).asJsonObject().getString("error"));
        assertFalse(tooLarge.text().contains("sidecar.events.max-body-bytes"), tooLarge.text());
        RawHttp.Answer workflow = RawHttp.exchange("PUT", "/sidecar/api/workflow/studies/" + STUDY + "/steps/fuzz",
                "application/json", "{\"state\": \"done\", \"note\": \"" + "n".repeat(70 * 1024) + "\"}");
        assertEquals(413, workflow.status(), workflow.text());
        assertTrue(workflow.text().contains("workflow"), workflow.text());
        RawHttp.Answer malformed = RawHttp.exchange("POST", "/sidecar/api/cohorts/query", "application/json",
                "{\"level\": \"study\",\n \"limit\" 5}");
        assertEquals(400, malformed.status(), malformed.text());
        JsonObject error = Http.json(malformed.body()).asJsonObject();
        assertEquals("invalid-query", error.getString("error"));
        assertEquals("body", error.getString("where"));
        assertTrue(error.getString("message").contains("line 2, column"), error.toString());
    }

    /** Runs last in the class (JUnit orders by method name otherwise arbitrarily): checked once more at the end. */
    @AfterAll
    static void nothingThatLooksLikePatientDataInTheLog() throws IOException {
        String log = logSince(logStart);
        List<String> leaks = new ArrayList<>();
        for (String secret : List.of(SECRET_NAME, SECRET_ID, SECRET_NAME.replace("^", "%5E"), "Fuzzbert")) {
            if (log.contains(secret)) {
                leaks.add(secret);
            }
        }
        List<String> errors = log.lines().filter(l -> l.contains(" ERROR ") || l.contains(" SEVERE ")).limit(20).toList();
        assertTrue(leaks.isEmpty(), "the server log holds what the requests carried: " + leaks);
        assertEquals(List.of(), errors, "hostile input is normal input: no ERROR line in the server log");
    }

    // ---------------------------------------------------------------------------------------------------------

    record BodyEndpoint(String method, String target, String contentType, String body) {
    }

    static List<BodyEndpoint> bodyEndpoints() {
        String event = "{\"studyInstanceUID\":\"" + STUDY + "\",\"seriesInstanceUID\":\"" + SERIES
                + "\",\"sopInstanceUID\":\"" + SOP + "\"}";
        String ups = "{\"00404021\":{\"vr\":\"SQ\",\"Value\":[{"
                + "\"0040E001\":{\"vr\":\"CS\",\"Value\":[\"DICOM\"]},"
                + "\"0020000D\":{\"vr\":\"UI\",\"Value\":[\"" + STUDY + "\"]},"
                + "\"0020000E\":{\"vr\":\"UI\",\"Value\":[\"" + SERIES + "\"]},"
                + "\"00081199\":{\"vr\":\"SQ\",\"Value\":[{\"00081150\":{\"vr\":\"UI\",\"Value\":[\"1.2.840.10008.5.1.4.1.1.2\"]},"
                + "\"00081155\":{\"vr\":\"UI\",\"Value\":[\"" + SOP + "\"]}}]}}]},"
                + "\"00741000\":{\"vr\":\"CS\",\"Value\":[\"SCHEDULED\"]}}";
        String fhir = "{\"resourceType\":\"ImagingStudy\",\"identifier\":[{\"system\":\"urn:dicom:uid\",\"value\":\"urn:oid:"
                + STUDY + "\"}],\"status\":\"available\",\"subject\":{\"display\":\"x\"},\"series\":[{\"uid\":\"" + SERIES
                + "\",\"instance\":[{\"uid\":\"" + SOP + "\",\"sopClass\":{\"code\":\"urn:oid:1.2.840.10008.5.1.4.1.1.2\"}}]}]}";
        String cohort = "{\"level\":\"series\",\"where\":{\"and\":[{\"attribute\":\"Modality\",\"equals\":\"CT\"},"
                + "{\"attribute\":\"PixelSpacing\",\"values\":\"every\",\"near\":0.5,\"tolerance\":0.01},"
                + "{\"attribute\":\"PatientName\",\"matches\":\"A*\",\"caseInsensitive\":true},"
                + "{\"not\":{\"attribute\":\"StudyDate\",\"range\":[\"20000101\",\"20301231\"]}},"
                + "{\"or\":[{\"attribute\":\"SliceThickness\",\"lte\":1},{\"attribute\":\"BodyPartExamined\",\"exists\":false}]},"
                + "{\"attribute\":\"Modality\",\"in\":[\"CT\",\"MR\"]}]},"
                + "\"sort\":[{\"attribute\":\"StudyDate\",\"order\":\"desc\"}],\"limit\":10,\"cursor\":null,"
                + "\"include\":[\"PixelSpacing\",\"SliceThickness\"],"
                + "\"facets\":[{\"attribute\":\"Manufacturer\"},{\"attribute\":\"PixelSpacing\",\"bins\":10}]}";
        String step = "{\"state\":\"done\",\"actor\":\"seg-pipeline\",\"note\":\"n\"}";
        String workflow = "{\"has\":[{\"fact\":\"modalities\",\"contains\":\"CT\"},{\"step\":\"seg\",\"state\":\"done\"}],"
                + "\"lacks\":[{\"fact\":\"segmentAlgorithmTypes\",\"contains\":\"MANUAL\"},{\"fact\":\"hasSegmentation\"}],"
                + "\"where\":{\"attribute\":\"Modality\",\"equals\":\"CT\"},\"limit\":10,\"cursor\":\"1.2\"}";
        return List.of(
                new BodyEndpoint("POST", "/sidecar/api/events/stored", "application/json", event),
                new BodyEndpoint("POST", "/sidecar/api/events/stored", "application/json", "{\"events\":[" + event + "]}"),
                new BodyEndpoint("POST", "/sidecar/api/ups/workitems", "application/dicom+json", ups),
                new BodyEndpoint("POST", "/sidecar/api/fhir/ImagingStudy", "application/fhir+json", fhir),
                new BodyEndpoint("POST", "/sidecar/api/cohorts/query", "application/json", cohort),
                new BodyEndpoint("POST", "/sidecar/api/cohorts/export?format=csv", "application/json", cohort),
                new BodyEndpoint("PUT", "/sidecar/api/cohorts/saved/fuzz", "application/json", cohort),
                new BodyEndpoint("PUT", "/sidecar/api/workflow/studies/" + STUDY + "/steps/fuzz", "application/json", step),
                new BodyEndpoint("PUT", "/sidecar/api/workflow/studies/" + STUDY + "/series/" + SERIES + "/steps/fuzz",
                        "application/json", step),
                new BodyEndpoint("POST", "/sidecar/api/workflow/query", "application/json", workflow));
    }

    /** The body with one value replaced by each wrong value, for every value in it, and with each member left out. */
    static List<String> mutants(JsonValue valid) {
        List<String> out = new ArrayList<>();
        for (String wrong : WRONG_VALUES) {
            JsonValue replacement;
            try (var reader = Json.createReader(new java.io.StringReader(wrong))) {
                replacement = reader.readValue();
            }
            collect(valid, v -> replacement, out);
        }
        collect(valid, v -> null, out);
        return out;
    }

    /** Adds to {@code out} one copy of {@code root} per position, with {@code change} applied there (null: removed). */
    private static void collect(JsonValue root, Function<JsonValue, JsonValue> change, List<String> out) {
        int positions = count(root) - 1;
        for (int i = 1; i <= positions; i++) {
            int[] counter = {0};
            JsonValue mutant = rewrite(root, i, counter, change);
            out.add(mutant == null ? "" : mutant.toString());
        }
    }

    private static int count(JsonValue v) {
        int n = 1;
        if (v instanceof JsonObject o) {
            for (JsonValue c : o.values()) {
                n += count(c);
            }
        } else if (v instanceof JsonArray a) {
            for (JsonValue c : a) {
                n += count(c);
            }
        }
        return n;
    }

    /** Pre-order position {@code target} (the root is 0) changed; null result means "leave this one out". */
    private static JsonValue rewrite(JsonValue v, int target, int[] counter, Function<JsonValue, JsonValue> change) {
        int here = counter[0]++;
        if (here == target) {
            return change.apply(v);
        }
        if (v instanceof JsonObject o) {
            JsonObjectBuilder b = Json.createObjectBuilder();
            for (Map.Entry<String, JsonValue> e : o.entrySet()) {
                JsonValue c = rewrite(e.getValue(), target, counter, change);
                if (c != null) {
                    b.add(e.getKey(), c);
                }
            }
            return b.build();
        }
        if (v instanceof JsonArray a) {
            JsonArrayBuilder b = Json.createArrayBuilder();
            for (JsonValue e : a) {
                JsonValue c = rewrite(e, target, counter, change);
                if (c != null) {
                    b.add(c);
                }
            }
            return b.build();
        }
        return v;
    }

    private static void check(List<String> failures, String method, String target, String contentType, String body) {
        RawHttp.Answer a = RawHttp.exchange(method, target, contentType, body);
        String what = method + " " + target + (body == null ? "" : " " + abbreviate(body))
                + (contentType == null ? "" : " [" + contentType + "]");
        verdict(what, a).ifPresent(failures::add);
    }

    /** Empty when the answer is acceptable: 2xx, or 4xx with a JSON error whose status is the HTTP status. */
    static java.util.Optional<String> verdict(String what, RawHttp.Answer a) {
        if (a.status() / 100 == 2) {
            return java.util.Optional.empty();
        }
        if (a.status() / 100 != 4) {
            return java.util.Optional.of(a.status() + " for " + what + ": " + abbreviate(a.text()));
        }
        try {
            JsonObject error = Http.json(a.body()).asJsonObject();
            if (error.getInt("status") != a.status() || error.getString("error").isEmpty()
                    || error.getString("message", "").isEmpty()) {
                return java.util.Optional.of(a.status() + " with an incomplete JSON error for " + what + ": " + abbreviate(a.text()));
            }
            return java.util.Optional.empty();
        } catch (RuntimeException notJson) {
            return java.util.Optional.of(a.status() + " without a JSON error for " + what + ": " + abbreviate(a.text()));
        }
    }

    private static String abbreviate(String s) {
        String one = s.replace('\n', ' ').replace('\r', ' ');
        return one.length() <= 160 ? one : one.substring(0, 157) + "...";
    }

    static Path serverLog() {
        return Path.of(System.getProperty("it.server.base"), "log", "server.log");
    }

    static String logSince(long offset) throws IOException {
        byte[] all = Files.readAllBytes(serverLog());
        int from = (int) Math.min(offset, all.length);
        return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    }
}
