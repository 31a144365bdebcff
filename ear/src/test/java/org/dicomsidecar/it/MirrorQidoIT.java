package org.dicomsidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * QIDO-RS over the mirror answers like the host on keys the host supports (same UIDs), and answers keys
 * the host cannot match, checked against the host's own metadata. Real files written by others.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class MirrorQidoIT extends SidecarDeployment {

    @BeforeEach
    void realStudiesInHostAndMirror() throws IOException {
        try (Stream<Path> walk = Files.walk(ExternalServices.PYDICOM.resolve("dicomdirtests"))) {
            walk.filter(Files::isRegularFile).filter(p -> p.toString().matches(".*/(77654033|98892001|98892003)/.*"))
                    .forEach(Mirror::storeInHost);
        }
        Http.awaitStatus(200, 60);
        Mirror.await("mirror == host", 60, () -> Mirror.instances().containsAll(Mirror.hostInstances()));
        Mirror.awaitQueueEmpty(30);
    }

    @Test
    void matchingRulesGiveTheHostsAnswers() {
        String ct = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322";
        String mr = "1.3.6.1.4.1.5962.1.2.4.20040826185059.5457";
        record Case(String rule, String path, String uidTag) {
        }
        for (Case c : List.of(
                new Case("universal", "/studies", "0020000D"),
                new Case("single value", "/studies?PatientID=1CT1", "0020000D"),
                new Case("UID list", "/studies?StudyInstanceUID=" + ct + "," + mr, "0020000D"),
                new Case("wildcard", "/studies?PatientName=" + enc("*CT*"), "0020000D"),
                new Case("date range", "/studies?StudyDate=20040101-20041231", "0020000D"),
                // an open upper end: Orthanc also counts studies without a StudyDate as "before" any date
                // (it compares the empty string); the mirror does not. /api/compare shows such differences.
                new Case("open date range", "/studies?StudyDate=20040601-", "0020000D"),
                new Case("modalities in study", "/studies?ModalitiesInStudy=MR", "0020000D"),
                new Case("series level", "/series?Modality=CT", "0020000E"),
                new Case("series in a study", "/studies/" + mr + "/series", "0020000E"),
                new Case("instances in a study", "/studies/" + ct + "/instances", "00080018"),
                new Case("instance level", "/instances?Modality=MR", "00080018"))) {
            Set<String> host = uids(DelegationIT.qidoDirect(c.path()), c.uidTag());
            Set<String> mirror = uids(mirrorQido(c.path()), c.uidTag());
            assertFalse(host.isEmpty(), c.rule() + ": a case that finds nothing proves little");
            assertEquals(host, mirror, c.rule() + ": " + c.path());
        }
    }

    @Test
    void keysTheHostCannotMatchAreAnsweredFromTheMirror() {
        // expected, from the host's own metadata read here: the CT instances whose PixelSpacing is 0.488281\0.488281
        Set<String> expected = new HashSet<>();
        for (JsonObject i : DelegationIT.qidoDirect("/instances?Modality=CT").getValuesAs(JsonObject.class)) {
            JsonObject md = Mirror.hostMetadata(DelegationIT.firstValue(i, "0020000D"), DelegationIT.firstValue(i, "0020000E"),
                    DelegationIT.firstValue(i, "00080018"));
            JsonObject ps = md.getJsonObject("00280030");
            if (ps != null && ps.containsKey("Value") && ps.getJsonArray("Value").size() == 2
                    && ps.getJsonArray("Value").getJsonNumber(0).doubleValue() == 0.488281
                    && ps.getJsonArray("Value").getJsonNumber(1).doubleValue() == 0.488281) {
                expected.add(DelegationIT.firstValue(i, "00080018"));
            }
        }
        assertFalse(expected.isEmpty());
        JsonArray answer = mirrorQido("/instances?Modality=CT&PixelSpacing=" + enc("0.488281\\0.488281")
                + "&includefield=PixelSpacing");
        assertEquals(expected, uids(answer, "00080018"));
        assertTrue(answer.getJsonObject(0).containsKey("00280030"), "a matched key is returned");
    }

    @Test
    void fuzzySequenceAndIncludeAllRulesFollowTheData() {
        // fuzzymatching: case-insensitive, any name component by prefix; expected from the host's metadata
        Set<String> expected = new HashSet<>();
        for (JsonObject st : DelegationIT.qidoDirect("/studies?includefield=00100010").getValuesAs(JsonObject.class)) {
            JsonObject pn = st.getJsonObject("00100010");
            if (pn != null && pn.containsKey("Value")) {
                String name = pn.getJsonArray("Value").getJsonObject(0).getString("Alphabetic", "");
                for (String part : name.split("[\\^ ]")) {
                    if (part.toLowerCase().startsWith("compressed")) {
                        expected.add(DelegationIT.firstValue(st, "0020000D"));
                    }
                }
            }
        }
        assertFalse(expected.isEmpty());
        assertEquals(expected, uids(mirrorQido("/studies?fuzzymatching=true&PatientName=compressed"), "0020000D"));

        // sequence matching: the real SEG's ReferencedSeriesSequence names the series it was drawn on
        String liverStudy = "1.2.392.200103.20080913.113635.0.2009.6.22.21.43.10.22941.1";
        JsonObject seg = DelegationIT.qidoDirect("/studies/" + liverStudy + "/instances?Modality=SEG").getJsonObject(0);
        JsonObject md = Mirror.hostMetadata(liverStudy, DelegationIT.firstValue(seg, "0020000E"), DelegationIT.firstValue(seg, "00080018"));
        String referenced = md.getJsonObject("00081115").getJsonArray("Value").getJsonObject(0)
                .getJsonObject("0020000E").getJsonArray("Value").getString(0);
        assertEquals(Set.of(DelegationIT.firstValue(seg, "00080018")),
                uids(mirrorQido("/instances?ReferencedSeriesSequence.SeriesInstanceUID=" + referenced), "00080018"));

        // includefield=all: every study-level attribute the data has, e.g. the CT's StudyDescription-less fields
        JsonObject all = mirrorQido("/studies?StudyInstanceUID=" + liverStudy + "&includefield=all").getJsonObject(0);
        JsonObject hostStudy = Mirror.hostMetadata(liverStudy, DelegationIT.firstValue(seg, "0020000E"), DelegationIT.firstValue(seg, "00080018"));
        for (String tag : List.of("00100010", "00100020", "00080020", "00200010")) {
            if (hostStudy.containsKey(tag)) {
                assertTrue(all.containsKey(tag), "includefield=all returns " + tag);
            }
        }
    }

    @Test
    void answersCarryTheRequiredAttributesAndPageWithLimitAndOffset() {
        JsonArray studies = mirrorQido("/studies?includefield=StudyDescription");
        JsonObject s = studies.getJsonObject(0);
        for (String tag : List.of("0020000D", "00080020", "00100020", "00080061", "00201206", "00201208", "00081190")) {
            assertTrue(s.containsKey(tag), "study attribute " + tag);
        }
        assertTrue(s.getJsonObject("00081190").getJsonArray("Value").getString(0)
                .startsWith(ExternalServices.sidecarUrl() + "/mirror/dicomweb/studies/"));
        Set<String> paged = new HashSet<>();
        for (int offset = 0; offset < studies.size(); offset += 4) {
            paged.addAll(uids(mirrorQido("/studies?limit=4&offset=" + offset), "0020000D"));
        }
        assertEquals(uids(studies, "0020000D"), paged, "limit/offset pages cover every study once");
        HttpResponse<byte[]> bad = Http.get(ExternalServices.sidecarUrl() + "/mirror/dicomweb/studies?PixelSpacng=1",
                "application/dicom+json");
        assertEquals(400, bad.statusCode());
        // WADO-RS under the mirror root goes to the host
        String study = DelegationIT.firstValue(studies.getJsonObject(0), "0020000D");
        assertEquals(200, Http.get(ExternalServices.sidecarUrl() + "/mirror/dicomweb/studies/" + study + "/metadata",
                "application/dicom+json").statusCode());
    }

    @Test
    void aStarAloneIsUniversalMatchingAndKeepsStudiesWithoutTheAttribute() {
        String absent = SyntheticDicom.newUid();
        String empty = SyntheticDicom.newUid();
        Mirror.storeInHost(SyntheticDicom.image(8, absent, SyntheticDicom.newUid(), null).bytes());
        Mirror.storeInHost(SyntheticDicom.image(8, empty, SyntheticDicom.newUid(), "").bytes());
        Mirror.await("the studies without a PatientName are mirrored", 60,
                () -> Mirror.instances().containsAll(Mirror.hostInstances()));
        // expected: every study the host holds (universal matching filters nothing)
        Set<String> every = uids(DelegationIT.qidoDirect("/studies"), "0020000D");
        assertTrue(every.containsAll(Set.of(absent, empty)));
        for (String key : List.of("PatientName=*", "PatientName=***", "PatientName=", "StudyDate=*", "AccessionNumber=*")) {
            JsonArray answer = mirrorQido("/studies?" + key.replace("*", "%2A"));
            assertEquals(every, uids(answer, "0020000D"), key);
            String keyword = key.substring(0, key.indexOf('='));
            for (JsonObject study : answer.getValuesAs(JsonObject.class)) {
                String tag = keyword.equals("PatientName") ? "00100010" : keyword.equals("StudyDate") ? "00080020" : "00080050";
                assertTrue(study.containsKey(tag), key + ": the key is returned, even empty");
            }
        }
        assertFalse(uids(mirrorQido("/studies?PatientName=" + enc("*?")), "0020000D").contains(absent),
                "a wildcard that needs a character still needs a value");
    }

    @Test
    void nestedAnswersCarryTheParentAttributesTheHostReturns() {
        String ct = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322";
        String mr = "1.3.6.1.4.1.5962.1.2.4.20040826185059.5457";
        List<String> parentTags = List.of("0020000D", "0020000E", "00080060", "00200011");
        int compared = 0;
        for (String study : List.of(ct, mr)) {
            JsonArray hostSeries = DelegationIT.qidoDirect("/studies/" + study + "/series");
            compared += compareByUid(hostSeries, mirrorQido("/studies/" + study + "/series"), "0020000E", parentTags);
            for (JsonObject series : hostSeries.getValuesAs(JsonObject.class)) {
                String path = "/studies/" + study + "/series/" + DelegationIT.firstValue(series, "0020000E") + "/instances";
                compared += compareByUid(DelegationIT.qidoDirect(path), mirrorQido(path), "00080018", parentTags);
            }
        }
        assertTrue(compared >= 10, "compared " + compared + " attributes");
    }

    /** For each row (by UID), each of the tags the host returns: the mirror returns it with the same values. */
    private static int compareByUid(JsonArray host, JsonArray mirror, String uidTag, List<String> tags) {
        Map<String, JsonObject> mirrorRows = new HashMap<>();
        mirror.getValuesAs(JsonObject.class).forEach(r -> mirrorRows.put(DelegationIT.firstValue(r, uidTag), r));
        assertEquals(host.size(), mirrorRows.size());
        int compared = 0;
        for (JsonObject h : host.getValuesAs(JsonObject.class)) {
            JsonObject m = mirrorRows.get(DelegationIT.firstValue(h, uidTag));
            assertNotNull(m, "the mirror answers " + DelegationIT.firstValue(h, uidTag));
            assertTrue(h.containsKey("0020000D"), "the host returns StudyInstanceUID in nested answers");
            for (String tag : tags) {
                if (h.containsKey(tag) && h.getJsonObject(tag).containsKey("Value")) {
                    assertTrue(m.containsKey(tag), tag + " in " + m);
                    assertEquals(Mirror.numbersAsDoubles(h.getJsonObject(tag).get("Value")),
                            Mirror.numbersAsDoubles(m.getJsonObject(tag).get("Value")), tag);
                    compared++;
                }
            }
        }
        return compared;
    }

    @Test
    void malformedQueriesGet400Json() {
        for (String query : List.of("PatientName=%ZZ", "%ZZ=1", "StudyDate=2020-abc", "StudyDate=notadate", "NoSuchKeyword=1", "limit=-1",
                "offset=x", "Rows=abc", "PatientName.CodeValue=1")) {
            // raw: java.net.URI refuses malformed percent-encoding before it is sent
            RawHttp.Answer a = RawHttp.exchange("GET", "/sidecar/mirror/dicomweb/studies?" + query,
                    Map.of("Accept", "application/dicom+json"), null, -1);
            assertEquals(400, a.status(), query + ": " + a);
            assertTrue(String.valueOf(a.header("Content-Type")).toLowerCase().contains("application/json"),
                    query + ": JSON: " + a);
            assertTrue(a.text().contains("\"invalid-query\""), query + ": " + a);
        }
    }

    @Test
    void aThirtyStarWildcardAnswersWithoutHoldingUpAnotherQuery() throws Exception {
        String thirtyStars = "*".repeat(30) + "x";
        String mirrorUrl = ExternalServices.sidecarUrl() + "/mirror/dicomweb/studies?PatientName=" + enc(thirtyStars);
        String cohort = "{\"level\": \"study\", \"where\": {\"attribute\": \"PatientName\", \"matches\": \""
                + thirtyStars + "\"}}";
        long start = System.nanoTime();
        CompletableFuture<HttpResponse<byte[]>> stars = CompletableFuture.supplyAsync(
                () -> Http.get(mirrorUrl, "application/dicom+json"));
        CompletableFuture<HttpResponse<byte[]>> cohortStars = CompletableFuture.supplyAsync(
                () -> Mirror.post("/api/cohorts/query", "application/json", cohort.getBytes(StandardCharsets.UTF_8)));
        CompletableFuture<Long> other = CompletableFuture.supplyAsync(() -> {
            long t0 = System.nanoTime();
            assertFalse(uids(mirrorQido("/studies?PatientID=1CT1"), "0020000D").isEmpty());
            return (System.nanoTime() - t0) / 1_000_000;
        });
        long otherMillis = other.get(60, TimeUnit.SECONDS);
        HttpResponse<byte[]> a = stars.get(60, TimeUnit.SECONDS);
        HttpResponse<byte[]> b = cohortStars.get(60, TimeUnit.SECONDS);
        long allMillis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("30-star wildcard: mirror QIDO " + a.statusCode() + ", cohort " + b.statusCode()
                + ", both done after " + allMillis + " ms; the other query took " + otherMillis + " ms");
        // answered (a linear matcher), or at worst cancelled by the time budget (10 s by default): never held
        for (HttpResponse<byte[]> r : List.of(a, b)) {
            assertTrue(r.statusCode() == 200 || (r.statusCode() == 503
                    && Http.json(r.body()).asJsonObject().getString("error").equals("query-timeout")), Http.text(r));
        }
        assertEquals(200, a.statusCode(), "a linear matcher answers long before the budget");
        assertTrue(Http.json(a.body()).asJsonArray().isEmpty(), "no PatientName ends in x");
        assertEquals(0, Http.json(b.body()).asJsonObject().getInt("count"));
        assertTrue(allMillis < 15_000, "answered after " + allMillis + " ms");
        assertTrue(otherMillis < 10_000, "the other query answered after " + otherMillis + " ms");
    }

    private static JsonArray mirrorQido(String path) {
        HttpResponse<byte[]> r = Http.get(ExternalServices.sidecarUrl() + "/mirror/dicomweb" + path, "application/dicom+json");
        assertEquals(200, r.statusCode(), path + " " + Http.text(r));
        return Http.json(r.body()).asJsonArray();
    }

    private static Set<String> uids(JsonArray rows, String tag) {
        Set<String> out = new HashSet<>();
        rows.forEach(r -> out.add(DelegationIT.firstValue(r.asJsonObject(), tag)));
        return out;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
