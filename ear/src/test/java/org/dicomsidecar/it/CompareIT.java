package org.dicomsidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The compare feature: agreement, a key the host ignores, an instance the mirror lacks. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class CompareIT extends SidecarDeployment {

    @BeforeEach
    void mirrorEqualsHost() {
        Http.awaitStatus(200, 60);
        Mirror.await("mirror == host", 60, () -> Mirror.instances().containsAll(Mirror.hostInstances()));
        Mirror.awaitQueueEmpty(30);
    }

    @Test
    void bothSidesAgree() {
        JsonObject c = compare("/studies?PatientID=1CT1");
        assertTrue(c.getBoolean("identical"), c.toString());
        // other tests store copies of CT_small (new UIDs, same patient): at least the sample itself
        assertTrue(c.getJsonObject("host").getInt("count") >= 1, c.toString());
        assertEquals(c.getJsonObject("host").getInt("count"), c.getJsonObject("mirror").getInt("count"));
        assertTrue(c.getJsonObject("host").getInt("millis") >= 0 && c.getJsonObject("mirror").getInt("millis") >= 0);
    }

    @Test
    void aKeyTheHostIgnoresIsReported() {
        // Orthanc's QIDO does not match inside sequences: it answers as if the key were absent
        JsonObject c = compare("/instances?SegmentSequence.SegmentAlgorithmType=NOSUCHTYPE");
        assertFalse(c.getBoolean("identical"));
        assertEquals(0, c.getJsonObject("mirror").getInt("count"), "no SEG has that algorithm type");
        assertTrue(c.getJsonObject("host").getInt("count") > 0, c.toString());
        assertEquals("SegmentSequence.SegmentAlgorithmType",
                c.getJsonArray("keysIgnoredByHost").getJsonObject(0).getString("key"), c.toString());
    }

    @Test
    void anInstanceMissingFromTheMirrorIsReported() {
        // take a real instance out of the mirror behind the sidecar's back (as a lost event would leave it)
        JsonObject mr = DelegationIT.qidoDirect("/instances?Modality=MR").getJsonObject(0);
        String series = DelegationIT.firstValue(mr, "0020000E");
        String study = DelegationIT.firstValue(mr, "0020000D");
        for (String sop : DelegationIT.qidoDirect("/studies/" + study + "/series/" + series + "/instances").stream()
                .map(v -> DelegationIT.firstValue(v.asJsonObject(), "00080018")).toList()) {
            delete("instance:" + sop);
        }
        delete("series:" + series);
        try {
            Mirror.await("the mirror lost the series", 10,
                    () -> !compare("/studies/" + study + "/series").getBoolean("identical"));
            JsonObject c = compare("/studies/" + study + "/series");
            assertTrue(c.getJsonArray("onlyHost").stream().anyMatch(v -> v.toString().contains(series)), c.toString());
            assertTrue(c.getJsonArray("onlyMirror").isEmpty());
        } finally {
            Http.send(HttpRequest.newBuilder(URI.create(ExternalServices.sidecarUrl() + "/api/admin/reconcile"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build());
            Mirror.await("reconciliation brings it back", 60, () -> Mirror.doc("series:" + series).isPresent());
        }
    }

    private static JsonObject compare(String query) {
        HttpResponse<byte[]> r = Http.get(ExternalServices.sidecarUrl() + "/api/compare?query="
                + URLEncoder.encode(query, StandardCharsets.UTF_8), "application/json");
        assertEquals(200, r.statusCode(), Http.text(r));
        return Http.json(r.body()).asJsonObject();
    }

    private static void delete(String id) {
        Mirror.doc(id).ifPresent(d -> Http.send(HttpRequest.newBuilder(URI.create(
                Mirror.db() + "/" + Mirror.enc(id) + "?rev=" + d.getString("_rev"))).DELETE().build()));
    }
}
