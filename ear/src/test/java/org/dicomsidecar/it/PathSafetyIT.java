package org.dicomsidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Nothing but PS3.18 resources reaches the host through either DICOMweb root, whatever the request line holds:
 * every request goes out over a raw socket, so no client normalises "..", decodes "%2f" or fixes the Host header.
 * The host is Orthanc, whose native API (/system, /tools/lookup, DELETE /studies/{id}) shares its DICOMweb port.
 * Also: a forged Host header never ends up in the URLs the sidecar answers.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class PathSafetyIT extends SidecarDeployment {

    private static final List<String> ROOTS = List.of("/sidecar/dicomweb", "/sidecar/mirror/dicomweb");
    /** Below a DICOMweb root: every form that reached (or could reach) Orthanc's native API, and relatives. */
    private static final List<String> ATTACKS = List.of(
            "/..%2fsystem", "/..%2Fsystem", "//../system", "/studies/..%2f..%2fsystem", "/%2e%2e%2fsystem",
            "/%2E%2E%2Fsystem", "/..%5csystem", "/..;/system", "/%252e%252e%252fsystem",
            "/studies/1.2.3/..%2f..%2f..%2fsystem", "/studies/..%2f..%2fpatients", "/..%2f..%2fsystem",
            "/%c0%ae%c0%ae/system", "/%ef%bc%8e%ef%bc%8e/system", "/studies%00", "/studies%0d%0aX-Injected:%201",
            "/system", "/..%2fdicom-web%2fstudies", "///system", "/studies//..%2f..%2fsystem",
            // the container leaves escapes as they are (decode-url off): these reach the servlets encoded
            "/%2e%2e/system", "/%2E%2E/system", "/studies/%2e%2e/%2e%2e/system");
    /**
     * Forms the container normalises before routing (literal dot segments): they land on a path outside the
     * DICOMweb roots ("/sidecar/system"), which the sidecar answers with its JSON 404 "not-found".
     */
    private static final List<String> CONTAINER_FORMS = List.of("/../system", "/./../system", "/studies/../../system");
    /** Forms the container's HTTP parser refuses outright (400, no body): a raw backslash in the request target. */
    private static final List<String> PARSER_FORMS = List.of("/..\\system", "/studies\\..\\..\\system");

    private static int port() {
        return ExternalServices.port("it.wildfly.http.port");
    }

    private static Map<String, String> host() {
        return Map.of("Host", "127.0.0.1:" + port());
    }

    @Test
    void traversalFormsGetTheSidecarsOwnJsonRefusalThroughBothRoots() {
        List<String> seen = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (String root : ROOTS) {
            for (String attack : ATTACKS) {
                for (String method : List.of("GET", "OPTIONS", "DELETE")) {
                    check(method, root + attack, "", seen, failures);
                }
            }
            // absolute-form request target (RFC 9112 3.2.2), as a proxy would send it
            check("GET", "http://127.0.0.1:" + port() + root + "/..%2fsystem", "", seen, failures);
            for (String form : CONTAINER_FORMS) {
                for (String method : List.of("GET", "OPTIONS", "DELETE")) {
                    check(method, root + form, "not-found", seen, failures);
                }
            }
            for (String form : PARSER_FORMS) {
                check("GET", root + form, null, seen, failures);
            }
        }
        // routed to a DICOMweb root only after the container's normalisation: the raw path does not start there
        check("GET", "/sidecar/x/../dicomweb/studies", "", seen, failures);
        check("GET", "/sidecar/x/%2e%2e/mirror/dicomweb/studies", "not-found", seen, failures);
        // the compare feature sends its query's path to the host too
        for (String query : List.of("%2Fstudies%2F..%2Fseries", "%2Fstudies%2F..%252f..%252fsystem", "%2Fsystem")) {
            RawHttp.Answer a = RawHttp.send(port(), "GET", "/sidecar/api/compare?query=" + query, host(), null);
            seen.add("GET /sidecar/api/compare?query=" + query + " -> " + a.status() + " " + errorCode(a));
            if (a.status() != 400 || a.text().contains("ApiVersion")) {
                failures.add("compare " + query + ": " + a);
            }
        }
        System.out.println("PathSafetyIT answers:\n  " + String.join("\n  ", seen));
        assertEquals(List.of(), failures);
    }

    /**
     * Sends one attack; a failure is recorded (not thrown) so that one run shows every answer. {@code error}: ""
     * for a refusal of the DICOMweb servlets, "not-found" for the sidecar's catch-all, null for the container's
     * own 400.
     */
    private static void check(String method, String target, String error, List<String> seen, List<String> failures) {
        RawHttp.Answer a = RawHttp.send(port(), method, target, host(), null);
        seen.add(method + " " + target + " -> " + a.status() + " " + errorCode(a));
        try {
            assertTrue(a.status() >= 400 && a.status() < 500, method + " " + target + ": " + a);
            assertNotOrthancs(method + " " + target, a);
            if ("".equals(error)) {
                assertRefusedBySidecar(method + " " + target, a);
            } else if (error != null) {
                assertEquals(error, errorCode(a), method + " " + target + ": " + a);
            }
        } catch (AssertionError e) {
            failures.add(e.getMessage());
        }
    }

    @Test
    void theTwoStepDeleteAttackFailsAndTheStudyStaysInTheHost() {
        SyntheticDicom.Instance victim = SyntheticDicom.image(8);
        Mirror.storeInHost(victim.bytes());
        String orthancId = orthancStudyId(victim.studyUid());
        for (String root : ROOTS) {
            RawHttp.Answer lookup = RawHttp.send(port(), "POST", root + "/..%2ftools/lookup",
                    Map.of("Host", "127.0.0.1:" + port(), "Content-Type", "text/plain"),
                    victim.studyUid().getBytes(StandardCharsets.US_ASCII));
            assertRefusedBySidecar("POST " + root + "/..%2ftools/lookup", lookup);
            assertFalse(lookup.text().contains(orthancId), "the lookup must not answer Orthanc's id");
            for (String target : List.of("/..%2fstudies/" + orthancId, "//../studies/" + orthancId,
                    "/studies/..%2f..%2fstudies/" + orthancId, "/%2e%2e%2fstudies%2f" + orthancId)) {
                RawHttp.Answer delete = RawHttp.send(port(), "DELETE", root + target, host(), null);
                assertRefusedBySidecar("DELETE " + root + target, delete);
                System.out.println("PathSafetyIT: DELETE " + root + target + " -> " + delete.status() + " "
                        + errorCode(delete));
            }
        }
        HttpResponse<byte[]> stillThere = Http.get(ExternalServices.orthancRestUrl() + "/studies/" + orthancId,
                "application/json");
        assertEquals(200, stillThere.statusCode(), "the study is still in Orthanc");
        assertEquals(victim.studyUid(), Http.json(stillThere.body()).asJsonObject().getJsonObject("MainDicomTags")
                .getString("StudyInstanceUID"));
    }

    @Test
    void legitimateDicomWebPathsWorkThroughBothRoots() {
        String study = DelegationIT.studyWithModality("CT");
        JsonObject instance = DelegationIT.qidoDirect("/studies/" + study + "/instances").getJsonObject(0);
        String series = DelegationIT.firstValue(instance, "0020000E");
        String path = "/studies/" + study + "/series/" + series + "/instances/" + DelegationIT.firstValue(instance, "00080018");
        Mirror.await("the CT study is mirrored", 30, () -> !RawHttp.get(port(),
                "/sidecar/mirror/dicomweb/studies?StudyInstanceUID=" + study, "application/dicom+json").text().equals("[]"));
        Map<String, String> accepts = new LinkedHashMap<>();
        accepts.put("/studies", "application/dicom+json");
        accepts.put("/studies/", "application/dicom+json");
        accepts.put("/studies?limit=2&PatientName=*", "application/dicom+json");
        accepts.put("/series?Modality=CT", "application/dicom+json");
        accepts.put("/studies/" + study + "/series", "application/dicom+json");
        accepts.put("/studies/" + study + "/instances", "application/dicom+json");
        accepts.put("/studies/" + study + "/series/" + series + "/instances", "application/dicom+json");
        accepts.put("/studies/%31" + study.substring(1) + "/series", "application/dicom+json"); // an escaped digit
        accepts.put("/studies/" + study + "/metadata", "application/dicom+json");
        accepts.put(path + "/metadata", "application/dicom+json");
        accepts.put(path, "multipart/related; type=\"application/dicom\"");
        accepts.put(path + "/frames/1", "multipart/related; type=\"application/octet-stream\"");
        accepts.put(path + "/rendered", "image/jpeg");
        for (String root : ROOTS) {
            for (Map.Entry<String, String> e : accepts.entrySet()) {
                RawHttp.Answer a = RawHttp.get(port(), root + e.getKey(), e.getValue());
                assertEquals(200, a.status(), root + e.getKey() + ": " + a);
            }
            JsonValue metadata = Http.json(RawHttp.get(port(), root + path + "/metadata", "application/dicom+json").body());
            List<String> bulk = DelegationIT.bulkDataUris(metadata);
            assertFalse(bulk.isEmpty(), "the CT has pixel data as bulk data");
            for (String uri : bulk) {
                String target = URI.create(uri).getRawPath();
                assertTrue(target.startsWith(root + "/studies/") && target.contains("/bulk/"), uri);
                RawHttp.Answer a = RawHttp.get(port(), target, "multipart/related; type=\"application/octet-stream\"");
                assertEquals(200, a.status(), target + ": " + a);
            }
        }
    }

    @Test
    void aForgedHostHeaderAppearsInNoAnswer() throws Exception {
        String own = "http://127.0.0.1:" + port() + "/sidecar";
        Map<String, String> forged = Map.of("Host", "evil.example", "Accept", "application/dicom+json");
        for (String root : ROOTS) {
            Mirror.await("studies answered through " + root, 30,
                    () -> !RawHttp.send(port(), "GET", root + "/studies", forged, null).text().equals("[]"));
            RawHttp.Answer qido = RawHttp.send(port(), "GET", root + "/studies", forged, null);
            assertEquals(200, qido.status(), qido.toString());
            assertFalse(qido.text().contains("evil.example"), root + ": the forged host in a RetrieveURL");
            assertTrue(qido.text().contains(own + root.substring("/sidecar".length()) + "/studies/"),
                    root + ": RetrieveURLs name the address the request came in on");
            // an allowed Host header is kept as the caller wrote it
            RawHttp.Answer allowed = RawHttp.send(port(), "GET", root + "/studies",
                    Map.of("Host", "localhost:" + port(), "Accept", "application/dicom+json"), null);
            assertTrue(allowed.text().contains("http://localhost:" + port() + root + "/studies/"), allowed.toString());
        }

        // the receivers' Location headers
        assertCreatedAt("/api/ups/workitems", "application/dicom+json", "ups-workitem-dcm4chee.json", own);
        assertCreatedAt("/api/fhir/ImagingStudy", "application/fhir+json", "fhir-r5-imagingstudy.json", own);

        byte[] query = "{\"level\": \"series\", \"where\": {\"attribute\": \"Modality\", \"equals\": \"CT\"}}"
                .getBytes(StandardCharsets.UTF_8);
        RawHttp.Answer manifest = RawHttp.send(port(), "POST", "/sidecar/api/cohorts/export?format=manifest",
                Map.of("Host", "evil.example", "Content-Type", "application/json"), query);
        assertEquals(200, manifest.status(), manifest.toString());
        String[] lines = manifest.text().split("\r\n");
        assertTrue(lines.length >= 1 && !lines[0].isEmpty(), "the CT series are in the manifest");
        for (String line : lines) {
            assertTrue(line.startsWith(own + "/dicomweb/studies/"), line);
        }
    }

    /** POSTs a receiver's sample with a forged Host: 201, and a Location at the sidecar's own address. */
    private static void assertCreatedAt(String path, String contentType, String sample, String own) throws Exception {
        byte[] body = Files.readAllBytes(ExternalServices.projectRoot().resolve("ejb/src/test/resources/ingest/" + sample));
        RawHttp.Answer a = RawHttp.send(port(), "POST", "/sidecar" + path,
                Map.of("Host", "evil.example", "Content-Type", contentType), body);
        assertEquals(201, a.status(), path + ": " + a);
        assertTrue(a.header("location").startsWith(own + path + "/"), a.header("location"));
    }

    /** A 4xx JSON error of the sidecar's own, and nothing of Orthanc's answer. */
    private static void assertRefusedBySidecar(String what, RawHttp.Answer a) {
        assertTrue(a.status() >= 400 && a.status() < 500, what + ": " + a);
        assertNotOrthancs(what, a);
        assertTrue(String.valueOf(a.header("content-type")).startsWith("application/json"), what + ": " + a);
        JsonObject error = Http.json(a.body()).asJsonObject();
        assertEquals(a.status(), error.getInt("status"), what);
        assertTrue(error.getString("error").matches("invalid-path|invalid-uid|invalid-query|not-a-dicomweb-resource"),
                what + ": " + error);
    }

    private static void assertNotOrthancs(String what, RawHttp.Answer a) {
        for (String marker : List.of("ApiVersion", "DicomAet", "OrthancError", "dicom-sidecar-it", "\"Path\"",
                "HttpError")) {
            assertFalse(a.text().contains(marker), what + " answered by Orthanc: " + a);
        }
    }

    private static String errorCode(RawHttp.Answer a) {
        try {
            return Http.json(a.body()).asJsonObject().getString("error");
        } catch (RuntimeException e) {
            return "(" + a.header("content-type") + ")";
        }
    }

    private static String orthancStudyId(String studyUid) {
        HttpResponse<byte[]> r = Http.send(HttpRequest.newBuilder(URI.create(ExternalServices.orthancRestUrl()
                + "/tools/lookup")).POST(HttpRequest.BodyPublishers.ofString(studyUid)).build());
        JsonArray found = Http.json(r.body()).asJsonArray();
        assertEquals(1, found.size(), "Orthanc knows the study");
        return found.getJsonObject(0).getString("ID");
    }
}
