package org.dicomsidecar.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bodies through the real server, from a stand-in host in Orthanc's place, for the framings Orthanc does not
 * use: a long Content-Length (read from the socket, written with its length, not chunked), a chunked body,
 * a compressed body (passed through with its Content-Encoding, never rewritten), next to a plain JSON body
 * (rewritten as ever).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RelayIT extends SidecarDeployment {

    // DICOMweb paths (only those reach the host), one per framing the stand-in host answers
    private static final String LONG_LENGTH = "/studies/1.2.3/series/4.5/instances/6.7/bulk/7fe00010";
    private static final String CHUNKED = "/studies/1.2.3/series/4.5";
    private static final String GZIP = "/studies/1.2.3/metadata";
    private static final String JSON = "/studies";

    /** The Accept-Encoding of every DICOMweb request the host received. */
    private final List<String> acceptEncodings = new CopyOnWriteArrayList<>();

    @AfterEach
    void bringOrthancBack() {
        ExternalServices.orthanc().start();
        Http.awaitStatus(200, 60);
    }

    @Test
    void everyFramingPassesWhole() throws Exception {
        byte[] big = new byte[3 * 1024 * 1024 + 5];
        new Random(11).nextBytes(big);
        String json = "[{\"00081190\":{\"vr\":\"UR\",\"Value\":[\"" + ExternalServices.hostDicomWebUrl()
                + "/studies/1.2.3\"]}}]";
        byte[] gzipped = gzip(json.getBytes(StandardCharsets.UTF_8));

        ExternalServices.orthanc().stop();
        HttpServer host = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                ExternalServices.orthanc().port()), 50);
        host.createContext("/", exchange -> answer(exchange, big, json, gzipped));
        host.start();
        try {
            HttpResponse<byte[]> r = get(LONG_LENGTH);
            assertEquals(200, r.statusCode());
            assertArrayEquals(big, r.body());
            assertEquals(String.valueOf(big.length), r.headers().firstValue("Content-Length").orElse(null));
            assertFalse(r.headers().firstValue("Transfer-Encoding").isPresent());

            r = get(CHUNKED);
            assertEquals(200, r.statusCode());
            assertArrayEquals(big, r.body());

            r = get(GZIP);
            assertEquals(200, r.statusCode());
            assertArrayEquals(gzipped, r.body(), "a compressed body passes as it is");
            assertEquals("gzip", r.headers().firstValue("Content-Encoding").orElse(null));

            r = get(JSON);
            assertEquals(200, r.statusCode());
            assertTrue(Http.text(r).contains(ExternalServices.sidecarDicomWebUrl() + "/studies/1.2.3"), Http.text(r));
            assertFalse(Http.text(r).contains(ExternalServices.hostDicomWebUrl()), Http.text(r));

            assertTrue(acceptEncodings.size() >= 4, acceptEncodings::toString);
            assertEquals(Set.of("identity"), Set.copyOf(acceptEncodings));
        } finally {
            host.stop(0);
        }
    }

    private static HttpResponse<byte[]> get(String path) {
        return Http.send(HttpRequest.newBuilder(URI.create(ExternalServices.sidecarDicomWebUrl() + path))
                .timeout(Duration.ofSeconds(60)).header("Accept", "*/*").GET().build());
    }

    private void answer(HttpExchange exchange, byte[] big, String json, byte[] gzipped) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.startsWith("/dicom-web/")) { // not the changes feed, which polls Orthanc's /changes here too
                acceptEncodings.add(String.valueOf(exchange.getRequestHeaders().getFirst("Accept-Encoding")));
            }
            Headers headers = exchange.getResponseHeaders();
            if (path.endsWith(LONG_LENGTH)) {
                headers.set("Content-Type", "application/octet-stream");
                exchange.sendResponseHeaders(200, big.length);
                exchange.getResponseBody().write(big);
            } else if (path.endsWith(CHUNKED)) {
                headers.set("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=b");
                exchange.sendResponseHeaders(200, 0); // 0: chunked
                exchange.getResponseBody().write(big);
            } else if (path.endsWith(GZIP)) {
                headers.set("Content-Type", "application/dicom+json");
                headers.set("Content-Encoding", "gzip");
                exchange.sendResponseHeaders(200, gzipped.length);
                exchange.getResponseBody().write(gzipped);
            } else if (path.endsWith(JSON)) {
                byte[] b = json.getBytes(StandardCharsets.UTF_8);
                headers.set("Content-Type", "application/dicom+json");
                exchange.sendResponseHeaders(200, b.length);
                exchange.getResponseBody().write(b);
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
        }
    }

    private static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(b)) {
            z.write(plain);
        }
        return b.toByteArray();
    }
}
