package org.dicomsidecar.delegation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DicomWebPathTest {

    private static final String S = "1.2.840.113619.2.1.1.322987881.621.736170080.681";
    private static final String X = "1.3.6.1.4.1.5962.1.3.1.1.20040826185059.5457";
    private static final String I = "1.3.6.1.4.1.5962.1.1.1.1.1.20040826185059.5457";
    private static final String INSTANCE = "/studies/" + S + "/series/" + X + "/instances/" + I;

    @ParameterizedTest
    @ValueSource(strings = {
            "/studies", "/series", "/instances",
            "/studies/1.2.3", "/studies/1.2.3/metadata", "/studies/1.2.3/rendered", "/studies/1.2.3/thumbnail",
            "/studies/1.2.3/bulkdata", "/studies/1.2.3/pixeldata",
            "/studies/1.2.3/series", "/studies/1.2.3/instances",
            "/studies/1.2.3/series/4.5", "/studies/1.2.3/series/4.5/metadata", "/studies/1.2.3/series/4.5/rendered",
            "/studies/1.2.3/series/4.5/thumbnail", "/studies/1.2.3/series/4.5/instances",
            "/studies/1.2.3/series/4.5/instances/6.7", "/studies/1.2.3/series/4.5/instances/6.7/metadata",
            "/studies/1.2.3/series/4.5/instances/6.7/rendered", "/studies/1.2.3/series/4.5/instances/6.7/thumbnail",
            "/studies/1.2.3/series/4.5/instances/6.7/frames/1",
            "/studies/1.2.3/series/4.5/instances/6.7/frames/1,2,3",
            "/studies/1.2.3/series/4.5/instances/6.7/frames/12/rendered",
            "/studies/1.2.3/series/4.5/instances/6.7/frames/1,5/thumbnail",
            "/studies/1.2.3/series/4.5/instances/6.7/bulk/7fe00010",
            "/studies/1.2.3/series/4.5/instances/6.7/bulk/0043102a",
            "/studies/1.2.3/series/4.5/instances/6.7/bulk/00540016/0/00181072",
            "/studies/1.2.3/series/4.5/instances/6.7/bulkdata/7FE00010",
            "/studies/1.2.3/series/4.5/instances/6.7/bulkdata/0040A730/1/0040A168/2/00420011",
            "/studies/01.2.3", "/studies/1..2", // what archives store (see DicomUid)
    })
    void psThreeEighteenResourcesPassUnchanged(String path) throws RefusedRequestException {
        assertEquals(path, DicomWebPath.parse("GET", path));
    }

    @Test
    void realUidsOfTheSamplesPass() throws RefusedRequestException {
        assertEquals(INSTANCE + "/frames/1", DicomWebPath.parse("GET", INSTANCE + "/frames/1"));
        assertEquals(INSTANCE + "/bulk/7fe00010", DicomWebPath.parse("GET", INSTANCE + "/bulk/7fe00010"));
    }

    @Test
    void harmlessEscapesAreDecodedAndTheTrailingSlashDropped() throws RefusedRequestException {
        assertEquals("/studies/1.2.3/series", DicomWebPath.parse("GET", "/%73tudies/1%2E2%2e3/series/"));
        assertEquals(INSTANCE + "/frames/1,2", DicomWebPath.parse("GET", INSTANCE + "/frames/1%2C2"));
        assertEquals("/studies", DicomWebPath.parse("POST", "/studies/"));
    }

    @Test
    void theRootIsOnlyForOptions() throws RefusedRequestException {
        assertEquals("/", DicomWebPath.parse("OPTIONS", ""));
        assertEquals("/", DicomWebPath.parse("OPTIONS", "/"));
        assertEquals(404, refusal("GET", "").status());
        assertEquals(404, refusal("GET", "/").status());
        assertEquals("/studies", DicomWebPath.parse("OPTIONS", "/studies"));
    }

    /** Every way seen or known to climb out of a DICOMweb root into the archive's native API. */
    @ParameterizedTest
    @ValueSource(strings = {
            "/..%2fsystem", "/..%2Fsystem", "/%2e%2e%2fsystem", "/%2E%2E/system", "/%2e%2e/system",
            "//../system", "/../system", "/./studies", "/studies/./1.2.3", "/studies/..", "/studies/../..",
            "/studies/..%2f..%2fsystem", "/studies/1.2.3/..%2f..%2f..%2fsystem", "/..%2ftools/lookup",
            "/..%2fstudies/6b9e19d9-62094390-5f9ddb01-4a191ae7-9766b715", "/..%5csystem", "/..\\system",
            "/studies\\..\\..\\system", "/%5c..%5csystem", "/..;/system", "/..;a=b/system", "/studies;x=y",
            "/studies/1.2.3;..", "/%252e%252e%252fsystem", "/%252e%252e/system", "/studies/%252e%252e",
            "/studies%00", "/studies/1.2.3%00", "/studies%0d%0aX-Injected:%201", "/studies\r\nX: 1",
            "/studies/1.2.3\u0000", "/studies/1.2.3%7f", "/%c0%ae%c0%ae/system", "/%ef%bc%8e%ef%bc%8e/system",
            "/\uff0e\uff0e/system", "/studies/1\u20242", "/studies/%e2%80%a42", "/studies//1.2.3", "//studies",
            "/studies//", "/studies/1.2.3//metadata", "///system", "/studies/%", "/studies/%2", "/studies/%zz",
            "/studies/1.2.3%2fmetadata", "/studies/1.2.3%2Fseries%2F4.5", "/studies/%u002e%u002e",
            "/studies/1.2.3/series/4.5/instances/6.7/frames/1/..%2f..%2f..%2f..%2f..%2f..%2fsystem",
            "/studies/1.2.3/series/4.5/instances/6.7/bulk/..%2f..%2fsystem", "/studies/1-2-3", "/studies/1_2",
            "/studies/1.2.3?", "/studies/1.2.3#x", "/studies/~", "studies", "/studies/1.2/series/3.4/instances/5.6/frames/a",
    })
    void traversalAndEncodingTricksAreRefusedAsMalformed(String path) {
        RefusedRequestException e = refusal("GET", path);
        assertEquals(400, e.status(), path + ": " + e.getMessage());
        assertTrue(List.of("invalid-path", "invalid-uid").contains(e.error()), e.error());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/system", "/patients", "/tools/lookup", "/instances/abc/file", "/series/1.2.3", "/instances/1.2.3",
            "/studies/1.2.3/series/4.5/instances/6.7/file", "/workitems", "/mwlitems", "/nonsense",
            "/studies/1.2.3/studies", "/studies/1.2.3/series/4.5/series", "/studies/1.2.3/metadata/x",
            "/studies/1.2.3/series/4.5/instances/6.7/frames", "/studies/1.2.3/series/4.5/instances/6.7/frames/1/x",
            "/studies/1.2.3/series/4.5/instances/6.7/bulk", "/studies/1.2.3/series/4.5/instances/6.7/bulk/7fe00010/1",
            "/studies/1.2.3/series/4.5/instances/6.7/bulk/7fe0001", "/studies/1.2.3/series/4.5/instances/6.7/bulk/x",
            "/studies/1.2.3/series/4.5/instances/6.7/bulk/00540016/a/00181072",
            "/studies/1.2.3/series/4.5/instances/6.7/metadata/rendered", "/STUDIES", "/Studies/1.2.3",
            "/studies/1.2.3/series/4.5/frames/1",
    })
    void wellFormedPathsOutsidePsThreeEighteenAreNotFound(String path) {
        RefusedRequestException e = refusal("GET", path);
        assertEquals(404, e.status(), path + ": " + e.getMessage());
        assertEquals("not-a-dicomweb-resource", e.error());
    }

    @Test
    void uidSegmentsFollowDicomUidRules() {
        assertEquals("invalid-uid", refusal("GET", "/studies/" + "1".repeat(65)).error());
        assertEquals("invalid-uid", refusal("GET", "/studies/1.2.3/series/" + "1.".repeat(40)).error());
        assertEquals("invalid-uid", refusal("GET", "/studies/...").error());
        assertEquals("invalid-uid", refusal("GET", "/studies/count").error());
        assertEquals("invalid-uid", refusal("GET", "/studies/1.2.3/series/4.5/instances/abc").error());
        assertEquals("invalid-uid", refusal("GET", "/studies/6b9e19d9").error());
    }

    @Test
    void frameListsAreFrameNumbers() {
        for (String list : List.of("0", "1,", ",1", "1,,2", "01", "1;2", "1%3B2", "1234567890")) {
            assertEquals(400, refusal("GET", "/studies/1.2/series/3.4/instances/5.6/frames/" + list).status(), list);
        }
    }

    @Test
    void messagesNeverQuoteTheCallersInput() {
        String secret = "DOE^JOHN";
        for (String path : List.of("/" + secret, "/studies/" + secret, "/studies/" + secret + "%00", "/..%2f" + secret)) {
            assertTrue(!refusal("GET", path).getMessage().contains("DOE"), path);
        }
    }

    @Test
    void overlongPathsAreRefusedBeforeAnyWork() {
        String path = "/studies/1.2/series/3.4/instances/5.6/frames/" + "1,".repeat(DicomWebPath.MAX_LENGTH) + "1";
        assertEquals(400, refusal("GET", path).status());
        String deep = "/studies/1.2/series/3.4/instances/5.6/bulk" + "/00081115/1".repeat(DicomWebPath.MAX_ATTRIBUTE_DEPTH)
                + "/7fe00010";
        assertEquals(404, refusal("GET", deep).status());
    }

    @Test
    void aNormalisedPathParsesToItself() throws RefusedRequestException {
        for (String path : List.of("/studies", INSTANCE + "/frames/1,2/rendered", "/studies/1.2/series")) {
            String once = DicomWebPath.parse("GET", path);
            assertEquals(once, DicomWebPath.parse("GET", once));
        }
    }

    private static RefusedRequestException refusal(String method, String path) {
        return assertThrows(RefusedRequestException.class, () -> DicomWebPath.parse(method, path), path);
    }
}
