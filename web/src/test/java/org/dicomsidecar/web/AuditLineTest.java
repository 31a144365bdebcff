package org.dicomsidecar.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AuditLineTest {

    @Test
    void everyUidOfADicomWebPathIsMasked() {
        assertEquals("/sidecar/dicomweb/studies/{uid}/series/{uid}/instances/{uid}/frames/1,2",
                AuditLine.maskedPath("/sidecar/dicomweb/studies/1.2.840.113619.2.5/series/1.3.6.1.4.1.9328.50.1"
                        + "/instances/2.25.330220192337898735744937491862466491231/frames/1,2"));
        assertEquals("/sidecar/mirror/dicomweb/studies/{uid}/metadata",
                AuditLine.maskedPath("/sidecar/mirror/dicomweb/studies/1.2.3/metadata"));
    }

    @Test
    void uidsInsideTheApiAreMaskedAndSavedCohortNamesToo() {
        assertEquals("/sidecar/api/references/{uid}", AuditLine.maskedPath("/sidecar/api/references/1.2.3.4"));
        assertEquals("/sidecar/api/workflow/studies/{uid}/series/{uid}/steps/{other}",
                AuditLine.maskedPath("/sidecar/api/workflow/studies/1.2.3/series/1.2.3.4/steps/segmentation"));
        assertEquals("/sidecar/api/events/wado/studies/{uid}", AuditLine.maskedPath("/sidecar/api/events/wado/studies/01.002"));
        assertEquals("/sidecar/api/cohorts/saved/{name}", AuditLine.maskedPath("/sidecar/api/cohorts/saved/Smith-John"));
        assertEquals("/sidecar/api/cohorts/saved", AuditLine.maskedPath("/sidecar/api/cohorts/saved"));
        assertEquals("/sidecar/api/status", AuditLine.maskedPath("/sidecar/api/status"));
    }

    @Test
    void anythingElseAUserSentIsMaskedToo() {
        assertEquals("/sidecar/api/references/{other}", AuditLine.maskedPath("/sidecar/api/references/PID-SECRET-4711"));
        assertEquals("/sidecar/dicomweb/studies/{other}/series", AuditLine.maskedPath("/sidecar/dicomweb/studies/Doe%5EJane/series"));
        assertEquals("/sidecar/dicomweb/studies/{uid}", AuditLine.maskedPath("/sidecar/dicomweb/studies/123456"));
        assertEquals("/sidecar/{other}", AuditLine.maskedPath("/sidecar/nonsense"));
        assertEquals("/sidecar/dicomweb/studies/{other}", AuditLine.maskedPath("/sidecar/dicomweb/studies/1.2;x=..;"));
    }

    @Test
    void percentEncodedUidsAreMaskedAsWell() {
        assertEquals("/sidecar/dicomweb/studies/{uid}", AuditLine.maskedPath("/sidecar/dicomweb/studies/1%2E2%2e3"));
        assertEquals("/sidecar/dicomweb/studies/{uid}", AuditLine.maskedPath("/sidecar/dicomweb/studies/%31.%32"));
    }

    @Test
    void theQueryStringNeverAppears() {
        String masked = AuditLine.maskedPath("/sidecar/dicomweb/studies?PatientName=Doe%5EJane&PatientID=12345");
        assertEquals("/sidecar/dicomweb/studies", masked);
    }

    @Test
    void dotSegmentsAndOtherNumbersStayVisible() {
        assertEquals("/sidecar/dicomweb/%2e%2e/{other}", AuditLine.maskedPath("/sidecar/dicomweb/%2e%2e/system"));
        assertEquals("/sidecar/dicomweb/../{other}", AuditLine.maskedPath("/sidecar/dicomweb/../system"));
        assertEquals("/sidecar/dicomweb/studies/{uid}/frames/17", AuditLine.maskedPath("/sidecar/dicomweb/studies/1.2/frames/17"));
        assertEquals("/sidecar/dicomweb/{other}/{other}", AuditLine.maskedPath("/sidecar/dicomweb/..;/system"));
    }

    @Test
    void hostilePathsStayOnOneBoundedLine() {
        assertEquals("/sidecar/{other}", AuditLine.maskedPath("/sidecar/a b\u0000c"));
        assertEquals("/sidecar/{other}/{other}", AuditLine.maskedPath("/sidecar/x\r\ny/caf\u00e9"));
        assertEquals("/sidecar/dicomweb/{other}", AuditLine.maskedPath("/sidecar/dicomweb/.\u0000."));
        String huge = AuditLine.maskedPath("/sidecar" + "/studies".repeat(100_000));
        assertEquals(AuditLine.MAX_PATH + 3, huge.length());
        assertTrue(huge.endsWith("..."));
        assertEquals("-", AuditLine.maskedPath(null));
        assertEquals("-", AuditLine.maskedPath(""));
    }

    @Test
    void aUidCutByTheLimitShowsNoneOfItsDigits() {
        String path = "/sidecar/dicomweb" + "/studies".repeat(25) + "/series/" + "1.2".repeat(200);
        String masked = AuditLine.maskedPath(path);
        assertTrue(masked.endsWith("/series/{uid}..."), masked);
        assertTrue(AuditLine.maskedPath("/sidecar/dicomweb" + "/studies".repeat(25) + "/series/Doe" + "x".repeat(500))
                .endsWith("/{other}..."));
        assertFalse(masked.contains("1.2"), masked);
    }

    @Test
    void aLineHasFixedKeysInAFixedOrder() {
        assertEquals("caller=reader role=reader method=GET path=/sidecar/dicomweb/studies/{uid} status=200 ms=12 "
                        + "remote=127.0.0.1",
                AuditLine.format("reader", "reader", "GET", "/sidecar/dicomweb/studies/1.2.3?PatientID=X", 200, 12,
                        "127.0.0.1"));
        assertEquals("caller=- role=- method=GET path=/sidecar/api/live status=401 ms=0 remote=-",
                AuditLine.format(null, null, "GET", "/sidecar/api/live", 401, 0, null));
        assertEquals("caller=john?smith?x=1 role=- method=G?T path=- status=500 ms=3 remote=-",
                AuditLine.format("john smith\nx=1", "", "G T", null, 500, 3, ""));
        assertTrue(AuditLine.format("u".repeat(1000), null, "GET", "/", 200, 1, null).length() < 250);
    }
}
