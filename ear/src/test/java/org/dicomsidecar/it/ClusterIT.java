package org.dicomsidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two sidecar nodes on one CouchDB database and one archive, as a site runs them behind a load balancer: any node
 * answers any question the same way, a notification to one is answered by the other, the archive's change log is
 * followed by exactly one of them, and when that one dies (SIGKILL, nothing released) the other takes the duty over
 * and nothing stored meanwhile is lost.
 * <p>
 * The nodes are WildFly servers of the test's own (not Arquillian's, so that one can be killed), on the shared
 * pouchdb-server with a database of their own, and on an Orthanc of their own without the notification hook: what
 * they mirror comes from Orthanc's change log, unless a test notifies a node itself. Each node reaches Orthanc's
 * REST API through a {@link CountingRelay} of its own, which tells which node asks for Orthanc's changes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    private static final String DATABASE = "dicom-sidecar-cluster";
    private static final String ORTHANC_CHANGES = "orthanc-changes";
    /** The default lease time; a node takes over a lease not renewed for that long. */
    private static final Duration TAKEOVER_BOUND = Duration.ofSeconds(45);

    private static ManagedProcess orthanc;
    private static String orthancUrl;
    private static final List<CountingRelay> RELAYS = new ArrayList<>();
    private static final List<SidecarNode> NODES = new ArrayList<>();
    private static SidecarNode a;
    private static SidecarNode b;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        Path work = Path.of(System.getProperty("it.work"), "cluster");
        Files.createDirectories(work);
        orthanc = orthancWithoutHook(work);
        orthanc.start();
        for (String name : List.of("node-a", "node-b")) {
            CountingRelay relay = CountingRelay.start(orthancUrl);
            RELAYS.add(relay);
            NODES.add(new SidecarNode(name, work, Map.of(
                    "sidecar.couchdb.url", ExternalServices.couchDbUrl(),
                    "sidecar.couchdb.database", DATABASE,
                    "sidecar.couchdb.retry-interval-ms", "1000",
                    "sidecar.host.dicomweb-url", orthancUrl + "/dicom-web",
                    "sidecar.ingest.orthanc-url", relay.url())));
        }
        a = NODES.get(0);
        b = NODES.get(1);
        // both at once, as a cluster starts: which one takes the duties is the leases' business
        CompletableFuture.allOf(NODES.stream().map(n -> CompletableFuture.runAsync(n::start))
                .toArray(CompletableFuture[]::new)).join();
    }

    @AfterAll
    static void stopEverything() {
        NODES.forEach(SidecarNode::stop);
        RELAYS.forEach(CountingRelay::close);
        if (orthanc != null) {
            orthanc.stop();
        }
    }

    @Test
    @Order(1)
    void exactlyOneNodeFollowsTheArchivesChanges() {
        SidecarNode holder = awaitHolder(ORTHANC_CHANGES, Duration.ofSeconds(60));
        SidecarNode other = holder == a ? b : a;
        for (SidecarNode node : NODES) {
            JsonObject cluster = node.status().getJsonObject("cluster");
            assertEquals(node.name(), cluster.getString("node"));
            assertTrue(cluster.getBoolean("takesDuties"));
            // a node reads the others' heartbeats at each tick, a third of the lease time
            Mirror.await(node + " sees both nodes", 30, () -> {
                Set<String> seen = new TreeSet<>();
                node.status().getJsonObject("cluster").getJsonArray("nodesSeen")
                        .forEach(n -> seen.add(n.asJsonObject().getString("name")));
                return seen.containsAll(Set.of("node-a", "node-b"));
            });
        }
        assertFalse(other.duties().contains(ORTHANC_CHANGES), "one holder: " + a.duties() + " / " + b.duties());

        long holderBefore = relayOf(holder).changesRequests();
        long otherBefore = relayOf(other).changesRequests();
        ManagedProcess.sleep(5000);
        assertTrue(relayOf(holder).changesRequests() > holderBefore, holder + " polls Orthanc's changes");
        assertEquals(otherBefore, relayOf(other).changesRequests(), other + " does not poll Orthanc's changes");
        assertEquals(0, relayOf(other).changesRequests(), other + " never asked Orthanc for its changes");
    }

    @Test
    @Order(2)
    void bothNodesGiveTheSameAnswers() throws IOException {
        List<String> sops = new ArrayList<>();
        for (String sample : ExternalServices.SAMPLES) {
            JsonObject stored = storeInOrthanc(Files.readAllBytes(ExternalServices.PYDICOM.resolve(sample)));
            sops.add(stored.getString("ID"));
        }
        Mirror.await("the samples are mirrored from Orthanc's change log", 60,
                () -> mirroredInstances().size() >= ExternalServices.SAMPLES.size());
        Set<String> instances = mirroredInstances();

        // references: every sample's outgoing and incoming references, the same from both nodes
        int withReferences = 0;
        for (String sop : instances) {
            for (String direction : List.of("outgoing", "incoming")) {
                String path = "/api/references/" + sop + "?direction=" + direction;
                JsonValue answer = sameFromBoth(path, n -> getJson(n, path).get("references"));
                withReferences += answer.asJsonArray().isEmpty() ? 0 : 1;
            }
        }
        assertTrue(withReferences > 0, "the samples reference each other: the comparison compared something");

        // cohorts, with facets
        String cohort = "{\"level\": \"series\", \"where\": {\"attribute\": \"Modality\", \"in\": [\"CT\", \"MR\","
                + " \"SEG\", \"SR\", \"RTSTRUCT\", \"RTPLAN\"]}, \"facets\": [{\"attribute\": \"Modality\"}], \"limit\": 100}";
        JsonValue cohorts = sameFromBoth("a cohort", n -> withoutTimings(postJson(n, "/api/cohorts/query", cohort)));
        assertTrue(cohorts.asJsonObject().getInt("count") >= ExternalServices.SAMPLES.size(), cohorts.toString());

        // QIDO-RS over the mirror, at every level
        for (String qido : List.of("/mirror/dicomweb/studies?includefield=all",
                "/mirror/dicomweb/series?Modality=CT", "/mirror/dicomweb/instances?limit=100")) {
            // each node names itself in a RetrieveURL (behind a proxy, the URL the proxy forwarded for)
            JsonValue rows = sameFromBoth(qido, n -> Http.json(Http.text(Http.get(n.url() + qido,
                    "application/dicom+json")).replace(n.url(), "https://sidecar.example")));
            assertFalse(rows.asJsonArray().isEmpty(), qido);
        }

        // a cohort saved on A is there on B, with the same count
        String saved = "/api/cohorts/saved/cluster-" + System.nanoTime();
        HttpResponse<byte[]> savedOnA = put(a, saved, null, "{\"level\": \"instance\", \"where\": "
                + "{\"attribute\": \"Modality\", \"in\": [\"CT\", \"MR\"]}}");
        assertEquals(200, savedOnA.statusCode(), Http.text(savedOnA));
        assertEquals(Http.json(savedOnA.body()).asJsonObject().getInt("count"), getJson(b, saved).getInt("count"));

        // workflow: a step written on A is a fact on B, and so are the questions of absence; an agent waiting on B
        // for changes is told of it
        String study = studyOf(instances.iterator().next());
        String step = "cluster-review-" + System.nanoTime();
        String since = getJson(b, "/api/workflow/changes?timeout=0").getString("next");
        CompletableFuture<JsonObject> waitingOnB = CompletableFuture.supplyAsync(
                () -> getJson(b, "/api/workflow/changes?timeout=30000&since=" + since));
        HttpResponse<byte[]> put = put(a, "/api/workflow/studies/" + study + "/steps/" + step, null,
                "{\"state\": \"done\", \"actor\": \"it\"}");
        assertEquals(201, put.statusCode(), Http.text(put));
        JsonObject told = waitingOnB.join();
        assertTrue(told.getJsonArray("changes").stream().anyMatch(c -> c.asJsonObject().getString("step")
                .equals(step)), "the agent waiting on B was told of the step written on A: " + told);
        String lacking = "{\"lacks\": [{\"step\": \"" + step + "\", \"state\": \"done\"}], \"limit\": 1000}";
        String having = "{\"has\": [{\"step\": \"" + step + "\", \"state\": \"done\"}], \"limit\": 1000}";
        JsonValue withStep = sameFromBoth("studies with the step",
                n -> postJson(n, "/api/workflow/query", having).get("results"));
        assertEquals(1, withStep.asJsonArray().size(), withStep.toString());
        JsonValue withoutStep = sameFromBoth("studies without the step",
                n -> postJson(n, "/api/workflow/query", lacking).get("results"));
        assertFalse(withoutStep.toString().contains(study), "the study with the step is not among those lacking it");
    }

    @Test
    @Order(3)
    void aNotificationToOneNodeIsAnsweredByTheOther() {
        SyntheticDicom.Instance image = SyntheticDicom.image(16);
        storeInOrthanc(image.bytes());
        long webhookBefore = webhookEvents(b);
        HttpResponse<byte[]> notified = Http.send(HttpRequest.newBuilder(URI.create(b.url() + "/api/events/stored"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"studyInstanceUID\": \"" + image.studyUid() + "\", \"seriesInstanceUID\": \""
                                + image.seriesUid() + "\", \"sopInstanceUID\": \"" + image.sopUid() + "\"}"))
                .build());
        long accepted = System.nanoTime();
        assertTrue(notified.statusCode() / 100 == 2, Http.text(notified));
        String qido = "/mirror/dicomweb/instances?SOPInstanceUID=" + image.sopUid();
        Duration answeredAfter = null;
        while (answeredAfter == null && System.nanoTime() - accepted < Duration.ofSeconds(30).toNanos()) {
            if (!Http.json(Http.get(a.url() + qido, "application/dicom+json").body()).asJsonArray().isEmpty()) {
                answeredAfter = Duration.ofNanos(System.nanoTime() - accepted);
            } else {
                ManagedProcess.sleep(50);
            }
        }
        assertTrue(answeredAfter != null, "node A never answered with the instance notified to node B");
        System.out.println("Notified to " + b + ", answered by " + a + " after " + answeredAfter.toMillis() + " ms");
        assertTrue(answeredAfter.toMillis() <= 2000, "node A answered after " + answeredAfter.toMillis() + " ms");
        assertEquals(webhookBefore + 1, webhookEvents(b), "node B took the notification");
    }

    @Test
    @Order(4)
    void aStaleIfMatchOnOneNodeAfterAnUpdateOnTheOtherIs412() {
        String study = studyOf(mirroredInstances().iterator().next());
        String path = "/api/workflow/studies/" + study + "/steps/cluster-qc-" + System.nanoTime();
        HttpResponse<byte[]> created = put(a, path, null, "{\"state\": \"in-progress\"}");
        assertEquals(201, created.statusCode(), Http.text(created));
        String first = created.headers().firstValue("ETag").orElseThrow();
        HttpResponse<byte[]> updated = put(a, path, first, "{\"state\": \"done\"}");
        assertEquals(200, updated.statusCode(), Http.text(updated));
        String second = updated.headers().firstValue("ETag").orElseThrow();

        HttpResponse<byte[]> stale = put(b, path, first, "{\"state\": \"failed\"}");
        assertEquals(412, stale.statusCode(), Http.text(stale));
        assertEquals("stale-update", Http.json(stale.body()).asJsonObject().getString("error"));
        HttpResponse<byte[]> current = put(b, path, second, "{\"state\": \"failed\"}");
        assertEquals(200, current.statusCode(), "the current ETag is current on every node: " + Http.text(current));
        assertEquals("failed", getJson(a, path).getString("state"));
    }

    @Test
    @Order(5)
    void whenTheNodeFollowingTheArchiveDiesTheOtherTakesOverAndNothingIsLost() {
        SidecarNode holder = awaitHolder(ORTHANC_CHANGES, Duration.ofSeconds(60));
        SidecarNode survivor = holder == a ? b : a;
        holder.kill();
        long killed = System.nanoTime();

        // stored while nobody follows the change log, and nobody is notified
        List<SyntheticDicom.Instance> meanwhile = new ArrayList<>();
        for (int n = 0; n < 5; n++) {
            SyntheticDicom.Instance image = SyntheticDicom.image(16);
            storeInOrthanc(image.bytes());
            meanwhile.add(image);
        }
        long survivorPollsBefore = relayOf(survivor).changesRequests();

        Duration takenAfter = null;
        while (takenAfter == null && System.nanoTime() - killed < Duration.ofSeconds(90).toNanos()) {
            if (survivor.duties().contains(ORTHANC_CHANGES)) {
                takenAfter = Duration.ofNanos(System.nanoTime() - killed);
            } else {
                ManagedProcess.sleep(250);
            }
        }
        assertTrue(takenAfter != null, survivor + " never took " + ORTHANC_CHANGES + " over");
        assertTrue(takenAfter.compareTo(TAKEOVER_BOUND) <= 0, survivor + " took the duty over after "
                + takenAfter.toMillis() + " ms");
        System.out.println("Takeover of " + ORTHANC_CHANGES + " by " + survivor + " after " + takenAfter.toMillis()
                + " ms");

        Mirror.await("every instance stored while no node followed the archive is mirrored", 60,
                () -> meanwhile.stream().allMatch(i -> couchDocument("instance:" + i.sopUid()).isPresent()));
        assertTrue(relayOf(survivor).changesRequests() > survivorPollsBefore, survivor + " polls Orthanc's changes");
        String qido = "/mirror/dicomweb/instances?SOPInstanceUID=" + meanwhile.get(4).sopUid();
        Mirror.await("the survivor answers with them", 10,
                () -> !Http.json(Http.get(survivor.url() + qido, "application/dicom+json").body()).asJsonArray()
                        .isEmpty());
    }

    // ---- helpers

    /** Asks both nodes until they give the same answer (each node's index follows CouchDB within a second). */
    private static JsonValue sameFromBoth(String what, Function<SidecarNode, JsonValue> question) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonValue fromA;
        JsonValue fromB;
        do {
            fromA = question.apply(a);
            fromB = question.apply(b);
            if (fromA.equals(fromB)) {
                return fromA;
            }
            ManagedProcess.sleep(200);
        } while (System.nanoTime() < deadline);
        assertEquals(fromA, fromB, what + ": node A and node B answer alike");
        return fromA;
    }

    /** The answer without what differs by nature between two runs of one question (how long it took). */
    private static JsonValue withoutTimings(JsonObject answer) {
        jakarta.json.JsonObjectBuilder b = jakarta.json.Json.createObjectBuilder(answer);
        answer.keySet().stream().filter(k -> k.toLowerCase(java.util.Locale.ROOT).contains("millis")).forEach(b::remove);
        return b.build();
    }

    private static SidecarNode awaitHolder(String duty, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            for (SidecarNode node : NODES) {
                if (node.duties().contains(duty)) {
                    return node;
                }
            }
            ManagedProcess.sleep(250);
        }
        throw new AssertionError("no node holds " + duty + " within " + max.toSeconds() + " s");
    }

    private static CountingRelay relayOf(SidecarNode node) {
        return RELAYS.get(NODES.indexOf(node));
    }

    private static long webhookEvents(SidecarNode node) {
        return node.status().getJsonObject("mirror").getJsonObject("eventsBySource").getJsonNumber("webhook")
                .longValue();
    }

    private static JsonObject getJson(SidecarNode node, String path) {
        HttpResponse<byte[]> r = Http.get(node.url() + path, "application/json");
        assertEquals(200, r.statusCode(), node + " " + path + " " + Http.text(r));
        return Http.json(r.body()).asJsonObject();
    }

    private static JsonObject postJson(SidecarNode node, String path, String body) {
        HttpResponse<byte[]> r = Http.send(HttpRequest.newBuilder(URI.create(node.url() + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertEquals(200, r.statusCode(), node + " " + path + " " + Http.text(r));
        return Http.json(r.body()).asJsonObject();
    }

    private static HttpResponse<byte[]> put(SidecarNode node, String path, String ifMatch, String json) {
        return Http.putJson(node.url() + path, ifMatch, json);
    }

    /** Stores a DICOM file in the nodes' Orthanc: its answer (the instance's Orthanc ID, its status). */
    private static JsonObject storeInOrthanc(byte[] dicom) {
        HttpResponse<byte[]> r = Http.send(HttpRequest.newBuilder(URI.create(orthancUrl + "/instances"))
                .header("Content-Type", "application/dicom").POST(HttpRequest.BodyPublishers.ofByteArray(dicom))
                .build());
        assertEquals(200, r.statusCode(), Http.text(r));
        return Http.json(r.body()).asJsonObject();
    }

    /** The SOP Instance UIDs the nodes' database holds. */
    private static Set<String> mirroredInstances() {
        String url = ExternalServices.couchDbUrl() + "/" + DATABASE + "/_all_docs?startkey="
                + enc("\"instance:\"") + "&endkey=" + enc("\"instance:\ufff0\"");
        Set<String> out = new TreeSet<>();
        for (JsonValue row : Http.json(Http.get(url, "application/json").body()).asJsonObject().getJsonArray("rows")) {
            out.add(row.asJsonObject().getString("id").substring("instance:".length()));
        }
        return out;
    }

    private static String studyOf(String sop) {
        return couchDocument("instance:" + sop).orElseThrow().getString("study");
    }

    private static Optional<JsonObject> couchDocument(String id) {
        HttpResponse<byte[]> r = Http.get(ExternalServices.couchDbUrl() + "/" + DATABASE + "/" + enc(id),
                "application/json");
        return r.statusCode() == 200 ? Optional.of(Http.json(r.body()).asJsonObject()) : Optional.empty();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** An Orthanc of the cluster's own, from the project's configuration without the notification hook. */
    private static ManagedProcess orthancWithoutHook(Path work) throws IOException {
        Path dir = Files.createDirectories(work.resolve("orthanc"));
        int http = SidecarNode.freePort();
        orthancUrl = "http://127.0.0.1:" + http;
        String config = Files.readString(ExternalServices.projectRoot().resolve("scripts/lib/orthanc.json"))
                .replace("@NAME@", "dicom-sidecar-cluster-it")
                .replace("@DATA@", dir.toString())
                .replace("@HTTP_PORT@", String.valueOf(http))
                .replace("@DICOM_PORT@", String.valueOf(SidecarNode.freePort()))
                .replace("\"LuaScripts\": [\"" + dir + "/sidecar-hook.lua\"],", "");
        assertFalse(config.contains("LuaScripts"), "the cluster's Orthanc notifies nobody");
        Path file = dir.resolve("orthanc.json");
        Files.writeString(file, config);
        return new ManagedProcess("Orthanc (cluster)", List.of("Orthanc", file.toString()),
                Map.of("TCP_NODELAY", "1"), work.resolve("orthanc.log"), orthancUrl + "/system", http);
    }
}
