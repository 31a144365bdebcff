package org.dicomsidecar.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.dicomsidecar.delegation.ClientCredentialsTokens;
import org.dicomsidecar.delegation.HostUnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The changes feed's client sends the sidecar's token, and after a 401 a fresh one, once. */
class OrthancRestClientTest {

    private final List<String> seen = new CopyOnWriteArrayList<>();
    private volatile String accepted = "Bearer t1";
    private final AtomicInteger fetches = new AtomicInteger();
    private volatile boolean endpointDown;
    private HttpServer server;
    private String url;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/changes", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            seen.add(auth);
            boolean ok = accepted.equals(auth);
            byte[] body = (ok ? "{\"Changes\":[],\"Done\":true,\"Last\":0}" : "").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(ok ? 200 : 401, body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private OrthancRestClient client(Clock clock) {
        ClientCredentialsTokens tokens = new ClientCredentialsTokens(() -> {
            if (endpointDown) {
                throw new HostUnavailableException(502, "host-token-failed",
                        "the token endpoint http://idp.invalid/token answered HTTP 503", null);
            }
            return new ClientCredentialsTokens.Issued("t" + fetches.incrementAndGet(), Duration.ofSeconds(20));
        }, clock, "c", "http://idp.invalid/token", Duration.ofSeconds(5));
        return new OrthancRestClient(url, tokens, 2000, 2000);
    }

    @Test
    void aRefusedTokenIsRenewedAndThePollSentOnceMore() throws IOException {
        Clock start = Clock.fixed(java.time.Instant.parse("2026-01-01T00:00:00Z"), java.time.ZoneOffset.UTC);
        try (OrthancRestClient client = client(Clock.offset(start, Duration.ZERO))) {
            assertTrue(client.get("/changes?limit=1").isPresent());
            assertEquals(List.of("Bearer t1"), seen);
        }
    }

    @Test
    void afterA401TheNextTokenIsTried() throws IOException {
        // a clock that moves 3 s per reading: t1 is old enough to be stale by the time the host refuses it
        Clock moving = new Clock() {
            private java.time.Instant now = java.time.Instant.parse("2026-01-01T00:00:00Z");

            @Override
            public synchronized java.time.Instant instant() {
                now = now.plusSeconds(3);
                return now;
            }

            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }
        };
        accepted = "Bearer t2";
        try (OrthancRestClient client = client(moving)) {
            assertTrue(client.get("/changes?limit=1").isPresent());
        }
        assertEquals(List.of("Bearer t1", "Bearer t2"), seen);
    }

    @Test
    void noTokenIsAnIoErrorNamingTheEndpoint() {
        endpointDown = true;
        try (OrthancRestClient client = client(Clock.systemUTC())) {
            IOException e = assertThrows(IOException.class, () -> client.get("/changes?limit=1"));
            assertTrue(e.getMessage().contains("http://idp.invalid/token answered HTTP 503"), e.getMessage());
        }
        assertEquals(List.of(), seen);
    }
}
