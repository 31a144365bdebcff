package org.dicomsidecar.delegation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.dicomsidecar.config.SidecarSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which Authorization the host gets (the caller's, forwarded; else the sidecar's token; else Basic) and the one
 * retry after a 401 to the sidecar's own token, against a host on loopback that takes one token only.
 */
class HostDicomWebClientAuthorizationTest {

    private final List<String> seen = new CopyOnWriteArrayList<>();
    private volatile String accepted = "Bearer t2";
    private final ClientCredentialsTokensTest.ManualClock clock = new ClientCredentialsTokensTest.ManualClock();
    private final ClientCredentialsTokensTest.FakeEndpoint endpoint = new ClientCredentialsTokensTest.FakeEndpoint();
    private HttpServer server;
    private HostDicomWebClient client;

    private void start(boolean forward, HostAuthorization authorization) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/dicom-web", exchange -> {
            exchange.getRequestBody().readAllBytes();
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            seen.add(exchange.getRequestMethod() + " " + auth);
            boolean ok = accepted.equals(auth);
            byte[] body = (ok ? "[]" : "{}").getBytes(StandardCharsets.UTF_8);
            if (!ok) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer");
            }
            exchange.sendResponseHeaders(ok ? 200 : 401, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        Map<String, String> values = new HashMap<>();
        values.put("sidecar.host.dicomweb-url", "http://127.0.0.1:" + server.getAddress().getPort() + "/dicom-web");
        values.put("sidecar.host.forward-authorization", String.valueOf(forward));
        client = new HostDicomWebClient();
        client.settings = SidecarSettings.from(key -> Optional.ofNullable(values.get(key)));
        client.authorization = authorization;
        client.open();
    }

    private ClientCredentialsTokens tokens() {
        return new ClientCredentialsTokens(endpoint, clock, "c", "http://idp.invalid/token", Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    private int send(String method, Map<String, List<String>> headers, byte[] body) throws IOException {
        try (HostResponse r = client.forward(new DelegatedRequest(method, "/studies", null, headers,
                body == null ? null : new ByteArrayInputStream(body), body == null ? -1 : body.length))) {
            r.body().readAllBytes();
            return r.status();
        }
    }

    @Test
    void aStaleTokenRefusedWith401IsReplacedAndTheCallSentOnceMore() throws IOException {
        ClientCredentialsTokens tokens = tokens();
        start(true, tokens);
        tokens.header(); // t1, which the host no longer takes
        clock.advance(Duration.ofSeconds(3));
        assertEquals(200, send("GET", Map.of(), null));
        assertEquals(List.of("GET Bearer t1", "GET Bearer t2"), seen);
        assertEquals(200, send("GET", Map.of(), null));
        assertEquals(2, endpoint.calls.get(), "the fresh token is kept");
    }

    @Test
    void aCallWithABodyIsNotSentTwice() throws IOException {
        ClientCredentialsTokens tokens = tokens();
        start(false, tokens);
        tokens.header();
        clock.advance(Duration.ofSeconds(3));
        assertEquals(401, send("POST", Map.of("Content-Type", List.of("application/dicom")), new byte[100]));
        assertEquals(List.of("POST Bearer t1"), seen);
    }

    @Test
    void theCallersHeaderIsForwardedAndItsRefusalIsTheCallersAnswer() throws IOException {
        start(true, tokens());
        assertEquals(401, send("GET", Map.of("authorization", List.of("Bearer caller")), null));
        assertEquals(List.of("GET Bearer caller"), seen, "no retry, and no sidecar token asked for");
        assertEquals(0, endpoint.calls.get());
        accepted = "Bearer caller";
        assertEquals(200, send("GET", Map.of("Authorization", List.of("Bearer caller")), null));
    }

    @Test
    void withoutForwardingTheCallersHeaderStaysBehindAndTheSidecarsOwnGoes() throws IOException {
        start(false, HostAuthorization.basic("u", "Basic dTpw"));
        accepted = "Basic dTpw";
        assertEquals(200, send("GET", Map.of("Authorization", List.of("Bearer caller")), null));
        assertEquals(List.of("GET Basic dTpw"), seen);
    }

    @Test
    void withoutAnyCredentialsNoHeaderGoes() throws IOException {
        start(true, HostAuthorization.none());
        assertEquals(401, send("GET", Map.of(), null));
        assertEquals(List.of("GET null"), seen);
    }

    @Test
    void theHealthCheckUsesTheSidecarsTokenAndCallsARefusalUnhealthy() throws IOException {
        ClientCredentialsTokens tokens = tokens();
        start(true, tokens);
        accepted = "Bearer t1";
        HostHealth h = client.health();
        assertEquals(200, h.httpStatus());
        assertTrue(h.reachable());
        accepted = "Bearer nobody";
        clock.advance(Duration.ofSeconds(3));
        h = client.health();
        assertFalse(h.reachable());
        assertEquals(401, h.httpStatus());
        assertEquals("the host refused the sidecar's credentials (HTTP 401)", h.error());
        assertEquals(List.of("GET Bearer t1", "GET Bearer t1", "GET Bearer t2"), seen);
    }

    @Test
    void aTokenThatCannotBeHadIsTheCallsError() throws IOException {
        endpoint.failing = true;
        start(true, tokens());
        HostUnavailableException e = org.junit.jupiter.api.Assertions.assertThrows(HostUnavailableException.class,
                () -> send("GET", Map.of(), null));
        assertEquals(502, e.status());
        assertTrue(e.getMessage().contains("invalid_client"), e.getMessage());
        assertEquals(List.of(), seen, "nothing sent to the host without its token");
        HostHealth h = client.health();
        assertFalse(h.reachable());
        assertTrue(h.error().contains("HTTP 401 (invalid_client)"), h.error());
    }
}
