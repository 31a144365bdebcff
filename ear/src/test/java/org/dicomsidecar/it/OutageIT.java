package org.dicomsidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The host or CouchDB going away: clear JSON errors, a 503 status, and recovery without anyone's help. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OutageIT extends SidecarDeployment {

    @AfterEach
    void bringEverythingBack() {
        ExternalServices.orthanc().start();
        ExternalServices.couchdb().start();
        Http.awaitStatus(200, 60);
    }

    @Test
    void statusIs200WithEverythingUp() {
        JsonObject status = Http.awaitStatus(200, 60);
        assertEquals("UP", status.getString("status"));
        assertTrue(status.getJsonObject("couchdb").getBoolean("reachable"));
        assertTrue(status.getJsonObject("couchdb").getJsonNumber("documents").longValue() >= 1, "design documents");
        assertEquals(ExternalServices.couchDbUrl(), status.getJsonObject("couchdb").getString("url"));
        assertTrue(status.getJsonObject("host").getBoolean("reachable"));
        assertEquals(ExternalServices.hostDicomWebUrl(), status.getJsonObject("host").getString("dicomwebUrl"));
        assertFalse(status.getString("version").isBlank());
    }

    @Test
    void hostStoppedGives502WithJsonAndStatus503() {
        ExternalServices.orthanc().stop();
        long start = System.nanoTime();
        HttpResponse<byte[]> r = Http.get(ExternalServices.sidecarDicomWebUrl() + "/studies", "application/dicom+json");
        assertEquals(502, r.statusCode());
        assertTrue(Http.contentType(r).startsWith("application/json"));
        JsonObject error = Http.json(r.body()).asJsonObject();
        assertEquals("host-unreachable", error.getString("error"));
        assertEquals(502, error.getInt("status"));
        assertTrue((System.nanoTime() - start) / 1_000_000 < 10_000, "fails fast, no hang");

        assertEquals(503, Http.statusCode());
        JsonObject status = Http.status();
        assertFalse(status.getJsonObject("host").getBoolean("reachable"));
        assertTrue(status.getJsonObject("couchdb").getBoolean("reachable"));

        ExternalServices.orthanc().start();
        Http.awaitStatus(200, 30);
        assertEquals(200, Http.get(ExternalServices.sidecarDicomWebUrl() + "/studies", "application/dicom+json")
                .statusCode());
    }

    @Test
    void hostThatNeverAnswersGives504WithinTheReadTimeOut() throws Exception {
        ExternalServices.orthanc().stop();
        List<Socket> held = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(ExternalServices.orthanc().port(), 50,
                InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (!silent.isClosed()) {
                        held.add(silent.accept()); // accept, read nothing, answer nothing
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            long start = System.nanoTime();
            HttpResponse<byte[]> r = Http.get(ExternalServices.sidecarDicomWebUrl() + "/studies",
                    "application/dicom+json");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(504, r.statusCode(), Http.text(r));
            assertEquals("host-timeout", Http.json(r.body()).asJsonObject().getString("error"));
            // arquillian.xml sets sidecar.host.read-timeout-ms=4000
            assertTrue(millis >= 3_500 && millis < 15_000, "answered after " + millis + " ms");
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void couchDbStoppedGivesStatus503AndRecoversWhenItReturns() {
        ExternalServices.couchdb().stop();
        HttpResponse<byte[]> r = Http.get(ExternalServices.sidecarUrl() + "/api/status", "application/json");
        assertEquals(503, r.statusCode());
        JsonObject status = Http.json(r.body()).asJsonObject();
        assertEquals("DEGRADED", status.getString("status"));
        assertFalse(status.getJsonObject("couchdb").getBoolean("reachable"));
        assertFalse(status.getJsonObject("couchdb").isNull("error"));
        assertTrue(status.getJsonObject("host").getBoolean("reachable"));
        // the mirror's QIDO-RS does: a JSON 503 like the rest of the API, not an HTML page
        HttpResponse<byte[]> qido = Http.get(ExternalServices.sidecarUrl() + "/mirror/dicomweb/studies",
                "application/dicom+json");
        assertEquals(503, qido.statusCode(), Http.text(qido));
        assertTrue(Http.contentType(qido).startsWith("application/json"));
        assertEquals("couchdb-unavailable", Http.json(qido.body()).asJsonObject().getString("error"));
        // delegation does not need CouchDB
        assertEquals(200, Http.get(ExternalServices.sidecarDicomWebUrl() + "/studies", "application/dicom+json")
                .statusCode());

        ExternalServices.couchdb().start();
        JsonObject back = Http.awaitStatus(200, 30);
        assertTrue(back.getJsonObject("couchdb").getBoolean("reachable"));
    }

    @Test
    void unknownApiPathGivesJson404() {
        HttpResponse<byte[]> r = Http.get(ExternalServices.sidecarUrl() + "/api/no-such-thing", "application/json");
        assertEquals(404, r.statusCode());
        assertEquals(404, Http.json(r.body()).asJsonObject().getInt("status"));
    }
}
