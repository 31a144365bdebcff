package org.dicomsidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The secured-archive stand-in on its own, no WildFly: tokens signed here with a key whose JWKS a small issuer
 * serves, requests forwarded to a small target that echoes what it got. Valid tokens pass with the request
 * intact; missing, expired, foreign, tampered, unsigned ones get 401.
 */
class TokenCheckingHostIT {

    private static final String KID = "test-key";

    private KeyPair keys;
    private KeyPair otherKeys;
    private HttpServer issuerServer;
    private HttpServer target;
    private TokenCheckingHost host;
    private String issuer;
    private final Map<String, String> received = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        keys = generator.generateKeyPair();
        otherKeys = generator.generateKeyPair();
        issuerServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        RSAPublicKey pub = (RSAPublicKey) keys.getPublic();
        byte[] jwks = ("{\"keys\":[{\"kid\":\"enc-key\",\"kty\":\"RSA\",\"use\":\"enc\",\"n\":\"AQAB\",\"e\":\"AQAB\"},"
                + "{\"kid\":\"" + KID + "\",\"kty\":\"RSA\",\"alg\":\"RS256\",\"use\":\"sig\",\"n\":\""
                + b64(unsigned(pub.getModulus())) + "\",\"e\":\"" + b64(unsigned(pub.getPublicExponent())) + "\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        issuerServer.createContext("/realms/test/protocol/openid-connect/certs", exchange -> {
            exchange.sendResponseHeaders(200, jwks.length);
            exchange.getResponseBody().write(jwks);
            exchange.close();
        });
        issuerServer.start();
        issuer = "http://127.0.0.1:" + issuerServer.getAddress().getPort() + "/realms/test";

        target = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        target.createContext("/", exchange -> {
            received.put("method", exchange.getRequestMethod());
            received.put("uri", exchange.getRequestURI().getRawPath() + "?" + exchange.getRequestURI().getRawQuery());
            received.put("authorization", String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            received.put("content-type", String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
            received.put("body", new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] answer = "{\"from\":\"target\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("Location", "/studies/1.2.3");
            exchange.sendResponseHeaders(201, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        target.start();
        host = TokenCheckingHost.start(0, issuer, "http://127.0.0.1:" + target.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        host.close();
        target.stop(0);
        issuerServer.stop(0);
    }

    private String token(KeyPair signer, String iss, long expiresInSeconds, String alg) throws GeneralSecurityException {
        String header = b64(("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\",\"kid\":\"" + KID + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        long now = Instant.now().getEpochSecond();
        String claims = b64(("{\"iss\":\"" + iss + "\",\"exp\":" + (now + expiresInSeconds) + ",\"iat\":" + now
                + ",\"jti\":\"id-" + now + "\",\"azp\":\"dicom-sidecar-archive\","
                + "\"preferred_username\":\"service-account-dicom-sidecar-archive\"}").getBytes(StandardCharsets.UTF_8));
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initSign(signer.getPrivate());
        rs256.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
        return header + "." + claims + "." + b64(rs256.sign());
    }

    private String valid() throws GeneralSecurityException {
        return token(keys, issuer, 60, "RS256");
    }

    private HttpResponse<byte[]> post(String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + host.port()
                        + "/dicom-web/studies?includefield=00100010%2C00100020&limit=1"))
                .header("Content-Type", "application/dicom+json")
                .POST(HttpRequest.BodyPublishers.ofString("[{\"x\":1}]"));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return Http.send(b.build());
    }

    @Test
    void aValidTokenPassesWithTheRequestIntactAndIsRecorded() throws Exception {
        HttpResponse<byte[]> r = post("Bearer " + valid());
        assertEquals(201, r.statusCode(), Http.text(r) + " " + host.refusals());
        assertEquals("{\"from\":\"target\"}", Http.text(r));
        assertEquals("application/json", Http.contentType(r));
        assertEquals("/studies/1.2.3", r.headers().firstValue("Location").orElse(""));
        assertEquals("POST", received.get("method"));
        assertEquals("/dicom-web/studies?includefield=00100010%2C00100020&limit=1", received.get("uri"));
        assertEquals("null", received.get("authorization"), "the token stays at the gate");
        assertEquals("application/dicom+json", received.get("content-type"));
        assertEquals("[{\"x\":1}]", received.get("body"));

        List<TokenCheckingHost.AcceptedToken> accepted = host.accepted();
        assertEquals(1, accepted.size());
        TokenCheckingHost.AcceptedToken t = accepted.get(0);
        assertEquals("dicom-sidecar-archive", t.azp());
        assertEquals("service-account-dicom-sidecar-archive", t.preferredUsername());
        assertEquals("POST", t.method());
        assertEquals("/dicom-web/studies", t.path());
        assertTrue(t.expires().isAfter(Instant.now()));
        assertEquals(0, host.refused());
    }

    @Test
    void everyOtherRequestGets401WithABearerChallenge() throws Exception {
        String good = valid();
        String[] parts = good.split("\\.");
        String tamperedClaims = b64(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("service-account-dicom-sidecar-archive", "admin").getBytes(StandardCharsets.UTF_8));
        List<String> refusedHeaders = List.of(
                "Basic dXNlcjpwYXNz",
                "Bearer " + token(keys, issuer, -5, "RS256"),
                "Bearer " + token(keys, issuer + "-other", 60, "RS256"),
                "Bearer " + token(otherKeys, issuer, 60, "RS256"),
                "Bearer " + parts[0] + "." + tamperedClaims + "." + parts[2],
                "Bearer " + b64("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + ".",
                "Bearer not-a-jwt",
                "Bearer a.b.c");
        for (String h : refusedHeaders) {
            HttpResponse<byte[]> r = post(h);
            assertEquals(401, r.statusCode(), h);
            assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), h);
        }
        HttpResponse<byte[]> none = post(null);
        assertEquals(401, none.statusCode());
        assertEquals(refusedHeaders.size() + 1, host.refused(), host.refusals().toString());
        assertEquals(List.of(), host.accepted());
        assertFalse(received.containsKey("method"), "nothing reached the target");
    }

    private static byte[] unsigned(BigInteger n) {
        byte[] b = n.toByteArray();
        return b[0] == 0 ? java.util.Arrays.copyOfRange(b, 1, b.length) : b;
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
