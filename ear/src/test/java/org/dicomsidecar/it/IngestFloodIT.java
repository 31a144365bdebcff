package org.dicomsidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One request cannot starve the mirror: a flood of notifications for studies the archive never stored is
 * checked cheaply (a few searches, no errors in the archive's log) and dropped, while a real series stored
 * meanwhile is mirrored as promptly as without it; what one request may carry is bounded; and an archive
 * that is down is no archive that lacks the study.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class IngestFloodIT extends SidecarDeployment {

    private static final int FLOOD = 10_000;
    /** A real CT series written by others (pydicom's DICOMDIR test set), 5 slices. */
    private static final Path CT_SERIES = ExternalServices.PYDICOM.resolve("dicomdirtests/98892001/CT5N");

    @AfterEach
    void orthancBack() {
        ExternalServices.orthanc().start();
        Http.awaitStatus(200, 60);
    }

    @Test
    void aFloodOfMadeUpStudiesDoesNotHoldUpARealSeriesAndDrainsAfterOneCheckEach() throws IOException {
        Mirror.awaitQueueEmpty(60);
        List<Path> files;
        try (Stream<Path> list = Files.list(CT_SERIES)) {
            files = list.sorted().toList();
        }
        // the same real series twice under new UIDs: once alone, for comparison, once behind the flood
        String quietStudy = SyntheticDicom.newUid();
        String quietSeries = SyntheticDicom.newUid();
        long alone = storeAndTimeUntilQueryable(RealFiles.newSeries(files, quietStudy, quietSeries), quietStudy, quietSeries);
        Mirror.awaitQueueEmpty(60);
        String study = SyntheticDicom.newUid();
        String series = SyntheticDicom.newUid();
        List<byte[]> real = RealFiles.newSeries(files, study, series);
        JsonObject before = Mirror.mirrorStatus();
        long errorsBefore = orthancErrorLines();

        long posted = System.nanoTime();
        HttpResponse<byte[]> r = Mirror.post("/api/events/stored", "application/json", flood(FLOOD));
        long postMillis = (System.nanoTime() - posted) / 1_000_000;
        assertEquals(202, r.statusCode(), Http.text(r));
        assertEquals(FLOOD, Http.json(r.body()).asJsonObject().getInt("accepted"));

        long lagMillis = storeAndTimeUntilQueryable(real, study, series);
        int queueThen = Mirror.mirrorStatus().getInt("queueDepth");

        Mirror.awaitQueueEmpty(180);
        long drainMillis = (System.nanoTime() - posted) / 1_000_000;
        JsonObject after = Mirror.mirrorStatus();
        long dropped = after.getJsonNumber("eventsNotInArchive").longValue()
                - before.getJsonNumber("eventsNotInArchive").longValue();
        long orthancErrors = orthancErrorLines() - errorsBefore;
        System.out.printf("flood of %d made-up studies accepted in %d ms; a real series of %d instances queryable "
                        + "in the mirror %d ms after its store began (alone: %d ms; events still queued then: %d); "
                        + "flood drained %d ms after the POST; %d events counted as not in the archive; %d new error "
                        + "lines in Orthanc's log%n", FLOOD, postMillis, real.size(), lagMillis, alone, queueThen,
                drainMillis, dropped, orthancErrors);

        assertTrue(lagMillis <= 2_000, "the real series waited for the flood: " + lagMillis + " ms");
        assertEquals(FLOOD, dropped, "every made-up study dropped after its check, and nothing else");
        assertEquals(0, after.getJsonNumber("eventsFailed").longValue(), after.toString());
        assertTrue(orthancErrors < 20, "the checks cost the archive errors: " + orthancErrors);
        assertTrue(Mirror.instances().containsAll(Mirror.hostInstances()), "nothing real is lost");
    }

    @Test
    void madeUpSeriesOfARealStudyAreDroppedAfterOneSearchWithoutErrorsInTheArchive() {
        Mirror.awaitQueueEmpty(60);
        String realStudy = DelegationIT.studyWithModality("CT");
        long droppedBefore = Mirror.mirrorStatus().getJsonNumber("eventsNotInArchive").longValue();
        long errorsBefore = orthancErrorLines();
        StringBuilder body = new StringBuilder("[");
        String prefix = "2.25." + System.nanoTime() + ".";
        for (int i = 0; i < 500; i++) {
            body.append(i == 0 ? "" : ",").append("{\"studyInstanceUID\":\"").append(realStudy)
                    .append("\",\"seriesInstanceUID\":\"").append(prefix).append(i).append("\"}");
        }
        HttpResponse<byte[]> r = Mirror.post("/api/events/stored", "application/json",
                body.append(']').toString().getBytes(StandardCharsets.UTF_8));
        assertEquals(202, r.statusCode(), Http.text(r));
        Mirror.awaitQueueEmpty(60);
        assertEquals(droppedBefore + 500, Mirror.mirrorStatus().getJsonNumber("eventsNotInArchive").longValue());
        long errors = orthancErrorLines() - errorsBefore;
        System.out.printf("500 made-up series of a real study dropped; %d new error lines in Orthanc's log%n", errors);
        assertTrue(errors < 5, "made-up series were fetched as metadata: " + errors + " error lines");
    }

    @Test
    void moreEventsThanOneRequestMayCarryAreRefusedWith413AndNothingIsJournaled() {
        Mirror.awaitQueueEmpty(60);
        JsonObject before = Mirror.mirrorStatus();
        HttpResponse<byte[]> r = Mirror.post("/api/events/stored", "application/json", flood(FLOOD + 1));
        assertEquals(413, r.statusCode(), Http.text(r));
        assertTrue(Http.contentType(r).startsWith("application/json"), Http.contentType(r));
        JsonObject error = Http.json(r.body()).asJsonObject();
        assertEquals(413, error.getInt("status"));
        assertTrue(error.getString("message").contains("sidecar.events.max-per-request"), error.toString());
        JsonObject after = Mirror.mirrorStatus();
        assertEquals(before.getJsonNumber("eventsReceived").longValue(), after.getJsonNumber("eventsReceived").longValue());
        assertEquals(0, after.getInt("queueDepth"));
        assertEquals(before.getJsonNumber("eventsRejected").longValue() + 1, after.getJsonNumber("eventsRejected").longValue());
    }

    @Test
    void whileTheArchiveIsDownEventsAreKeptAndCheckedOnceItIsBack() {
        Mirror.awaitQueueEmpty(60);
        long droppedBefore = Mirror.mirrorStatus().getJsonNumber("eventsNotInArchive").longValue();
        ExternalServices.orthanc().stop();
        HttpResponse<byte[]> r = Mirror.post("/api/events/stored", "application/json", flood(3));
        assertEquals(202, r.statusCode(), Http.text(r));
        Mirror.await("the failing check shows as events failing now", 15,
                () -> Mirror.mirrorStatus().getJsonNumber("eventsFailed").longValue() == 3);
        JsonObject down = Mirror.mirrorStatus();
        assertEquals(3, down.getInt("queueDepth"), "kept: a host that is down said nothing");
        assertEquals(droppedBefore, down.getJsonNumber("eventsNotInArchive").longValue());
        assertTrue(down.getJsonNumber("failedAttemptsTotal").longValue() >= 3);

        ExternalServices.orthanc().start();
        Mirror.awaitQueueEmpty(60);
        JsonObject back = Mirror.mirrorStatus();
        assertEquals(droppedBefore + 3, back.getJsonNumber("eventsNotInArchive").longValue());
        assertEquals(0, back.getJsonNumber("eventsFailed").longValue(), "nothing fails any more");
    }

    /** A webhook body naming {@code n} studies nobody stored. */
    private static byte[] flood(int n) {
        StringBuilder body = new StringBuilder(n * 60).append('[');
        String prefix = "2.25." + System.nanoTime() + ".";
        for (int i = 0; i < n; i++) {
            body.append(i == 0 ? "" : ",").append("{\"studyInstanceUID\":\"").append(prefix).append(i).append("\"}");
        }
        return body.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Stores the files in Orthanc through its REST API (its changes feed and its hook notify the sidecar) and
     * returns the milliseconds from the first store until the mirror's QIDO-RS lists them all.
     */
    private static long storeAndTimeUntilQueryable(List<byte[]> files, String study, String series) {
        long start = System.nanoTime();
        files.forEach(Mirror::storeInHost);
        long deadline = start + 60_000_000_000L;
        while (mirrorQidoCount(study, series) < files.size()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the real series is not queryable in the mirror within 60 s");
            }
            ManagedProcess.sleep(20);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static int mirrorQidoCount(String study, String series) {
        HttpResponse<byte[]> r = Http.get(ExternalServices.sidecarUrl() + "/mirror/dicomweb/studies/" + study
                + "/series/" + series + "/instances", "application/dicom+json");
        return r.statusCode() == 200 ? Http.json(r.body()).asJsonArray().size() : 0;
    }

    /** Error lines in Orthanc's log so far (Orthanc starts them with "E"). */
    static long orthancErrorLines() {
        try (Stream<String> lines = Files.lines(Path.of(System.getProperty("it.work"), "orthanc.log"),
                StandardCharsets.ISO_8859_1)) {
            return lines.filter(l -> l.startsWith("E")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
