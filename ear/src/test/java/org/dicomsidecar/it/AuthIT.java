package org.dicomsidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bearer tokens from a real Keycloak, validated by WildFly's elytron-oidc-client in the secured sidecar: each role
 * may do what it should and gets 403 for the rest; a missing, expired, foreign, tampered or malformed token gets
 * 401; liveness and preflights stay open. Every refusal is the sidecar's JSON error.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AuthIT {

    private static final String STUDY = "1.2.826.0.1.3680043.10.1395.7";
    private static final String CT_STUDY = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322"; // CT_small's
    private static final String COHORT = "{\"where\": {\"attribute\": \"Modality\", \"equals\": \"CT\"}, \"limit\": 10}";

    @Deployment(name = "secured", testable = false)
    @TargetsContainer("wildfly-secured")
    static EnterpriseArchive ear() {
        return SidecarDeployment.ear();
    }

    /** The same EAR without authentication, for the cost of token validation. */
    @Deployment(name = "open", testable = false)
    @TargetsContainer("wildfly-managed")
    static EnterpriseArchive openEar() {
        return SidecarDeployment.ear();
    }

    /** One request of the matrix: who may send it. */
    private record Call(String method, String path, String body, Set<String> allowed) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private static final List<Call> CALLS = List.of(
            new Call("GET", "/dicomweb/studies?limit=1", null, Set.of("reader")),
            new Call("POST", "/dicomweb/studies", "", Set.of("writer")),
            new Call("DELETE", "/dicomweb/studies/" + STUDY, null, Set.of("admin")),
            new Call("GET", "/mirror/dicomweb/studies?limit=1", null, Set.of("reader")),
            new Call("POST", "/mirror/dicomweb/studies", "", Set.of("writer")),
            new Call("DELETE", "/mirror/dicomweb/studies/" + STUDY, null, Set.of("admin")),
            new Call("GET", "/api/references/" + STUDY, null, Set.of("reader")),
            new Call("POST", "/api/cohorts/query", COHORT, Set.of("reader")),
            new Call("GET", "/api/cohorts/saved", null, Set.of("reader")),
            new Call("PUT", "/api/cohorts/saved/auth-it", COHORT, Set.of("writer")),
            new Call("GET", "/api/workflow/studies/" + STUDY, null, Set.of("reader")),
            new Call("PUT", "/api/workflow/studies/" + STUDY + "/steps/auth-it", "{\"state\":\"done\"}", Set.of("writer")),
            new Call("GET", "/api/workflow/changes?since=0&timeout=0", null, Set.of("reader")),
            new Call("GET", "/api/compare?query=" + Mirror.enc("/studies?limit=1"), null, Set.of("reader")),
            new Call("GET", "/api/status", null, Set.of("reader", "admin")),
            new Call("GET", "/api/admin/reconcile", null, Set.of("admin")),
            new Call("POST", "/api/events/stored",
                    "{\"studyInstanceUID\":\"" + STUDY + "\"}", Set.of("notifier")));

    private static final List<String> USERS = List.of("reader", "writer", "admin", "notifier", "nobody");

    @BeforeAll
    static void identityProviderAndArchiveAreUp() {
        Keycloak.awaitReady();
        ExternalServices.securedHost(); // the secured sidecar's archive: Orthanc behind a token check
    }

    @Test
    void eachRoleMayDoWhatItShouldAndGets403ForTheRest() {
        Map<String, String> tokens = new java.util.HashMap<>();
        USERS.forEach(u -> tokens.put(u, Keycloak.userToken(u)));
        List<String> wrong = new ArrayList<>();
        for (Call call : CALLS) {
            for (String user : USERS) {
                HttpResponse<byte[]> r = send(call.method(), call.path(), tokens.get(user), call.body());
                int status = r.statusCode();
                boolean allowed = call.allowed().contains(user);
                if (allowed && (status == 401 || status == 403)) {
                    wrong.add(user + " was refused " + call + ": " + status + " " + Http.text(r));
                } else if (!allowed && status != 403) {
                    wrong.add(user + " got " + status + " for " + call + " instead of 403");
                } else if (!allowed) {
                    JsonObject error = Http.json(r.body()).asJsonObject();
                    if (!"forbidden".equals(error.getString("error", "")) || !Http.contentType(r).startsWith("application/json")) {
                        wrong.add(user + ": 403 for " + call + " is not the sidecar's JSON error: " + Http.text(r));
                    }
                }
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void whatEachRoleMayDoItReallyDoes() {
        String reader = Keycloak.userToken("reader");
        String writer = Keycloak.userToken("writer");
        HttpResponse<byte[]> put = send("PUT", "/api/workflow/studies/" + STUDY + "/steps/auth-done", writer,
                "{\"state\":\"done\"}");
        assertTrue(put.statusCode() == 200 || put.statusCode() == 201, Http.text(put));
        HttpResponse<byte[]> step = send("GET", "/api/workflow/studies/" + STUDY + "/steps/auth-done", reader, null);
        assertEquals(200, step.statusCode(), Http.text(step));
        assertEquals("done", Http.json(step.body()).asJsonObject().getString("state"));
        HttpResponse<byte[]> query = send("POST", "/api/cohorts/query", reader, COHORT);
        assertEquals(200, query.statusCode(), Http.text(query));
    }

    @Test
    void statusSaysAuthenticationIsOnAndShowsSettingsToAdministratorsOnly() {
        JsonObject forAdmin = Http.json(send("GET", "/api/status", Keycloak.userToken("admin"), null).body())
                .asJsonObject();
        assertTrue(forAdmin.getJsonObject("authentication").getBoolean("enabled"), forAdmin.toString());
        assertEquals(Keycloak.issuer(Keycloak.REALM),
                forAdmin.getJsonObject("authentication").getString("providerUrl"));
        assertTrue(forAdmin.containsKey("settings"));
        JsonObject forReader = Http.json(send("GET", "/api/status", Keycloak.userToken("reader"), null).body())
                .asJsonObject();
        assertTrue(forReader.getJsonObject("authentication").getBoolean("enabled"));
        assertFalse(forReader.containsKey("settings"), "a reader sees no settings");
    }

    @Test
    void aServiceAccountOfTheArchiveMayNotifyAndNothingMore() {
        String exporter = Keycloak.clientToken("archive-exporter", "archive-exporter-secret");
        HttpResponse<byte[]> notify = send("POST", "/api/events/stored", exporter,
                "{\"studyInstanceUID\":\"" + STUDY + "\"}");
        assertEquals(202, notify.statusCode(), Http.text(notify));
        assertEquals(403, send("GET", "/dicomweb/studies", exporter, null).statusCode());
        assertEquals(403, send("POST", "/api/cohorts/query", exporter, COHORT)
                .statusCode());
    }

    @Test
    void withoutAnAcceptedTokenEverythingButLivenessAndPreflightsIs401() throws Exception {
        String reader = Keycloak.userToken("reader");
        String[] parts = reader.split("\\.");
        byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
        signature[signature.length / 2] ^= 0x01;
        String tampered = parts[0] + "." + parts[1] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
        String[] claims = {parts[0], parts[1]};
        String otherClaims = new String(Base64.getUrlDecoder().decode(claims[1]), StandardCharsets.UTF_8)
                .replace("\"reader\"", "\"admin\"");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(otherClaims.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        String foreign = Keycloak.userToken("elsewhere", "sidecar-ui", "admin");
        String shortLived = Keycloak.userToken(Keycloak.REALM, "sidecar-ui-short", "admin");
        assertNotEquals(401, send("GET", "/api/status", shortLived, null).statusCode(), "valid while fresh");
        Thread.sleep(Duration.ofSeconds(5).toMillis()); // its lifespan is 3 s
        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("tampered signature", tampered);
        bad.put("claims changed under the signature", forged);
        bad.put("another realm", foreign);
        bad.put("expired", shortLived);
        bad.put("malformed", "not-a-jwt");
        for (String path : List.of("/api/status", "/dicomweb/studies", "/mirror/dicomweb/studies",
                "/api/admin/reconcile", "/api/nowhere", "/nowhere")) {
            HttpResponse<byte[]> none = send("GET", path, null, null);
            assertUnauthenticated(none, "unauthenticated", "no token for " + path);
            for (Map.Entry<String, String> token : bad.entrySet()) {
                HttpResponse<byte[]> r = send("GET", path, token.getValue(), null);
                assertUnauthenticated(r, "invalid-token", token.getKey() + " for " + path);
            }
        }
        HttpResponse<byte[]> basic = Http.send(HttpRequest.newBuilder(URI.create(ExternalServices.securedSidecarUrl()
                        + "/api/status")).header("Authorization", "Basic YWRtaW46YWRtaW4=").GET().build());
        assertEquals(401, basic.statusCode(), "Basic is not a way in");
        assertEquals(200, send("GET", "/api/live", null, null).statusCode(), "liveness stays open");
        assertEquals(200, send("GET", "/api/openapi", null, null).statusCode(), "the API description stays open");
    }

    /** A viewer on another origin (arquillian.xml allows http://127.0.0.1:3000): its browser sends no token first. */
    @Test
    void aBrowserOnAnotherOriginGetsThroughWithItsToken() {
        String origin = "http://127.0.0.1:3000";
        String reader = Keycloak.userToken("reader");
        for (String path : List.of("/dicomweb/studies", "/mirror/dicomweb/studies", "/api/cohorts/query")) {
            HttpResponse<byte[]> preflight = Http.send(HttpRequest.newBuilder(
                            URI.create(ExternalServices.securedSidecarUrl() + path))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", origin)
                    .header("Access-Control-Request-Method", path.startsWith("/api") ? "POST" : "GET")
                    .header("Access-Control-Request-Headers", "authorization, content-type").build());
            assertEquals(204, preflight.statusCode(), "a preflight needs no token: " + path);
            assertEquals(origin, preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(""), path);
            assertTrue(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase()
                    .contains("authorization"), path);
        }
        HttpResponse<byte[]> get = Http.send(HttpRequest.newBuilder(URI.create(ExternalServices.securedSidecarUrl()
                        + "/mirror/dicomweb/studies")).header("Origin", origin)
                .header("Authorization", "Bearer " + reader).GET().build());
        assertEquals(200, get.statusCode(), Http.text(get));
        assertEquals(origin, get.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        HttpResponse<byte[]> refused = Http.send(HttpRequest.newBuilder(URI.create(ExternalServices.securedSidecarUrl()
                + "/dicomweb/studies")).header("Origin", origin).GET().build());
        assertEquals(401, refused.statusCode());
        assertEquals(origin, refused.headers().firstValue("Access-Control-Allow-Origin").orElse(""),
                "the browser may read why it was refused");
        assertTrue(refused.headers().firstValue("Access-Control-Expose-Headers").orElse("")
                .contains("WWW-Authenticate"));
    }

    @Test
    void noSpellingOfAPathTakesAReaderPastItsRole() {
        String reader = Keycloak.userToken("reader");
        for (String path : List.of("/api/%61dmin/reconcile", "/api/admin;x=1/reconcile", "/api/admin/reconcile;x=1",
                "/api//admin/reconcile", "/api/./admin/reconcile", "/api/status/../admin/reconcile")) {
            HttpResponse<byte[]> r = send("POST", path, reader, "");
            assertTrue(r.statusCode() >= 400 && r.statusCode() < 500 && r.statusCode() != 401,
                    path + " answered " + r.statusCode() + " " + Http.text(r));
        }
        for (String path : List.of("/dicomweb/studies/" + STUDY, "/dicomweb//studies/" + STUDY,
                "/dicomweb/%73tudies/" + STUDY)) {
            HttpResponse<byte[]> r = send("DELETE", path, reader, null);
            assertTrue(r.statusCode() == 403 || r.statusCode() == 400, path + " answered " + r.statusCode());
        }
    }

    /**
     * The cost of token validation, printed (not asserted: the machine is shared): the same mirror QIDO-RS, same EAR,
     * same data, on the sidecar without authentication and on the secured one with a reader's token, interleaved.
     */
    @Test
    void costOfTokenValidationOnAQido() throws Exception {
        String query = "/mirror/dicomweb/studies?StudyInstanceUID=" + CT_STUDY + "&includefield=StudyDescription";
        String reader = Keycloak.userToken("reader");
        Mirror.await("CT_small's study in the secured sidecar's mirror", 240, () -> {
            HttpResponse<byte[]> r = send("GET", query, reader, null);
            return r.statusCode() == 200 && Http.json(r.body()).asJsonArray().size() == 1;
        });
        HttpRequest open = HttpRequest.newBuilder(URI.create(ExternalServices.sidecarUrl() + query))
                .header("Accept", "application/dicom+json").GET().build();
        Mirror.await("CT_small's study in the open sidecar's mirror", 120, () -> {
            HttpResponse<byte[]> r = Http.send(open);
            return r.statusCode() == 200 && Http.json(r.body()).asJsonArray().size() == 1;
        });
        long[] without = new long[300];
        long[] with = new long[300];
        for (int round = -50; round < without.length; round++) { // 50 rounds of warm-up
            long t0 = System.nanoTime();
            assertEquals(200, Http.send(open).statusCode());
            long t1 = System.nanoTime();
            assertEquals(200, send("GET", query, reader, null).statusCode());
            long t2 = System.nanoTime();
            if (round >= 0) {
                without[round] = t1 - t0;
                with[round] = t2 - t1;
            }
        }
        java.util.Arrays.sort(without);
        java.util.Arrays.sort(with);
        String figures = String.format(java.util.Locale.ROOT, "mirror QIDO-RS over loopback, 300 interleaved rounds: "
                        + "without authentication median %.2f ms (p95 %.2f), with a bearer token median %.2f ms (p95 %.2f)%n",
                without[150] / 1e6, without[284] / 1e6, with[150] / 1e6, with[284] / 1e6);
        System.out.print(figures);
        java.nio.file.Files.writeString(java.nio.file.Path.of(System.getProperty("it.work"), "..",
                "authentication-cost.txt"), figures);
    }

    private static void assertUnauthenticated(HttpResponse<byte[]> r, String error, String what) {
        assertEquals(401, r.statusCode(), what + ": " + Http.text(r));
        assertTrue(Http.contentType(r).startsWith("application/json"), what);
        assertEquals(error, Http.json(r.body()).asJsonObject().getString("error"), what);
        assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), what);
    }

    static HttpResponse<byte[]> send(String method, String path, String token, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(ExternalServices.securedSidecarUrl() + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", path.contains("dicomweb/") ? "multipart/related; type=\"application/dicom\"; "
                    + "boundary=x" : "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return Http.send(b.build());
    }
}
