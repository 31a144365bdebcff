package org.dicomsidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A browser page on another origin (a viewer such as OHIF) through both DICOMweb bases and the API: CORS
 * answered by the sidecar (arquillian.xml allows {@value #VIEWER}), and the URLs it writes behind a trusted
 * proxy (127.0.0.1 is trusted there; 127.0.0.2, another loopback address, is not).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class BrowserAccessIT extends SidecarDeployment {

    static final String VIEWER = "http://viewer.test:3000";
    private static final List<String> BASES = List.of("/sidecar/dicomweb", "/sidecar/mirror/dicomweb");

    @Test
    void aPreflightIsAnsweredByTheSidecarOnEveryBaseAndNeverForwarded() {
        for (String path : List.of("/sidecar/dicomweb/studies", "/sidecar/mirror/dicomweb/studies",
                "/sidecar/dicomweb/studies/1.2.3/series/1.2.3.4/metadata", "/sidecar/mirror/dicomweb/studies/1.2.3/series",
                "/sidecar/api/cohorts/query", "/sidecar/api/workflow/studies/1.2.3/steps/review", "/sidecar/api/status")) {
            RawHttp.Answer a = preflight(path, VIEWER, "PUT", "authorization,content-type,if-match");
            assertEquals(204, a.status(), path + ": " + a);
            assertEquals(VIEWER, a.header("Access-Control-Allow-Origin"), path);
            assertTrue(a.header("Vary").contains("Origin"), path);
            for (String method : List.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS")) {
                assertTrue(a.header("Access-Control-Allow-Methods").contains(method), path + " " + method);
            }
            for (String header : List.of("Authorization", "Content-Type", "Accept", "If-Match", "If-None-Match")) {
                assertTrue(a.header("Access-Control-Allow-Headers").contains(header), path + " " + header);
            }
            assertEquals("600", a.header("Access-Control-Max-Age"), path);
            assertEquals(0, a.body().length, path);
            assertNull(a.header("Access-Control-Allow-Credentials"), "bearer tokens need no cookies");
        }
        // the host answers an OPTIONS of its own otherwise: the 204 above is the sidecar's
        URI host = URI.create(ExternalServices.hostDicomWebUrl());
        RawHttp.Answer direct = RawHttp.send(host.getPort(), "OPTIONS", host.getPath() + "/studies",
                Map.of("Host", "127.0.0.1:" + host.getPort(), "Origin", VIEWER, "Access-Control-Request-Method", "GET"),
                null);
        assertNotEquals(VIEWER, direct.header("Access-Control-Allow-Origin"), "the host itself allows no CORS");
    }

    @Test
    void aPreflightFromAnyOtherOriginIsRefusedWithJson() {
        String huge = "http://" + "a".repeat(20_000) + ".test";
        for (String origin : List.of("http://evil.test", "http://viewer.test:3001", "https://viewer.test:3000",
                "http://viewer.test:3000/", "null", "http://viewer.test:3000.evil.test", "*", "%00", "http://a b", huge)) {
            for (String base : BASES) {
                RawHttp.Answer a = preflight(base + "/studies", origin, "GET", null);
                String shown = origin.length() > 40 ? "a 20 KB origin" : origin;
                assertEquals(403, a.status(), shown + " " + a);
                assertEquals("cors-origin-not-allowed", error(a).getString("error"), shown);
                assertNull(a.header("Access-Control-Allow-Origin"), shown);
            }
        }
        RawHttp.Answer patch = preflight("/sidecar/dicomweb/studies", VIEWER, "PATCH", null);
        assertEquals(403, patch.status(), patch.toString());
        assertEquals("cors-method-not-allowed", error(patch).getString("error"));
    }

    @Test
    void crossOriginAnswersCarryTheHeadersAndTheSameBody() {
        for (String base : BASES) {
            RawHttp.Answer plain = get(base + "/studies", null);
            RawHttp.Answer cross = get(base + "/studies", VIEWER);
            assertEquals(200, cross.status(), base + " " + cross);
            assertAllowed(cross, base);
            assertEquals(Http.json(plain.body()), Http.json(cross.body()), base);
            assertNull(plain.header("Access-Control-Allow-Origin"), "no Origin, no CORS answer");
            assertTrue(plain.header("Vary").contains("Origin"), "caches must keep the two apart");
        }
        RawHttp.Answer status = get("/sidecar/api/status", VIEWER);
        assertAllowed(status, "/api/status");
        RawHttp.Answer other = get("/sidecar/api/status", "http://evil.test");
        assertEquals(status.status(), other.status(), "served, but the browser may not read it");
        assertNull(other.header("Access-Control-Allow-Origin"));
    }

    @Test
    void errorAnswersCarryTheHeadersWhoeverWritesThem() {
        Map<String, RawHttp.Answer> answers = new LinkedHashMap<>();
        answers.put("the delegation servlet's 400", get("/sidecar/dicomweb/..%2fsystem", VIEWER));
        answers.put("the mirror servlet's 400", get("/sidecar/mirror/dicomweb/studies?PatientName=%ZZ", VIEWER));
        answers.put("the delegation servlet's 404", get("/sidecar/dicomweb/system", VIEWER));
        answers.put("the unknown path's 404", get("/sidecar/nonsense", VIEWER));
        answers.put("the API's 400", get("/sidecar/api/references/not-a-uid", VIEWER));
        answers.put("the API's 404", get("/sidecar/api/no-such-resource", VIEWER));
        answers.put("a 405", exchange("PATCH", "/sidecar/dicomweb/studies", VIEWER, null));
        answers.put("the body reader's 400", exchange("POST", "/sidecar/api/cohorts/query", VIEWER, "{not json"));
        answers.put("the body reader's 413", exchange("POST", "/sidecar/api/cohorts/query", VIEWER,
                "{\"x\":\"" + "a".repeat(300 * 1024) + "\"}"));
        answers.put("an answered long-poll", get("/sidecar/api/workflow/changes?timeout=300", VIEWER));
        answers.put("a refused long-poll", get("/sidecar/api/workflow/changes?timeout=x", VIEWER));
        answers.forEach((what, a) -> {
            assertTrue(a.status() >= 200 && a.status() < 500, what + ": " + a);
            assertAllowed(a, what);
        });
        assertEquals(200, answers.get("an answered long-poll").status());
        assertEquals(413, answers.get("the body reader's 413").status());
        assertEquals(400, answers.get("a refused long-poll").status());
    }

    @Test
    void aTrustedProxyNamesTheUrlsTheSidecarWrites() {
        String study = firstStudy();
        String retrieve = retrieveUrl(RawHttp.exchange("GET", "/sidecar/dicomweb/studies?StudyInstanceUID=" + study,
                Map.of("Accept", "application/dicom+json", "X-Forwarded-Host", "pacs.example.org",
                        "X-Forwarded-Proto", "https"), null, -1));
        assertEquals("https://pacs.example.org/sidecar/dicomweb/studies/" + study, retrieve);
        Map<String, String> forwarded = Map.of("Accept", "application/dicom+json",
                "Forwarded", "for=192.0.2.1;proto=https;host=\"pacs.example.org:8443\"");
        String mirrorQuery = "/sidecar/mirror/dicomweb/studies?StudyInstanceUID=" + study;
        Mirror.await("the study in the mirror", 120,
                () -> !Http.json(RawHttp.exchange("GET", mirrorQuery, forwarded, null, -1).body()).asJsonArray().isEmpty());
        retrieve = retrieveUrl(RawHttp.exchange("GET", mirrorQuery, forwarded, null, -1));
        assertEquals("https://pacs.example.org:8443/sidecar/mirror/dicomweb/studies/" + study, retrieve);
        retrieve = retrieveUrl(RawHttp.exchange("GET", "/sidecar/dicomweb/studies?StudyInstanceUID=" + study,
                Map.of("Accept", "application/dicom+json", "X-Forwarded-Host", "pacs.example.org:80",
                        "X-Forwarded-Port", "8080"), null, -1));
        assertEquals("http://pacs.example.org:80/sidecar/dicomweb/studies/" + study, retrieve);
    }

    @Test
    void forwardedHeadersAreIgnoredWhenMalformedOrFromAnUntrustedAddress() {
        String study = firstStudy();
        String own = ExternalServices.sidecarDicomWebUrl() + "/studies/" + study;
        for (String forged : List.of("evil.test/x", "evil.test:99999", "a b", "\"evil\"", "x".repeat(5000))) {
            RawHttp.Answer a = RawHttp.exchange("GET", "/sidecar/dicomweb/studies?StudyInstanceUID=" + study,
                    Map.of("Accept", "application/dicom+json", "X-Forwarded-Host", forged), null, -1);
            assertEquals(own, retrieveUrl(a), forged.length() > 40 ? "a long forwarded host" : forged);
        }
        RawHttp.Answer untrusted = RawHttp.exchangeFrom("127.0.0.2", "GET",
                "/sidecar/dicomweb/studies?StudyInstanceUID=" + study,
                Map.of("Accept", "application/dicom+json", "X-Forwarded-Host", "evil.test", "X-Forwarded-Proto", "https"));
        assertEquals(own, retrieveUrl(untrusted), "127.0.0.2 is no trusted proxy");
    }

    private static void assertAllowed(RawHttp.Answer a, String what) {
        assertEquals(VIEWER, a.header("Access-Control-Allow-Origin"), what + ": " + a);
        assertTrue(a.header("Vary") != null && a.header("Vary").contains("Origin"), what);
        String exposed = a.header("Access-Control-Expose-Headers");
        for (String header : List.of("ETag", "Location", "Content-Location", "Retry-After", "Warning", "WWW-Authenticate")) {
            assertTrue(exposed != null && exposed.contains(header), what + " exposes " + header);
        }
        assertNull(a.header("Access-Control-Allow-Credentials"), what);
    }

    private static RawHttp.Answer preflight(String path, String origin, String method, String headers) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Origin", origin);
        h.put("Access-Control-Request-Method", method);
        if (headers != null) {
            h.put("Access-Control-Request-Headers", headers);
        }
        return RawHttp.exchange("OPTIONS", path, h, null, -1);
    }

    private static RawHttp.Answer get(String target, String origin) {
        return exchange("GET", target, origin, null);
    }

    private static RawHttp.Answer exchange(String method, String target, String origin, String jsonBody) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Accept", "application/json, application/dicom+json");
        if (origin != null) {
            h.put("Origin", origin);
        }
        if (jsonBody != null) {
            h.put("Content-Type", "application/json");
        }
        return RawHttp.exchange(method, target, h, jsonBody == null ? null : jsonBody.getBytes(StandardCharsets.UTF_8), -1);
    }

    private static JsonObject error(RawHttp.Answer a) {
        assertTrue(a.header("Content-Type").startsWith("application/json"), a.toString());
        JsonObject e = Http.json(a.body()).asJsonObject();
        assertEquals(a.status(), e.getInt("status"));
        return e;
    }

    private static String firstStudy() {
        JsonArray studies = Http.json(Http.get(ExternalServices.hostDicomWebUrl() + "/studies", "application/dicom+json")
                .body()).asJsonArray();
        return studies.getJsonObject(0).getJsonObject("0020000D").getJsonArray("Value").getString(0);
    }

    private static String retrieveUrl(RawHttp.Answer a) {
        assertEquals(200, a.status(), a.toString());
        JsonArray studies = Http.json(a.body()).asJsonArray();
        assertFalse(studies.isEmpty(), a.toString());
        return studies.getJsonObject(0).getJsonObject("00081190").getJsonArray("Value").getString(0);
    }
}
