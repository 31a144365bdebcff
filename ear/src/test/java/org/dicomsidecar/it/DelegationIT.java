package org.dicomsidecar.it;

import static org.dicomsidecar.it.ExternalServices.hostDicomWebUrl;
import static org.dicomsidecar.it.ExternalServices.sidecarDicomWebUrl;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * DICOMweb through {@code /sidecar/dicomweb} answers exactly what the host answers, with the host's URLs
 * replaced by the sidecar's. Data: pydicom's real test files, loaded into Orthanc before the run.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class DelegationIT extends SidecarDeployment {

    private static final String DICOM_JSON = "application/dicom+json";
    private static final String MULTIPART_DICOM = "multipart/related; type=\"application/dicom\"";

    @Test
    void qidoThroughTheSidecarEqualsQidoDirect() {
        JsonArray studies = qidoDirect("/studies");
        assertTrue(studies.size() >= ExternalServices.SAMPLES.size(), "the samples are in the host");
        String ct = studyWithModality("CT");
        String seg = studyWithModality("SEG");
        String ctSeries = firstValue(qidoDirect("/studies/" + ct + "/series").getJsonObject(0), "0020000E");
        String patientId = firstValue(qidoDirect("/studies?StudyInstanceUID=" + ct).getJsonObject(0), "00100020");
        List<String> queries = List.of(
                "/studies",
                "/studies?ModalitiesInStudy=CT",
                "/studies?PatientID=" + patientId,
                "/studies?StudyInstanceUID=" + ct + "," + seg,
                "/studies?includefield=StudyDescription&limit=3&offset=1",
                "/series",
                "/series?Modality=SEG",
                "/studies/" + ct + "/series",
                "/instances",
                "/studies/" + seg + "/instances",
                "/studies/" + ct + "/series/" + ctSeries + "/instances");
        for (String query : queries) {
            HttpResponse<byte[]> direct = Http.get(hostDicomWebUrl() + query, DICOM_JSON);
            HttpResponse<byte[]> viaSidecar = Http.get(sidecarDicomWebUrl() + query, DICOM_JSON);
            assertEquals(direct.statusCode(), viaSidecar.statusCode(), query);
            assertEquals(Http.contentType(direct), Http.contentType(viaSidecar), query);
            String sidecarText = Http.text(viaSidecar);
            assertFalse(sidecarText.contains(hostDicomWebUrl()), "the host's URL leaks in " + query);
            JsonValue expected = Http.json(Http.text(direct).replace(hostDicomWebUrl(), sidecarDicomWebUrl()));
            assertEquals(expected, Http.json(sidecarText), "field by field: " + query);
            assertFalse(((JsonArray) expected).isEmpty(), "a query that finds nothing proves little: " + query);
        }
        assertTrue(Http.text(Http.get(sidecarDicomWebUrl() + "/studies", DICOM_JSON))
                .contains(sidecarDicomWebUrl() + "/studies/"), "RetrieveURL points at the sidecar");
    }

    @Test
    void wadoRetrieveOfStudiesSeriesAndInstancesIsByteEqual() {
        for (String modality : List.of("CT", "SEG", "SR", "RTSTRUCT")) {
            String study = studyWithModality(modality);
            JsonObject instance = qidoDirect("/studies/" + study + "/instances").getJsonObject(0);
            String series = firstValue(instance, "0020000E");
            String sop = firstValue(instance, "00080018");
            for (String path : List.of("/studies/" + study, "/studies/" + study + "/series/" + series,
                    "/studies/" + study + "/series/" + series + "/instances/" + sop)) {
                assertSamePartsEitherWay(path, MULTIPART_DICOM, 1);
            }
        }
    }

    @Test
    void metadataEqualsAfterRewritingAndItsBulkDataUrisWorkThroughTheSidecar() {
        int bulkDataUrisFollowed = 0;
        for (String modality : List.of("CT", "MR", "SEG", "SR", "RTSTRUCT", "RTPLAN")) {
            String study = studyWithModality(modality);
            HttpResponse<byte[]> direct = Http.get(hostDicomWebUrl() + "/studies/" + study + "/metadata", DICOM_JSON);
            HttpResponse<byte[]> viaSidecar = Http.get(sidecarDicomWebUrl() + "/studies/" + study + "/metadata",
                    DICOM_JSON);
            assertEquals(200, viaSidecar.statusCode());
            assertEquals(Http.json(Http.text(direct).replace(hostDicomWebUrl(), sidecarDicomWebUrl())),
                    Http.json(viaSidecar.body()), modality + " metadata");
            for (String uri : bulkDataUris(Http.json(viaSidecar.body()))) {
                assertTrue(uri.startsWith(sidecarDicomWebUrl()), uri);
                String path = uri.substring(sidecarDicomWebUrl().length());
                assertSamePartsEitherWay(path, "multipart/related; type=\"application/octet-stream\"", 1);
                bulkDataUrisFollowed++;
            }
        }
        assertTrue(bulkDataUrisFollowed > 0, "the samples have bulk data (pixel data at least)");
    }

    @Test
    void framesAndRenderedAreByteEqual() {
        String study = studyWithModality("CT");
        JsonObject instance = qidoDirect("/studies/" + study + "/instances").getJsonObject(0);
        String path = "/studies/" + study + "/series/" + firstValue(instance, "0020000E") + "/instances/"
                + firstValue(instance, "00080018");
        assertSamePartsEitherWay(path + "/frames/1", "multipart/related; type=\"application/octet-stream\"", 1);
        HttpResponse<byte[]> direct = Http.get(hostDicomWebUrl() + path + "/rendered", "image/jpeg");
        HttpResponse<byte[]> viaSidecar = Http.get(sidecarDicomWebUrl() + path + "/rendered", "image/jpeg");
        assertEquals(200, direct.statusCode());
        assertEquals(direct.statusCode(), viaSidecar.statusCode());
        assertEquals(Http.contentType(direct), Http.contentType(viaSidecar));
        assertArrayEquals(direct.body(), viaSidecar.body(), "rendered image");
    }

    @Test
    void stowThroughTheSidecarStoresInTheHostAndReturnsItsAnswer() throws Exception {
        // 12 MB: above WildFly's default 10 MB request limit, which the build lifts
        SyntheticDicom.Instance large = SyntheticDicom.image(3500);
        byte[] realFile = Files.readAllBytes(ExternalServices.PYDICOM.resolve("MR_small_bigendian.dcm"));
        String boundary = "sidecar-it-" + System.nanoTime();
        byte[] body = Multipart.build(boundary, "application/dicom", List.of(large.bytes(), realFile));
        HttpRequest.Builder stow = HttpRequest.newBuilder().timeout(Duration.ofSeconds(120))
                .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + boundary)
                .header("Accept", DICOM_JSON)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<byte[]> viaSidecar = Http.send(stow.uri(URI.create(sidecarDicomWebUrl() + "/studies")).build());
        assertEquals(200, viaSidecar.statusCode(), Http.text(viaSidecar));
        String answer = Http.text(viaSidecar);
        assertTrue(answer.contains(large.sopUid()), "the answer lists the stored instance");
        assertFalse(answer.contains(hostDicomWebUrl()), "no host URL in the STOW answer");

        JsonArray stored = qidoDirect("/studies/" + large.studyUid() + "/instances");
        assertEquals(large.sopUid(), firstValue(stored.getJsonObject(0), "00080018"), "stored in the host");

        // the same upload straight to the host gets the same answer, up to the URL rewriting
        HttpResponse<byte[]> direct = Http.send(stow.uri(URI.create(hostDicomWebUrl() + "/studies")).build());
        assertEquals(direct.statusCode(), viaSidecar.statusCode());
        assertEquals(Http.json(Http.text(direct).replace(hostDicomWebUrl(), sidecarDicomWebUrl())),
                Http.json(viaSidecar.body()));
    }

    @Test
    void theHostsErrorsPassThroughAndPathsOutsideDicomWebAreRefusedByTheSidecar() {
        String unknownStudy = "/studies/1.2.3.4.5.6.7.8.9.999/metadata";
        HttpResponse<byte[]> direct = Http.get(hostDicomWebUrl() + unknownStudy, DICOM_JSON);
        HttpResponse<byte[]> viaSidecar = Http.get(sidecarDicomWebUrl() + unknownStudy, DICOM_JSON);
        assertTrue(direct.statusCode() >= 400, unknownStudy);
        assertEquals(direct.statusCode(), viaSidecar.statusCode(), unknownStudy);
        HttpResponse<byte[]> nonsense = Http.get(sidecarDicomWebUrl() + "/nonsense", DICOM_JSON);
        assertEquals(404, nonsense.statusCode());
        assertEquals("not-a-dicomweb-resource", Http.json(nonsense.body()).asJsonObject().getString("error"));
    }

    private static void assertSamePartsEitherWay(String path, String accept, int minParts) {
        HttpResponse<byte[]> direct = Http.get(hostDicomWebUrl() + path, accept);
        HttpResponse<byte[]> viaSidecar = Http.get(sidecarDicomWebUrl() + path, accept);
        assertEquals(200, direct.statusCode(), path);
        assertEquals(direct.statusCode(), viaSidecar.statusCode(), path);
        List<Multipart.Part> expected = Multipart.parse(direct.body(), Http.contentType(direct));
        List<Multipart.Part> actual = Multipart.parse(viaSidecar.body(), Http.contentType(viaSidecar));
        assertTrue(expected.size() >= minParts, path);
        assertEquals(expected.size(), actual.size(), "parts of " + path);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).headers().get("content-type"), actual.get(i).headers().get("content-type"));
            assertArrayEquals(expected.get(i).body(), actual.get(i).body(), "part " + i + " of " + path);
        }
    }

    static JsonArray qidoDirect(String path) {
        HttpResponse<byte[]> r = Http.get(hostDicomWebUrl() + path, DICOM_JSON);
        assertEquals(200, r.statusCode(), path);
        return Http.json(r.body()).asJsonArray();
    }

    static String studyWithModality(String modality) {
        JsonArray series = qidoDirect("/series?Modality=" + modality);
        assertFalse(series.isEmpty(), "a " + modality + " sample in the host");
        return firstValue(series.getJsonObject(0), "0020000D");
    }

    static String firstValue(JsonObject dataset, String tag) {
        return dataset.getJsonObject(tag).getJsonArray("Value").getString(0);
    }

    static List<String> bulkDataUris(JsonValue metadata) {
        List<String> uris = new ArrayList<>();
        collect(metadata, uris);
        return uris;
    }

    private static void collect(JsonValue v, List<String> out) {
        if (v instanceof JsonArray a) {
            a.forEach(x -> collect(x, out));
        } else if (v instanceof JsonObject o) {
            if (o.containsKey("BulkDataURI")) {
                out.add(o.getString("BulkDataURI"));
            }
            Stream.of(o.values().toArray(JsonValue[]::new)).forEach(x -> collect(x, out));
        }
    }
}
