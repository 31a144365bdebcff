package org.dicomsidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * UIDs as real archives hold them (a component with a leading zero, as older RT and MR files have) are
 * mirrored at once whichever way the instance arrives, found by the mirror's QIDO-RS and by the reference
 * search, and referenced from a segmentation whose references carry such UIDs too.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RealWorldUidIT extends SidecarDeployment {

    private static final Path CT = ExternalServices.PYDICOM.resolve("CT_small.dcm");
    private static final Path SEG = ExternalServices.PYDICOM.resolve("liver_1frame.dcm");

    /** Study, series and instance UIDs under a root whose components start with zeros. */
    private record Uids(String study, String series, String sop) {
        static Uids leadingZeros() {
            String root = "1.2.826.0.1.3680043.2.1125.0" + Math.abs(System.nanoTime() % 1_000_000_000L) + ".07";
            return new Uids(root, root + ".01", root + ".01.001");
        }
    }

    private static byte[] ctWith(Uids u) {
        return RealFiles.modified(CT, Map.of("(0020,000D)", u.study(), "(0020,000E)", u.series(), "(0008,0018)", u.sop()));
    }

    @Test
    void throughTheChangesFeedAnInstanceWithLeadingZerosIsMirroredAtOnce() {
        Mirror.awaitQueueEmpty(60);
        Uids u = Uids.leadingZeros();
        long skippedBefore = Mirror.mirrorStatus().getJsonNumber("itemsSkipped").longValue();
        long start = System.nanoTime();
        Mirror.storeInHost(ctWith(u)); // Orthanc's REST API: the changes feed (and Orthanc's hook) bring it
        Mirror.await("mirrored", 30, () -> Mirror.qido("/studies/" + u.study() + "/series/" + u.series() + "/instances")
                .size() == 1);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("instance with leading-zero UIDs stored in Orthanc, queryable in the mirror after %d ms%n", millis);
        assertTrue(millis <= 5_000, "not left to the next reconciliation: " + millis + " ms");
        assertFoundEverywhere(u);
        assertEquals(skippedBefore, Mirror.mirrorStatus().getJsonNumber("itemsSkipped").longValue());
    }

    @Test
    void throughStowViaTheSidecarAnInstanceWithLeadingZerosIsMirroredAtOnce() {
        Uids u = Uids.leadingZeros();
        String boundary = "uid-it-" + System.nanoTime();
        long stowEvents = Mirror.eventsFrom("stow");
        long skippedBefore = Mirror.mirrorStatus().getJsonNumber("itemsSkipped").longValue();
        long start = System.nanoTime();
        HttpResponse<byte[]> r = Mirror.post("/dicomweb/studies", "multipart/related; type=\"application/dicom\"; boundary="
                + boundary, Multipart.build(boundary, "application/dicom", List.of(ctWith(u))));
        assertEquals(200, r.statusCode(), Http.text(r));
        Mirror.await("mirrored", 30, () -> Mirror.qido("/studies/" + u.study() + "/series/" + u.series() + "/instances")
                .size() == 1);
        System.out.printf("instance with leading-zero UIDs stored through STOW-RS, queryable in the mirror after %d ms%n",
                (System.nanoTime() - start) / 1_000_000);
        assertFoundEverywhere(u);
        // the archive's STOW answer itself was read: its item with these UIDs is an event, not a skipped item
        Mirror.await("the STOW answer's event", 15, () -> Mirror.eventsFrom("stow") == stowEvents + 1);
        assertEquals(skippedBefore, Mirror.mirrorStatus().getJsonNumber("itemsSkipped").longValue());
    }

    @Test
    void aSegmentationReferencingLeadingZeroUidsIsFoundFromTheImage() {
        Uids ct = Uids.leadingZeros();
        // pydicom's SEG in a study of its own (segmentations often are), its patient as it is, pointed at the CT
        // copy by both of its reference paths. Moved into the CT's study it would make a study whose files
        // disagree on patient and study attributes, which the archive and the mirror summarise differently.
        Uids segStudy = Uids.leadingZeros();
        Uids seg = new Uids(segStudy.study(), segStudy.study() + ".02", segStudy.study() + ".02.001");
        String patient = "RWUID" + Math.abs(System.nanoTime() % 1_000_000L);
        Mirror.storeInHost(RealFiles.modified(CT, Map.of("(0020,000D)", ct.study(), "(0020,000E)", ct.series(),
                "(0008,0018)", ct.sop(), "(0010,0020)", patient)));
        Mirror.storeInHost(RealFiles.modified(SEG, Map.of(
                "(0020,000D)", seg.study(), "(0020,000E)", seg.series(), "(0008,0018)", seg.sop(),
                "(0008,1115)[0].(0020,000E)", ct.series(),
                "(0008,1115)[0].(0008,114A)[0].(0008,1155)", ct.sop(),
                "(5200,9230)[0].(0008,9124)[0].(0008,2112)[0].(0008,1155)", ct.sop())));
        Mirror.await("both mirrored", 30, () -> Mirror.instance(ct.sop()).isPresent() && Mirror.instance(seg.sop()).isPresent());
        Mirror.await("the reference search knows the SEG", 15, () -> sources(incoming(ct.sop())).contains(seg.sop()));
        assertTrue(sources(incoming(ct.series())).contains(seg.sop()), "by series too");
        JsonObject outgoing = Http.getJson("/api/references/" + seg.sop() + "?direction=outgoing");
        assertTrue(outgoing.toString().contains("\"" + ct.sop() + "\""), outgoing.toString());
    }

    private static void assertFoundEverywhere(Uids u) {
        JsonObject doc = Mirror.instance(u.sop()).orElseThrow();
        assertEquals(u.study(), doc.getString("study"));
        assertEquals(u.series(), doc.getString("series"));
        assertEquals(1, Mirror.qido("/studies?StudyInstanceUID=" + u.study()).size(), "mirror QIDO by study UID");
        assertEquals(1, Mirror.qido("/instances?SOPInstanceUID=" + u.sop()).size(), "mirror QIDO by instance UID");
        HttpResponse<byte[]> refs = Http.get(ExternalServices.sidecarUrl() + "/api/references/" + u.sop(), "application/json");
        assertEquals(200, refs.statusCode(), "the reference search takes the UID: " + Http.text(refs));
        HttpResponse<byte[]> bySeries = Http.get(ExternalServices.sidecarUrl() + "/api/references/" + u.series(),
                "application/json");
        assertEquals(200, bySeries.statusCode(), Http.text(bySeries));
    }

    private static JsonObject incoming(String uid) {
        return Http.getJson("/api/references/" + uid);
    }

    /** The SOP Instance UIDs of the objects a reference answer lists. */
    private static Set<String> sources(JsonObject answer) {
        return answer.getJsonArray("references").getValuesAs(JsonObject.class).stream()
                .map(r -> r.getString("sopInstanceUID", "")).collect(Collectors.toSet());
    }
}
