package org.dicomsidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The on-disk index across the sidecar's life: this test undeploys and deploys the application itself (an
 * undeployed application is "the sidecar was down") and checks over HTTP that a restart resumes from the
 * index's checkpoint, that a deleted index folder is rebuilt, that what was written to CouchDB meanwhile is
 * indexed, that deletions leave the index, and that another database at the same URL rebuilds it. Every case
 * starts and ends undeployed, so that the classes after it deploy as usual.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@Order(Integer.MAX_VALUE - 1) // it drops the mirror's database: after every other class but the search of the logs
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IndexLifecycleIT {

    private static final String SIDECAR = "sidecar-index-lifecycle";
    private static final int SERIES_PER_STUDY = 2;
    private static final int INSTANCES_PER_SERIES = 3;
    private static final String SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7";
    private static final String REBUILT_FOR_ANOTHER_DATABASE =
            "because the index was built from another CouchDB database";

    /** The test's own study in the host, stored once: its answers are compared across restarts. */
    private static String study;

    @Deployment(name = SIDECAR, managed = false, testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("it.ear")));
    }

    @ArquillianResource
    Deployer deployer;

    private boolean deployed;

    @AfterEach
    void undeploy() {
        stop();
    }

    @Test
    @Order(1)
    void aRestartResumesFromTheCheckpointWithTheSameAnswers() {
        start();
        Answers before = answers();
        long couchSeqBefore = couchUpdateSeq();
        answers(); // every question applies CouchDB's changes first: the index now reaches couchSeqBefore
        long checkpointBefore = checkpointSeq(awaitIndex("a first checkpoint", 60, i -> i.containsKey("checkpoint")));

        stop();
        start();

        JsonObject index = awaitIndex("the index is ready after the restart", 60, i -> "ready".equals(i.getString("state")));
        assertFalse(index.containsKey("lastRebuild"), "nothing was rebuilt: " + index);
        long checkpointAfter = checkpointSeq(index);
        assertTrue(checkpointAfter >= checkpointBefore, "the checkpoint " + checkpointAfter
                + " is at least the one before the restart (" + checkpointBefore + ")");
        assertTrue(checkpointAfter >= couchSeqBefore, "the application committed what it had applied when it stopped: "
                + "checkpoint " + checkpointAfter + ", CouchDB was at " + couchSeqBefore);
        assertEquals(before, answers(), "the same answers after the restart");
    }

    @Test
    @Order(2)
    void aDeletedIndexFolderIsRebuiltWithTheSameAnswers() throws IOException {
        start();
        Answers before = answers();
        Path folder = Path.of(Http.status().getJsonObject("index").getString("folder"));
        stop();

        ExternalServices.deleteTree(folder);
        assertFalse(Files.exists(folder));
        start();

        // the rebuild is quick at this size: catch it building if one can, never depend on it
        List<JsonObject> seen = new ArrayList<>();
        JsonObject index = awaitIndex("the index is rebuilt", 120, i -> {
            seen.add(i);
            return "ready".equals(i.getString("state")) && i.containsKey("lastRebuild");
        });
        seen.stream().filter(i -> "building".equals(i.getString("state")) && i.containsKey("rebuild")).findFirst()
                .ifPresent(building -> assertTrue(building.getJsonObject("rebuild").getJsonNumber("total").longValue() > 0,
                        "a rebuild shows how many documents it reads: " + building));
        assertTrue(index.getJsonObject("lastRebuild").getJsonNumber("documents").longValue()
                >= SERIES_PER_STUDY * (INSTANCES_PER_SERIES + 1L), "the rebuild read at least this test's documents: " + index);
        assertTrue(Files.isDirectory(folder), "the folder is there again");
        assertEquals(before, answers(), "the same answers from the rebuilt index");
    }

    @Test
    @Order(3)
    void documentsWrittenWhileTheSidecarWasDownAreIndexedAndTheirDeletionLeavesTheIndex() throws Exception {
        // the start-up reconciliation would rightly remove a study the host does not hold; this case is about
        // the index following CouchDB, so it deploys without that run
        ConfigurationIT.cli("/system-property=sidecar.reconcile.on-startup:add(value=false)");
        try {
            String description = "index-lifecycle-" + SyntheticDicom.newUid();
            JsonObject dataset = dataset(SyntheticDicom.newUid(), SyntheticDicom.newUid(), SyntheticDicom.newUid(),
                    description);
            List<JsonObject> written = bulkDocs(mirrorDocuments(dataset));

            start();
            assertEquals("false", Http.status().getJsonObject("settings").getString("sidecar.reconcile.on-startup"));
            awaitIndex("the index is ready", 60, i -> "ready".equals(i.getString("state")));
            String series = value(dataset, "0020000E");
            String studyUid = value(dataset, "0020000D");
            String byDescription = "{\"level\":\"series\",\"where\":{\"attribute\":\"SeriesDescription\",\"equals\":\""
                    + description + "\"}}";
            JsonObject cohort = cohort(byDescription);
            assertEquals(1, cohort.getInt("count"), cohort.toString());
            assertEquals(series, cohort.getJsonArray("results").getJsonObject(0).getString("seriesInstanceUID"));
            JsonArray qido = Mirror.qido("/series?SeriesDescription=" + description);
            assertEquals(1, qido.size(), qido.toString());
            assertEquals(series, DelegationIT.firstValue(qido.getJsonObject(0), "0020000E"));
            assertEquals(1, Mirror.qido("/studies/" + studyUid + "/instances").size());

            // the study's documents deleted in CouchDB: gone from every answer and from the index
            int documentsBefore = Http.status().getJsonObject("index").getInt("documents");
            // written by another party than this node: in the answers once the feed thread has read them (<= 1 s)
            bulkDocs(deletions(written));
            Mirror.await("the deleted series is no longer a cohort member", 5,
                    () -> cohort(byDescription).getInt("count") == 0);
            assertEquals(0, Mirror.qido("/series?SeriesDescription=" + description).size());
            assertEquals(0, Mirror.qido("/studies?StudyInstanceUID=" + studyUid).size());
            awaitIndex("index.documents falls by the instance and the series", 30,
                    i -> i.getInt("documents") <= documentsBefore - 2);
        } finally {
            ConfigurationIT.cli("/system-property=sidecar.reconcile.on-startup:remove");
        }
    }

    @Test
    @Order(4)
    void anotherDatabaseAtTheSameUrlRebuildsTheIndex() {
        start();
        Answers before = answers();
        JsonObject index = awaitIndex("the index is ready", 60, i -> "ready".equals(i.getString("state")));
        String rebuiltBefore = index.containsKey("lastRebuild")
                ? index.getJsonObject("lastRebuild").getString("finishedAt") : "";

        // no reconciliation may write into the new database (a failed one is retried 30 s later): this case
        // reads it empty first
        Mirror.await("the start-up reconciliation has succeeded", 120, () -> {
            JsonObject m = Mirror.mirrorStatus();
            return !m.isNull("lastReconciliation") && "done".equals(m.getJsonObject("lastReconciliation").getString("state"));
        });
        long rebuildsForAnotherDatabase = serverLogLines(REBUILT_FOR_ANOTHER_DATABASE);
        // dropped under the running sidecar, which creates it again, empty (as a restore from nothing would)
        HttpResponse<byte[]> dropped = Http.send(HttpRequest.newBuilder(URI.create(Mirror.db())).DELETE().build());
        assertEquals(200, dropped.statusCode(), Http.text(dropped));
        JsonObject rebuilt = awaitIndex("the index is rebuilt from the new database", 60, i -> "ready".equals(
                i.getString("state")) && i.containsKey("lastRebuild")
                && !rebuiltBefore.equals(i.getJsonObject("lastRebuild").getString("finishedAt")));
        assertTrue(rebuilt.getInt("documents") < before.documents, "the old documents are gone: " + rebuilt);
        assertEquals(rebuildsForAnotherDatabase + 1, serverLogLines(REBUILT_FOR_ANOTHER_DATABASE),
                "the rebuild gives its reason (not the empty folder it made itself)");
        assertEquals(0, cohort(before.cohortQuery()).getInt("count"), "the old answers are gone");
        assertEquals(0, Mirror.qido("/studies?StudyInstanceUID=" + study).size());

        // a reconciliation fills the new database from the host, and the index follows it
        HttpResponse<byte[]> reconcile = Http.send(HttpRequest.newBuilder(
                URI.create(ExternalServices.sidecarUrl() + "/api/admin/reconcile"))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertTrue(reconcile.statusCode() == 202 || reconcile.statusCode() == 409, Http.text(reconcile));
        Mirror.await("the reconciliation refills the mirror", 120, () -> Mirror.instances().containsAll(Mirror.hostInstances()));
        Mirror.await("the same answers from the new database", 60, () -> before.equals(answers()));
    }

    // ---- the application's life

    private void start() {
        if (!deployed) {
            deployer.deploy(SIDECAR);
            deployed = true;
        }
        Http.awaitStatus(200, 60);
        awaitIndex("the index is open", 120, i -> "ready".equals(i.getString("state")));
        if (study == null) {
            study = storeStudyInHost();
        }
    }

    private void stop() {
        if (deployed) {
            deployed = false;
            deployer.undeploy(SIDECAR);
        }
    }

    /** A study of its own in the host, mirrored (by the hook and the changes feed) before the answers are read. */
    private static String storeStudyInHost() {
        String uid = SyntheticDicom.newUid();
        List<String> sops = new ArrayList<>();
        for (int s = 0; s < SERIES_PER_STUDY; s++) {
            String series = SyntheticDicom.newUid();
            for (int n = 0; n < INSTANCES_PER_SERIES; n++) {
                SyntheticDicom.Instance i = SyntheticDicom.image(8, uid, series);
                Mirror.storeInHost(i.bytes());
                sops.add(i.sopUid());
            }
        }
        Mirror.await("the test's study is mirrored", 60, () -> sops.stream().allMatch(sop -> Mirror.instance(sop).isPresent()));
        Mirror.awaitQueueEmpty(60);
        return uid;
    }

    private static JsonObject awaitIndex(String what, int seconds, Predicate<JsonObject> condition) {
        JsonObject[] last = new JsonObject[1];
        try {
            Mirror.await(what, seconds, () -> {
                last[0] = Http.status().getJsonObject("index");
                return condition.test(last[0]);
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; index status: " + last[0], e);
        }
        return last[0];
    }

    private static long serverLogLines(String containing) {
        try (var lines = Files.lines(Path.of(System.getProperty("it.server.base"), "log", "server.log"))) {
            return lines.filter(l -> l.contains(containing)).count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ---- the answers compared across restarts

    /** A cohort query, a study-level and two lower-level mirror QIDO-RS answers about the test's study. */
    private record Answers(JsonObject cohort, JsonArray studies, JsonArray series, JsonArray instances, int documents) {

        String cohortQuery() {
            return cohortOf(study);
        }

        @Override
        public boolean equals(Object o) {
            // documents: other mirrored data may differ; the answers about this study may not
            return o instanceof Answers a && cohort.equals(a.cohort) && studies.equals(a.studies)
                    && series.equals(a.series) && instances.equals(a.instances);
        }

        @Override
        public int hashCode() {
            return cohort.hashCode();
        }
    }

    private static String cohortOf(String studyUid) {
        return "{\"level\":\"series\",\"where\":{\"and\":[{\"attribute\":\"StudyInstanceUID\",\"equals\":\"" + studyUid
                + "\"},{\"attribute\":\"Rows\",\"gte\":8}]},\"include\":[\"Rows\",\"Modality\",\"PatientID\"],"
                + "\"facets\":[{\"attribute\":\"Modality\"},{\"attribute\":\"Columns\",\"bins\":4}]}";
    }

    private static Answers answers() {
        JsonObject cohort = cohort(cohortOf(study));
        assertEquals(SERIES_PER_STUDY, cohort.getInt("count"), cohort.toString());
        JsonArray studies = Mirror.qido("/studies?StudyInstanceUID=" + study);
        assertEquals(1, studies.size(), studies.toString());
        JsonArray series = Mirror.qido("/studies/" + study + "/series");
        assertEquals(SERIES_PER_STUDY, series.size(), series.toString());
        JsonArray instances = Mirror.qido("/studies/" + study + "/instances?includefield=00200013");
        assertEquals(SERIES_PER_STUDY * INSTANCES_PER_SERIES, instances.size());
        return new Answers(Json.createObjectBuilder(cohort).remove("tookMillis").build(), studies, series, instances,
                Http.status().getJsonObject("index").getInt("documents"));
    }

    private static JsonObject cohort(String query) {
        return Http.postJson("/api/cohorts/query", query);
    }

    // ---- CouchDB, written directly

    /** pouchdb-server's sequences are numbers (CouchDB 2+'s are opaque text, which this test does not run on). */
    private static long couchUpdateSeq() {
        return sequence(Http.json(Http.get(Mirror.db(), "application/json").body()).asJsonObject().get("update_seq"));
    }

    private static long checkpointSeq(JsonObject index) {
        return sequence(index.getJsonObject("checkpoint").get("couchSeq"));
    }

    private static long sequence(JsonValue seq) {
        return Long.parseLong(seq instanceof jakarta.json.JsonString text ? text.getString() : seq.toString());
    }

    /** An instance's metadata as the host's DICOMweb gives it (PS3.18 JSON), with a value only it has. */
    private static JsonObject dataset(String studyUid, String seriesUid, String sopUid, String seriesDescription) {
        return Json.createObjectBuilder()
                .add("00080016", element("UI", Json.createArrayBuilder().add(SECONDARY_CAPTURE)))
                .add("00080018", element("UI", Json.createArrayBuilder().add(sopUid)))
                .add("00080060", element("CS", Json.createArrayBuilder().add("OT")))
                .add("0008103E", element("LO", Json.createArrayBuilder().add(seriesDescription)))
                .add("00100020", element("LO", Json.createArrayBuilder().add("SIDECAR-IT")))
                .add("0020000D", element("UI", Json.createArrayBuilder().add(studyUid)))
                .add("0020000E", element("UI", Json.createArrayBuilder().add(seriesUid)))
                .add("00200013", element("IS", Json.createArrayBuilder().add(1)))
                .add("00280010", element("US", Json.createArrayBuilder().add(8)))
                .add("00280011", element("US", Json.createArrayBuilder().add(8)))
                .build();
    }

    private static JsonObject element(String vr, jakarta.json.JsonArrayBuilder values) {
        return Json.createObjectBuilder().add("vr", vr).add("Value", values).build();
    }

    private static String value(JsonObject dataset, String tag) {
        return DelegationIT.firstValue(dataset, tag);
    }

    /**
     * The instance and series documents the mirror writes for a series of one instance, in the form of
     * catalog/MirrorDocuments (the series holds every attribute but the SOP Instance UID: one instance shares
     * all of them with itself).
     */
    private static List<JsonObject> mirrorDocuments(JsonObject dataset) {
        String sop = value(dataset, "00080018");
        String series = value(dataset, "0020000E");
        String studyUid = value(dataset, "0020000D");
        String hash = hash(dataset);
        String now = Instant.now().toString();
        JsonObject instance = Json.createObjectBuilder()
                .add("_id", "instance:" + sop).add("type", "instance").add("study", studyUid).add("series", series)
                .add("sop", sop).add("hash", hash).add("mirroredAt", now).add("sopClass", SECONDARY_CAPTURE)
                .add("modality", "OT").add("seriesDescription", value(dataset, "0008103E"))
                .add("references", JsonValue.EMPTY_JSON_ARRAY).add("dicom", dataset).build();
        JsonObject seriesDoc = Json.createObjectBuilder()
                .add("_id", "series:" + series).add("type", "series").add("study", studyUid).add("series", series)
                .add("instanceCount", 1).add("instances", Json.createObjectBuilder().add(sop, hash))
                .add("varying", JsonValue.EMPTY_JSON_ARRAY).add("mirroredAt", now).add("modality", "OT")
                .add("references", JsonValue.EMPTY_JSON_OBJECT)
                .add("dicom", Json.createObjectBuilder(dataset).remove("00080018")).build();
        return List.of(instance, seriesDoc);
    }

    /** As the mirror fingerprints a dataset (its form version, then the JSON). */
    private static String hash(JsonObject dataset) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(("2" + dataset).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Deletions of these documents at the revisions CouchDB holds now (read just before: the sidecar may have
     * rewritten a document since it was written, which the deletion must not fail on).
     */
    private static List<JsonObject> deletions(List<JsonObject> written) {
        var keys = Json.createArrayBuilder();
        written.forEach(d -> keys.add(d.getString("_id")));
        HttpResponse<byte[]> r = Http.send(HttpRequest.newBuilder(URI.create(Mirror.db() + "/_all_docs"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.createObjectBuilder().add("keys", keys).build()
                        .toString())).build());
        assertEquals(200, r.statusCode(), Http.text(r));
        List<JsonObject> out = new ArrayList<>();
        for (JsonValue row : Http.json(r.body()).asJsonObject().getJsonArray("rows")) {
            JsonObject o = row.asJsonObject();
            assertTrue(o.containsKey("value"), "CouchDB holds " + o);
            out.add(Json.createObjectBuilder().add("_id", o.getString("id"))
                    .add("_rev", o.getJsonObject("value").getString("rev")).add("_deleted", true).build());
        }
        return out;
    }

    /** POST _bulk_docs; answers the documents with the revisions CouchDB gave them. */
    private static List<JsonObject> bulkDocs(List<JsonObject> docs) {
        var array = Json.createArrayBuilder();
        docs.forEach(array::add);
        HttpResponse<byte[]> r = Http.send(HttpRequest.newBuilder(URI.create(Mirror.db() + "/_bulk_docs"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.createObjectBuilder().add("docs", array).build()
                        .toString())).build());
        assertEquals(201, r.statusCode(), Http.text(r));
        JsonArray results = Http.json(r.body()).asJsonArray();
        List<JsonObject> out = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            JsonObject result = results.getJsonObject(i);
            assertTrue(result.containsKey("rev"), "CouchDB took " + docs.get(i).getString("_id") + ": " + result);
            out.add(Json.createObjectBuilder(docs.get(i)).add("_rev", result.getString("rev")).build());
        }
        assertNotEquals(0, out.size());
        return out;
    }
}
