package org.dicomsidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every instance the host stores lands in the mirror within seconds, through each kind of notification,
 * durably, once, and equal to the host's metadata; bad notifications change nothing.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class MirrorIT extends SidecarDeployment {

    /** Real multi-series studies written by others: pydicom's DICOMDIR test set (CR, CT, MR). */
    private static final Path DICOMDIR_TESTS = ExternalServices.PYDICOM.resolve("dicomdirtests");

    @AfterEach
    void everythingBack() {
        ExternalServices.couchdb().start();
        Http.awaitStatus(200, 60);
    }

    @Test
    void realStudiesStoredInTheHostArriveThroughItsHookAndEqualItsMetadata() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(DICOMDIR_TESTS)) {
            files = walk.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("DICOMDIR"))
                    .filter(p -> p.toString().matches(".*/(77654033|98892001|98892003)/.*")).sorted().toList();
        }
        assertTrue(files.size() >= 20, "pydicom's dicomdirtests: " + files.size());
        long webhookBefore = Mirror.eventsFrom("webhook");
        long start = System.nanoTime();
        files.forEach(Mirror::storeAnewInHost); // new to Orthanc, so that its hook fires for every file
        // the Lua hook's notifications (POST /api/events/stored) arrived: one per file
        Mirror.await("the Lua hook notified every stored file", 30,
                () -> Mirror.eventsFrom("webhook") >= webhookBefore + files.size());
        Mirror.await("every stored instance is in the mirror", 30, () -> Mirror.instances().containsAll(Mirror.hostInstances()));
        System.out.printf("%d real instances mirrored, %d notifications through the Lua hook, in %d ms%n", files.size(),
                Mirror.eventsFrom("webhook") - webhookBefore, (System.nanoTime() - start) / 1_000_000);

        int compared = 0;
        for (JsonObject i : DelegationIT.qidoDirect("/instances?limit=1000").getValuesAs(JsonObject.class)) {
            String study = DelegationIT.firstValue(i, "0020000D");
            String series = DelegationIT.firstValue(i, "0020000E");
            String sop = DelegationIT.firstValue(i, "00080018");
            JsonObject doc = Mirror.instance(sop).orElseThrow(() -> new AssertionError("missing " + sop));
            assertEquals(Mirror.numbersAsDoubles(Mirror.hostMetadata(study, series, sop)),
                    Mirror.numbersAsDoubles(doc.getJsonObject("dicom")), "field by field: " + sop);
            assertEquals(study, doc.getString("study"));
            assertEquals(series, doc.getString("series"));
            assertFalse(doc.getJsonObject("dicom").toString().contains("\"InlineBinary\":\"" + "A".repeat(300)),
                    "no bulk data");
            compared++;
        }
        assertTrue(compared >= files.size(), "compared " + compared);
        JsonObject mirror = Mirror.mirrorStatus();
        assertTrue(mirror.getInt("eventsReceived") >= files.size());
        assertTrue(mirror.getJsonNumber("lagMillisP95").longValue() >= 0);
    }

    @Test
    void upsWorkitemShapedLikeDcm4cheesIsAnswered201AndMirrored() throws IOException {
        SyntheticDicom.Instance a = SyntheticDicom.image(16);
        SyntheticDicom.Instance b = SyntheticDicom.image(16, a.studyUid(), a.seriesUid());
        forgetInMirror(a, b);
        String workitem = Files.readString(projectFile("ejb/src/test/resources/ingest/ups-workitem-dcm4chee.json"));
        JsonObject template = Http.json(workitem).asJsonObject();
        // the exporter's shape, with this test's UIDs
        JsonObject item = template.getJsonObject("00404021").getJsonArray("Value").getJsonObject(0);
        var refs = Json.createArrayBuilder();
        for (SyntheticDicom.Instance i : List.of(a, b)) {
            refs.add(Json.createObjectBuilder()
                    .add("00081150", dicomValue("UI", "1.2.840.10008.5.1.4.1.1.7"))
                    .add("00081155", dicomValue("UI", i.sopUid())));
        }
        JsonObject newItem = Json.createObjectBuilder(item)
                .add("0020000D", dicomValue("UI", a.studyUid()))
                .add("0020000E", dicomValue("UI", a.seriesUid()))
                .add("00081199", Json.createObjectBuilder().add("vr", "SQ").add("Value", refs)).build();
        JsonObject body = Json.createObjectBuilder(template).add("00404021", Json.createObjectBuilder()
                .add("vr", "SQ").add("Value", Json.createArrayBuilder().add(newItem))).build();

        HttpResponse<byte[]> r = Mirror.post("/api/ups/workitems", "application/dicom+json",
                body.toString().getBytes(StandardCharsets.UTF_8));
        assertEquals(201, r.statusCode(), Http.text(r));
        assertTrue(r.headers().firstValue("Location").orElse("").contains("/sidecar/api/ups/workitems/"));
        Mirror.await("the workitem's instances are mirrored", 15,
                () -> Mirror.instance(a.sopUid()).isPresent() && Mirror.instance(b.sopUid()).isPresent());
    }

    @Test
    void wadoAndFhirNotificationsAreMirrored() {
        SyntheticDicom.Instance w = SyntheticDicom.image(16);
        forgetInMirror(w);
        HttpResponse<byte[]> r = Http.get(ExternalServices.sidecarUrl() + "/api/events/wado/studies/" + w.studyUid()
                + "/series/" + w.seriesUid() + "/instances/" + w.sopUid(), "application/json");
        assertEquals(202, r.statusCode(), Http.text(r));
        Mirror.await("the wado: notification's instance is mirrored", 15, () -> Mirror.instance(w.sopUid()).isPresent());

        SyntheticDicom.Instance f = SyntheticDicom.image(16);
        forgetInMirror(f);
        JsonObject imagingStudy = Json.createObjectBuilder()
                .add("resourceType", "ImagingStudy").add("status", "available")
                .add("identifier", Json.createArrayBuilder().add(Json.createObjectBuilder()
                        .add("system", "urn:dicom:uid").add("value", "urn:oid:" + f.studyUid())))
                .add("subject", Json.createObjectBuilder().add("reference", "Patient/1"))
                .add("series", Json.createArrayBuilder().add(Json.createObjectBuilder()
                        .add("uid", f.seriesUid())
                        .add("modality", Json.createObjectBuilder().add("coding", Json.createArrayBuilder()
                                .add(Json.createObjectBuilder().add("system", "http://dicom.nema.org/resources/ontology/DCM").add("code", "OT"))))
                        .add("instance", Json.createArrayBuilder().add(Json.createObjectBuilder()
                                .add("uid", f.sopUid())
                                .add("sopClass", Json.createObjectBuilder().add("system", "urn:ietf:rfc:3986")
                                        .add("code", "urn:oid:1.2.840.10008.5.1.4.1.1.7"))))))
                .build();
        HttpResponse<byte[]> fr = Mirror.post("/api/fhir/ImagingStudy", "application/fhir+json",
                imagingStudy.toString().getBytes(StandardCharsets.UTF_8));
        assertEquals(201, fr.statusCode(), Http.text(fr));
        Mirror.await("the FHIR notification's instance is mirrored", 15, () -> Mirror.instance(f.sopUid()).isPresent());
    }

    @Test
    void theSameEventFiveTimesMakesOneRevision() {
        SyntheticDicom.Instance i = SyntheticDicom.image(16);
        Mirror.storeInHost(i.bytes());
        Mirror.await("mirrored", 15, () -> Mirror.instance(i.sopUid()).isPresent());
        Mirror.awaitQueueEmpty(15);
        String instanceRev = Mirror.instance(i.sopUid()).orElseThrow().getString("_rev");
        String seriesRev = Mirror.doc("series:" + i.seriesUid()).orElseThrow().getString("_rev");
        byte[] event = webhook(i).getBytes(StandardCharsets.UTF_8);
        for (int n = 0; n < 5; n++) {
            assertEquals(202, Mirror.post("/api/events/stored", "application/json", event).statusCode());
        }
        long before = Mirror.mirrorStatus().getJsonNumber("seriesMirrored").longValue();
        Mirror.await("the events are processed", 15,
                () -> Mirror.mirrorStatus().getJsonNumber("seriesMirrored").longValue() > before);
        Mirror.awaitQueueEmpty(15);
        assertEquals(instanceRev, Mirror.instance(i.sopUid()).orElseThrow().getString("_rev"));
        assertEquals(seriesRev, Mirror.doc("series:" + i.seriesUid()).orElseThrow().getString("_rev"));
        assertTrue(instanceRev.startsWith("1-"), instanceRev);
    }

    @Test
    void couchDbDownForTwentySecondsWhileEventsKeepComingLosesNothing() {
        ExternalServices.couchdb().stop();
        List<SyntheticDicom.Instance> stored = new ArrayList<>();
        long end = System.nanoTime() + 20_000_000_000L;
        SyntheticDicom.Instance first = SyntheticDicom.image(16);
        while (System.nanoTime() < end) {
            SyntheticDicom.Instance i = stored.size() % 5 == 0 ? SyntheticDicom.image(16)
                    : SyntheticDicom.image(16, stored.get(stored.size() - 1).studyUid(),
                    stored.get(stored.size() - 1).seriesUid());
            Mirror.storeInHost(i.bytes()); // Orthanc's hook and changes notify the sidecar, which journals the events
            stored.add(i);
            ManagedProcess.sleep(500);
        }
        assertEquals(503, Http.statusCode(), "CouchDB is down");
        assertTrue(stored.size() >= 30 && first != null);
        ExternalServices.couchdb().start();
        Mirror.await("every instance stored during the outage is mirrored", 60,
                () -> stored.stream().allMatch(i -> Mirror.instance(i.sopUid()).isPresent()));
        Mirror.awaitQueueEmpty(30);
    }

    @Test
    void malformedNotificationsGet4xxJsonAndChangeNothing() {
        Mirror.awaitQueueEmpty(30);
        int docs = Mirror.documentCount();
        long rejectedBefore = Mirror.mirrorStatus().getJsonNumber("eventsRejected").longValue();
        record Bad(String path, String contentType, byte[] body, int status) {
        }
        byte[] tenMegabytes = new byte[10 * 1024 * 1024];
        java.util.Arrays.fill(tenMegabytes, (byte) ' ');
        tenMegabytes[0] = '[';
        tenMegabytes[tenMegabytes.length - 1] = ']';
        List<Bad> cases = List.of(
                new Bad("/api/events/stored", "application/json", "{not json".getBytes(StandardCharsets.UTF_8), 400),
                new Bad("/api/events/stored", "application/json",
                        "{\"studyInstanceUID\": \"1.2.abc\"}".getBytes(StandardCharsets.UTF_8), 400),
                new Bad("/api/events/stored", "application/json",
                        ("{\"studyInstanceUID\": \"1." + "2".repeat(70) + "\"}").getBytes(StandardCharsets.UTF_8), 400),
                new Bad("/api/events/stored", "application/json", tenMegabytes, 413),
                new Bad("/api/events/stored", "text/plain", "{}".getBytes(StandardCharsets.UTF_8), 415),
                new Bad("/api/ups/workitems", "application/dicom+json", "{}".getBytes(StandardCharsets.UTF_8), 400),
                new Bad("/api/ups/workitems", "application/xml", "<x/>".getBytes(StandardCharsets.UTF_8), 415),
                new Bad("/api/fhir/ImagingStudy", "application/fhir+json",
                        "{\"resourceType\": \"Patient\"}".getBytes(StandardCharsets.UTF_8), 400));
        for (Bad bad : cases) {
            HttpResponse<byte[]> r = Mirror.post(bad.path(), bad.contentType(), bad.body());
            assertEquals(bad.status(), r.statusCode(), bad.path() + " " + Http.text(r));
            assertTrue(Http.contentType(r).startsWith("application/json"), Http.contentType(r));
            JsonObject error = Http.json(r.body()).asJsonObject();
            assertEquals(bad.status(), error.getInt("status"));
            assertFalse(error.getString("message").isBlank());
        }
        assertEquals(docs, Mirror.documentCount(), "nothing stored");
        assertTrue(Mirror.mirrorStatus().getJsonNumber("eventsRejected").longValue() >= rejectedBefore + 5);
        assertEquals(200, Http.statusCode(), "the sidecar keeps working");
    }

    @Test
    void stowThroughTheSidecarIsMirroredFromTheHostsAnswer() {
        SyntheticDicom.Instance i = SyntheticDicom.image(64);
        String boundary = "mirror-it-" + System.nanoTime();
        HttpResponse<byte[]> r = Mirror.post("/dicomweb/studies",
                "multipart/related; type=\"application/dicom\"; boundary=" + boundary,
                Multipart.build(boundary, "application/dicom", List.of(i.bytes())));
        assertEquals(200, r.statusCode(), Http.text(r));
        Mirror.await("the STOWed instance is mirrored", 15, () -> Mirror.instance(i.sopUid()).isPresent());
    }

    /** Stores instances in the host while making sure the mirror does not have them yet. */
    private static void forgetInMirror(SyntheticDicom.Instance... instances) {
        long webhook = Mirror.eventsFrom("webhook");
        long feed = Mirror.eventsFrom("orthanc-changes");
        for (SyntheticDicom.Instance i : instances) {
            Mirror.storeInHost(i.bytes());
        }
        // the host's own hook and the sidecar's changes feed mirror them; once both have delivered, remove them
        // from the mirror so only the receiver under test can bring them back
        Mirror.await("the hook and the changes feed delivered them", 15,
                () -> Mirror.eventsFrom("webhook") >= webhook + instances.length
                        && Mirror.eventsFrom("orthanc-changes") >= feed + instances.length);
        Mirror.await("mirrored by the host's receivers first", 15,
                () -> java.util.Arrays.stream(instances).allMatch(i -> Mirror.instance(i.sopUid()).isPresent()));
        Mirror.awaitQueueEmpty(15);
        for (SyntheticDicom.Instance i : instances) {
            deleteDoc("instance:" + i.sopUid());
            Mirror.doc("series:" + i.seriesUid()).ifPresent(d -> deleteDoc("series:" + i.seriesUid()));
        }
        for (SyntheticDicom.Instance i : instances) {
            assertTrue(Mirror.instance(i.sopUid()).isEmpty());
        }
    }

    private static void deleteDoc(String id) {
        Mirror.doc(id).ifPresent(d -> Http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                Mirror.db() + "/" + Mirror.enc(id) + "?rev=" + d.getString("_rev"))).DELETE().build()));
    }

    private static String webhook(SyntheticDicom.Instance i) {
        return Json.createObjectBuilder().add("studyInstanceUID", i.studyUid()).add("seriesInstanceUID", i.seriesUid())
                .add("sopInstanceUID", i.sopUid()).build().toString();
    }

    private static JsonObject dicomValue(String vr, String value) {
        return Json.createObjectBuilder().add("vr", vr).add("Value", Json.createArrayBuilder().add(value)).build();
    }

    private static Path projectFile(String relative) {
        return ExternalServices.projectRoot().resolve(relative);
    }

}
