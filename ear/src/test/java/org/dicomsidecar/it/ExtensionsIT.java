package org.dicomsidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The extension queries on real files written by others (pydicom's samples, in the host since the start of
 * the run). Expected answers come from the host's own metadata, read and interpreted by this test.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ExtensionsIT extends SidecarDeployment {

    @BeforeEach
    void mirrorHasTheSamples() {
        Http.awaitStatus(200, 60);
        Mirror.await("the samples are mirrored", 60, () -> Mirror.instances().containsAll(Mirror.hostInstances()));
    }

    /** pydicom's liver_1frame.dcm: a real SEG (other tests add generated ones). */
    private static final String LIVER_STUDY = "1.2.392.200103.20080913.113635.0.2009.6.22.21.43.10.22941.1";

    @Test
    void outgoingReferencesOfTheRealSegmentationFollowItsPathsAndReportDanglingTargets() {
        JsonObject seg = DelegationIT.qidoDirect("/studies/" + LIVER_STUDY + "/instances?Modality=SEG").getJsonObject(0);
        String segSop = DelegationIT.firstValue(seg, "00080018");
        JsonObject metadata = Mirror.hostMetadata(DelegationIT.firstValue(seg, "0020000D"),
                DelegationIT.firstValue(seg, "0020000E"), segSop);
        // independently of the sidecar: the instance UIDs under ReferencedSeriesSequence > ReferencedInstanceSequence
        Set<String> expected = new HashSet<>();
        for (JsonValue s : values(metadata, "00081115")) {
            for (JsonValue i : values(s.asJsonObject(), "0008114A")) {
                expected.add(values(i.asJsonObject(), "00081155").getString(0));
            }
        }
        assertFalse(expected.isEmpty(), "the real SEG names its source images");
        JsonObject answer = Http.getJson("/api/references/" + segSop + "?direction=outgoing");
        assertEquals("instance", answer.getJsonObject("target").getString("level"));
        Set<String> found = new HashSet<>();
        for (JsonObject r : answer.getJsonArray("references").getValuesAs(JsonObject.class)) {
            if (r.getString("path").equals("ReferencedSeriesSequence>ReferencedInstanceSequence")) {
                found.add(r.getString("target"));
                assertTrue(r.getBoolean("dangling"), "the CT it was drawn on is not in the archive");
            }
        }
        assertEquals(expected, found);
        assertTrue(answer.getJsonArray("references").stream().anyMatch(r -> r.asJsonObject().getString("path")
                .equals("PerFrameFunctionalGroupsSequence>DerivationImageSequence>SourceImageSequence")),
                "the per-frame path is followed too");
        // incoming, asked of the referenced instance (absent from the archive): the SEG references it
        String target = expected.iterator().next();
        JsonObject incoming = Http.getJson("/api/references/" + target + "?modality=SEG");
        assertFalse(incoming.getJsonObject("target").getBoolean("inMirror"));
        assertTrue(incoming.getJsonArray("references").stream()
                .anyMatch(r -> r.asJsonObject().getString("sopInstanceUID").equals(segSop)));
        assertTrue(Http.getJson("/api/references/" + target + "?modality=SR").getJsonArray("references").isEmpty(), "filtered");
    }

    @Test
    void cohortOfCtSeriesEqualsWhatTheHostSays() {
        Set<String> hostCt = new HashSet<>();
        DelegationIT.qidoDirect("/series?Modality=CT").forEach(s -> hostCt.add(DelegationIT.firstValue(s.asJsonObject(), "0020000E")));
        JsonObject answer = Http.postJson("/api/cohorts/query", "{\"where\": {\"attribute\": \"Modality\", \"equals\": \"CT\"}, \"limit\": 1000}");
        Set<String> mirrorCt = new HashSet<>();
        answer.getJsonArray("results").forEach(r -> mirrorCt.add(r.asJsonObject().getString("seriesInstanceUID")));
        assertEquals(hostCt, mirrorCt);
        assertEquals(hostCt.size(), answer.getInt("count"));

        // CT_small: PixelSpacing 0.661468 \ 0.661468 (read here from the host's metadata)
        JsonObject ct = DelegationIT.qidoDirect("/instances?SOPInstanceUID=1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322").getJsonObject(0);
        JsonObject md = Mirror.hostMetadata(DelegationIT.firstValue(ct, "0020000D"), DelegationIT.firstValue(ct, "0020000E"),
                DelegationIT.firstValue(ct, "00080018"));
        double spacing = md.getJsonObject("00280030").getJsonArray("Value").getJsonNumber(0).doubleValue();
        JsonObject near = Http.postJson("/api/cohorts/query", "{\"level\": \"instance\", \"where\": {\"and\": ["
                + "{\"attribute\": \"PixelSpacing\", \"values\": \"every\", \"near\": " + spacing + ", \"tolerance\": 0.0001},"
                + "{\"attribute\": \"SOPInstanceUID\", \"equals\": \"1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322\"}]},"
                + "\"include\": [\"PixelSpacing\"]}");
        assertEquals(1, near.getInt("count"), near.toString());
        JsonObject far = Http.postJson("/api/cohorts/query", "{\"level\": \"instance\", \"where\": {\"attribute\": \"PixelSpacing\","
                + " \"values\": 2, \"near\": " + (spacing + 0.01) + ", \"tolerance\": 0.001}}");
        assertTrue(far.getJsonArray("results").stream().noneMatch(r -> r.asJsonObject().getString("sopInstanceUID")
                .equals("1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322")));
    }

    @Test
    void malformedCohortQueriesGet400SayingWhere() {
        record Bad(String query, String where) {
        }
        for (Bad bad : List.of(
                new Bad("{\"where\": {\"attribute\": \"PixelSpacng\", \"equals\": 1}}", "where.attribute"),
                new Bad("{\"where\": {\"and\": [{\"attribute\": \"Modality\", \"equals\": \"CT\"},"
                        + " {\"attribute\": \"SliceThickness\", \"lte\": \"thin\"}]}}", "where.and[1].lte"),
                new Bad("{\"where\": {\"attribute\": \"Modality\", \"between\": 1}}", "where.between"),
                new Bad("{\"where\": {\"attribute\": \"StudyDate\", \"gte\": \"last year\"}}", "where.gte"),
                new Bad("{\"level\": \"patient\"}", "level"),
                new Bad("not json", "body"))) {
            HttpResponse<byte[]> r = Mirror.post("/api/cohorts/query", "application/json",
                    bad.query().getBytes(StandardCharsets.UTF_8));
            assertEquals(400, r.statusCode(), bad.query());
            JsonObject error = Http.json(r.body()).asJsonObject();
            assertEquals(bad.where(), error.getString("where"), bad.query());
        }
    }

    @Test
    void workflowStepsFactsAbsenceAndChangeFeed() throws Exception {
        String ct = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322"; // CT_small's study
        String step = "manual-segmentation-" + System.nanoTime();
        JsonObject feedStart = Http.getJson("/api/workflow/changes?timeout=0");
        CompletableFuture<JsonObject> waiting = CompletableFuture.supplyAsync(() ->
                Http.getJson("/api/workflow/changes?timeout=20000&since=" + feedStart.getString("next")));

        HttpResponse<byte[]> created = put("/api/workflow/studies/" + ct + "/steps/" + step, null,
                "{\"state\": \"in-progress\", \"actor\": \"it\"}");
        assertEquals(201, created.statusCode(), Http.text(created));
        String etag = created.headers().firstValue("ETag").orElseThrow();
        HttpResponse<byte[]> updated = put("/api/workflow/studies/" + ct + "/steps/" + step, etag,
                "{\"state\": \"done\", \"actor\": \"it\", \"note\": \"checked\"}");
        assertEquals(200, updated.statusCode(), Http.text(updated));
        HttpResponse<byte[]> stale = put("/api/workflow/studies/" + ct + "/steps/" + step, etag, "{\"state\": \"failed\"}");
        assertEquals(412, stale.statusCode());
        assertEquals("stale-update", Http.json(stale.body()).asJsonObject().getString("error"));
        JsonObject stored = Http.getJson("/api/workflow/studies/" + ct + "/steps/" + step);
        assertEquals("done", stored.getString("state"));
        assertEquals(2, stored.getJsonArray("history").size(), "the full history is kept");

        JsonObject change = waiting.get();
        assertTrue(change.getJsonArray("changes").stream().anyMatch(c -> c.asJsonObject().getString("step").equals(step)),
                "the waiting agent was told: " + change);

        // facts, from the real SEG in the host: its SegmentAlgorithmType is in the file's bytes
        byte[] liver = Files.readAllBytes(ExternalServices.PYDICOM.resolve("liver_1frame.dcm"));
        String segType = new String(liver, StandardCharsets.ISO_8859_1).contains("SEMIAUTOMATIC") ? "SEMIAUTOMATIC" : "?";
        JsonObject facts = Http.getJson("/api/workflow/studies/" + LIVER_STUDY).getJsonObject("facts");
        assertTrue(facts.getBoolean("hasSegmentation"));
        assertEquals(Json.createArrayBuilder().add(segType).build(), facts.getJsonArray("segmentAlgorithmTypes"));

        // absence: CT studies without a MANUAL segmentation include CT_small's; lacking the done step excludes it
        JsonObject without = Http.postJson("/api/workflow/query", "{\"has\": [{\"fact\": \"modalities\", \"contains\": \"CT\"}],"
                + " \"lacks\": [{\"fact\": \"segmentAlgorithmTypes\", \"contains\": \"MANUAL\"}], \"limit\": 1000}");
        assertTrue(studies(without).contains(ct));
        JsonObject notDone = Http.postJson("/api/workflow/query", "{\"where\": {\"attribute\": \"Modality\", \"equals\": \"CT\"},"
                + " \"lacks\": [{\"step\": \"" + step + "\", \"state\": \"done\"}], \"limit\": 1000}");
        assertFalse(studies(notDone).contains(ct));
        assertEquals(studies(notDone).size(), notDone.getInt("count"));
    }

    @Test
    void cursorPagesSortExportsAndSavedCohortsThatGrow() {
        List<SyntheticDicom.Instance> added = new java.util.ArrayList<>();
        for (int n = 0; n < 8; n++) {
            SyntheticDicom.Instance i = SyntheticDicom.image(16); // a new OT series each
            Mirror.storeInHost(i.bytes());
            added.add(i);
        }
        Mirror.await("the new series are mirrored", 30,
                () -> added.stream().allMatch(i -> Mirror.doc("series:" + i.seriesUid()).isPresent()));
        // over this test's own series: other tests' data may still be arriving, and a cursor rightly shows what
        // arrives behind it, which would make the first page's count a moving target
        String own = added.stream().map(i -> "\"" + i.seriesUid() + "\"").collect(java.util.stream.Collectors.joining(", "));
        String query = "{\"level\": \"series\", \"where\": {\"and\": [{\"attribute\": \"Modality\", \"in\": [\"CT\", \"MR\","
                + " \"OT\"]}, {\"attribute\": \"SeriesInstanceUID\", \"in\": [" + own + "]}]},"
                + " \"sort\": [{\"attribute\": \"SeriesNumber\", \"order\": \"desc\"}], \"limit\": 3";
        JsonObject first = Http.postJson("/api/cohorts/query", query + "}");
        int total = first.getInt("count");
        assertEquals(8, total, "this test's series, all of them");
        List<String> seen = new java.util.ArrayList<>();
        JsonObject page = first;
        for (int pages = 0; pages <= total; pages++) {
            page.getJsonArray("results").forEach(r -> seen.add(r.asJsonObject().getString("seriesInstanceUID")));
            if (page.isNull("next")) {
                break;
            }
            page = Http.postJson("/api/cohorts/query", query + ", \"cursor\": \"" + page.getString("next") + "\"}");
        }
        assertEquals(total, seen.size(), "every result once");
        assertEquals(total, new HashSet<>(seen).size(), "no result twice");
        assertEquals(added.stream().map(SyntheticDicom.Instance::seriesUid).collect(java.util.stream.Collectors.toSet()),
                new HashSet<>(seen));

        HttpResponse<byte[]> csv = Mirror.post("/api/cohorts/export?format=csv", "application/json",
                (query + ", \"include\": [\"SeriesNumber\"]}").getBytes(StandardCharsets.UTF_8));
        assertEquals(200, csv.statusCode());
        String[] lines = Http.text(csv).split("\r\n");
        assertEquals("StudyInstanceUID,SeriesInstanceUID,Modality,SeriesNumber", lines[0]);
        assertEquals(total, lines.length - 1, "one CSV row per result");
        HttpResponse<byte[]> manifest = Mirror.post("/api/cohorts/export?format=manifest", "application/json",
                (query + "}").getBytes(StandardCharsets.UTF_8));
        String url = Http.text(manifest).split("\r\n")[0];
        assertTrue(url.startsWith(ExternalServices.sidecarDicomWebUrl() + "/studies/"), url);
        assertEquals(200, Http.get(url, "multipart/related; type=\"application/dicom\"").statusCode(), "the manifest's URLs retrieve");

        // a saved cohort's count grows as matching data arrives (in a study of its own: other tests' OT images may
        // still be arriving)
        SyntheticDicom.Instance i = SyntheticDicom.image(16); // Modality OT
        String name = "ot-images-" + System.nanoTime();
        HttpResponse<byte[]> saved = put("/api/cohorts/saved/" + name, null, "{\"level\": \"instance\", \"where\": {\"and\": ["
                + "{\"attribute\": \"Modality\", \"equals\": \"OT\"}, {\"attribute\": \"StudyInstanceUID\", \"equals\": \""
                + i.studyUid() + "\"}]}}");
        assertEquals(200, saved.statusCode(), Http.text(saved));
        assertEquals(0, Http.json(saved.body()).asJsonObject().getInt("count"));
        Mirror.storeInHost(i.bytes());
        Mirror.await("mirrored", 30, () -> Mirror.instance(i.sopUid()).isPresent());
        JsonObject rerun = Http.getJson("/api/cohorts/saved/" + name);
        assertEquals(1, rerun.getInt("count"));
        assertTrue(rerun.getJsonArray("history").size() >= 2, "the count history shows the change");
    }

    private static Set<String> studies(JsonObject answer) {
        Set<String> out = new HashSet<>();
        answer.getJsonArray("results").forEach(r -> out.add(r.asJsonObject().getString("studyInstanceUID")));
        return out;
    }

    private static JsonArray values(JsonObject dataset, String tag) {
        JsonObject e = dataset.getJsonObject(tag);
        assertNotNull(e, tag);
        return e.getJsonArray("Value");
    }



    private static HttpResponse<byte[]> put(String path, String ifMatch, String json) {
        return Http.putJson(ExternalServices.sidecarUrl() + path, ifMatch, json);
    }
}
