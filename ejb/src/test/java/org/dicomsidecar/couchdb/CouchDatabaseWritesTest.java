package org.dicomsidecar.couchdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.dicomsidecar.config.SidecarSettings;
import org.dicomsidecar.json.Jsonp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a reader learns of this node's writes: CouchDB may hold a document before the node has its answer, so a
 * write is "under way" from the moment it is sent until its answer is read, and counted once it has ended.
 */
class CouchDatabaseWritesTest {

    private HttpServer server;
    private final CountDownLatch received = new CountDownLatch(1);
    private final CountDownLatch answer = new CountDownLatch(1);
    private CouchDatabase couch;
    private volatile boolean refusePuts;
    /** The status a PUT is answered with, once let through. */
    private volatile int putStatus = 201;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        Map<String, String> values = Map.of("sidecar.couchdb.url", url, "sidecar.couchdb.database", "db");
        couch = new CouchDatabase();
        couch.settings = SidecarSettings.from(key -> Optional.ofNullable(values.get(key)));
    }

    @AfterEach
    void stop() {
        answer.countDown();
        server.stop(0);
    }

    /** A CouchDB that has stored a PUT document (said so to the test) but answers only when the test lets it. */
    private void handle(HttpExchange exchange) throws IOException {
        String body = "{\"couchdb\":\"Welcome\",\"version\":\"3.3.3\"}";
        int status = 200;
        if ("PUT".equals(exchange.getRequestMethod()) && refusePuts) {
            body = "{\"error\":\"unknown_error\",\"reason\":\"internal\"}";
            status = 500;
        } else if ("PUT".equals(exchange.getRequestMethod())) {
            received.countDown();
            try {
                answer.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            body = putStatus == 409 ? "{\"error\":\"conflict\",\"reason\":\"Document update conflict.\"}"
                    : "{\"ok\":true,\"id\":\"a\",\"rev\":\"1-x\"}";
            status = putStatus;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Test
    void aWriteIsUnderWayUntilItsAnswerIsReadAndCountedOnceItEnds() throws Exception {
        assertFalse(couch.writing());
        CompletableFuture<String> put = CompletableFuture.supplyAsync(
                () -> couch.put(Jsonp.createObjectBuilder().add("_id", "a").build()).getString("rev"));
        assertTrue(received.await(10, TimeUnit.SECONDS), "the PUT reached CouchDB");

        assertTrue(couch.writing(), "stored, not answered: under way");
        assertEquals(0, couch.writes(), "not counted before it ends");

        answer.countDown();
        assertEquals("1-x", put.get(10, TimeUnit.SECONDS));
        assertFalse(couch.writing());
        assertEquals(1, couch.writes());
    }

    @Test
    void aFailedWriteEndsAsWell() {
        refusePuts = true;
        try {
            couch.put(Jsonp.createObjectBuilder().add("_id", "a").build());
            org.junit.jupiter.api.Assertions.fail("CouchDB refused the write");
        } catch (CouchRequestException expected) {
            // refused: sent and ended all the same
        }
        assertFalse(couch.writing());
        assertEquals(1, couch.writes());
    }

    @Test
    void aWriteOnQuorumCountsOnlyWhenAQuorumOfCopiesTookIt() {
        answer.countDown(); // answer every PUT at once
        jakarta.json.JsonObject lease = Jsonp.createObjectBuilder().add("_id", "sidecar-lease:reconcile").build();
        assertEquals(Optional.of("1-x"), couch.putOnQuorum(lease), "201: taken by a quorum");
        putStatus = 202;
        assertEquals(Optional.empty(), couch.putOnQuorum(lease), "202: taken by fewer copies, may yet conflict");
        assertEquals(Optional.of("1-x"), couch.putUnlessConflict(lease), "an ordinary write counts a 202 as written");
        putStatus = 409;
        assertEquals(Optional.empty(), couch.putOnQuorum(lease), "409: another writer was first");
        assertEquals(3 + 1, couch.writes());
    }
}
