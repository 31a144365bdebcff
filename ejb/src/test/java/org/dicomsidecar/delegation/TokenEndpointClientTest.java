package org.dicomsidecar.delegation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The token endpoint's answers, parsed; and the form sent to a token endpoint on loopback. */
class TokenEndpointClientTest {

    private static final String URL = "http://idp.invalid/token";
    private static final String SECRET = "sidecar-archive-secret";

    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static ClientCredentialsTokens.Issued parse(int status, String body) {
        return TokenEndpointClient.parse(status, body.getBytes(StandardCharsets.UTF_8), URL);
    }

    @Test
    void aTokenAndItsLifetime() {
        ClientCredentialsTokens.Issued t = parse(200,
                "{\"access_token\":\"eyJ.x.y\",\"expires_in\":20,\"token_type\":\"Bearer\",\"scope\":\"profile\"}");
        assertEquals("eyJ.x.y", t.accessToken());
        assertEquals(Duration.ofSeconds(20), t.lifetime());
        assertEquals(TokenEndpointClient.DEFAULT_LIFETIME, parse(200, "{\"access_token\":\"a\"}").lifetime());
    }

    @Test
    void aRefusalNamesTheEndpointItsStatusAndItsErrorCode() {
        HostUnavailableException e = assertThrows(HostUnavailableException.class, () -> parse(401,
                "{\"error\":\"unauthorized_client\",\"error_description\":\"Invalid client secret\"}"));
        assertEquals(502, e.status());
        assertEquals("the token endpoint " + URL + " answered HTTP 401 (unauthorized_client)", e.getMessage());
        e = assertThrows(HostUnavailableException.class, () -> parse(503, "<html>down</html>"));
        assertEquals("the token endpoint " + URL + " answered HTTP 503", e.getMessage());
        e = assertThrows(HostUnavailableException.class, () -> parse(400, "{\"error\":\"<script>x</script>\"}"));
        assertEquals("the token endpoint " + URL + " answered HTTP 400", e.getMessage(), "odd error text left out");
    }

    @Test
    void anAnswerWithoutAUsableTokenIsAnError() {
        for (String body : new String[]{"{}", "[]", "not json", "{\"access_token\":\"\"}", "{\"access_token\":3}"}) {
            HostUnavailableException e = assertThrows(HostUnavailableException.class, () -> parse(200, body), body);
            assertTrue(e.getMessage().contains("without an access_token"), e.getMessage());
        }
        HostUnavailableException e = assertThrows(HostUnavailableException.class,
                () -> parse(200, "{\"access_token\":\"a\",\"token_type\":\"DPoP\"}"));
        assertTrue(e.getMessage().contains("DPoP"), e.getMessage());
    }

    @Test
    void postsTheClientCredentialsGrantAsAForm() throws IOException {
        Map<String, String> form = new ConcurrentHashMap<>();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/token", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            form.putAll(Stream.of(body.split("&")).map(p -> p.split("=", 2)).collect(Collectors.toMap(
                    p -> p[0], p -> URLDecoder.decode(p[1], StandardCharsets.UTF_8))));
            form.put("method", exchange.getRequestMethod());
            form.put("type", exchange.getRequestHeaders().getFirst("Content-Type"));
            boolean ok = SECRET.equals(form.get("client_secret"));
            byte[] answer = (ok ? "{\"access_token\":\"tok\",\"expires_in\":20,\"token_type\":\"Bearer\"}"
                    : "{\"error\":\"unauthorized_client\"}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(ok ? 200 : 401, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
        try (TokenEndpointClient client = new TokenEndpointClient(url, "dicom-sidecar-archive", SECRET, 2000, 2000)) {
            assertEquals("tok", client.fetch().accessToken());
        }
        assertEquals("POST", form.get("method"));
        assertTrue(form.get("type").startsWith("application/x-www-form-urlencoded"), form.get("type"));
        assertEquals("client_credentials", form.get("grant_type"));
        assertEquals("dicom-sidecar-archive", form.get("client_id"));

        try (TokenEndpointClient client = new TokenEndpointClient(url, "dicom-sidecar-archive", "wrong-" + SECRET,
                2000, 2000)) {
            HostUnavailableException e = assertThrows(HostUnavailableException.class, client::fetch);
            assertEquals("the token endpoint " + url + " answered HTTP 401 (unauthorized_client)", e.getMessage());
        }
    }

    @Test
    void anUnreachableEndpointIsA502ThatNamesItAndNotTheSecret() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/token";
        try (TokenEndpointClient client = new TokenEndpointClient(url, "c", SECRET, 1000, 1000)) {
            HostUnavailableException e = assertThrows(HostUnavailableException.class, client::fetch);
            assertEquals(502, e.status());
            assertTrue(e.getMessage().startsWith("cannot get a token from " + url), e.getMessage());
            assertFalse(e.getMessage().contains(SECRET));
        }
    }
}
