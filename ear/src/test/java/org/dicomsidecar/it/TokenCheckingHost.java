package org.dicomsidecar.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for a secured archive (dcm4chee behind WildFly's elytron-oidc-client, bearer-only): accepts only
 * requests that carry a valid access token of one Keycloak realm (RS256 signature checked against the realm's
 * JWKS, {@code iss} the realm, {@code exp} in the future) and forwards them to a target (Orthanc), relaying its
 * answer; anything else gets 401 with {@code WWW-Authenticate: Bearer}. It records every token it accepted and
 * counts refusals, so tests can tell whose token reached the archive. Listens on 127.0.0.1 only.
 * <p>
 * The JWKS is fetched when first needed (and again for a key id it does not know), so the stand-in may start
 * before Keycloak is up.
 */
final class TokenCheckingHost implements AutoCloseable {

    /** A request the stand-in let through, and the token it carried. */
    record AcceptedToken(String azp, String preferredUsername, String method, String path, Instant expires,
                         Instant issued, String tokenId) {
    }

    private final HttpServer server;
    private final ExecutorService threads;
    private final String issuer;
    private final HttpForwarder forwarder;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
    private final Map<String, PublicKey> keys = new ConcurrentHashMap<>();
    private final List<AcceptedToken> accepted = new CopyOnWriteArrayList<>();
    private final List<String> refusals = new CopyOnWriteArrayList<>();
    private final AtomicInteger refused = new AtomicInteger();

    private TokenCheckingHost(HttpServer server, String issuer, String targetBaseUrl) {
        this.server = server;
        this.issuer = issuer;
        this.forwarder = new HttpForwarder(targetBaseUrl);
        this.threads = Executors.newCachedThreadPool(task -> {
            Thread t = new Thread(task, "token-checking-host");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/", this::handle);
    }

    /**
     * Starts the stand-in on 127.0.0.1.
     *
     * @param port the port, 0 for any free one ({@link #port()})
     * @param issuer the realm URL, e.g. http://127.0.0.1:8180/realms/dcm4che (its tokens' {@code iss})
     * @param targetBaseUrl where accepted requests go, e.g. http://127.0.0.1:8042
     */
    static TokenCheckingHost start(int port, String issuer, String targetBaseUrl) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 64);
            TokenCheckingHost host = new TokenCheckingHost(server, issuer, targetBaseUrl);
            server.start();
            return host;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Every request let through so far, oldest first. */
    List<AcceptedToken> accepted() {
        return List.copyOf(accepted);
    }

    /** How many requests were refused with 401 so far. */
    int refused() {
        return refused.get();
    }

    /** Why requests were refused (for failure messages; never a token). */
    List<String> refusals() {
        return List.copyOf(refusals);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getRawPath();
            JsonObject claims;
            try {
                claims = verify(exchange.getRequestHeaders().getFirst("Authorization"));
            } catch (TokenRefused e) {
                refuse(exchange, exchange.getRequestMethod() + " " + path + ": " + e.getMessage());
                return;
            }
            accepted.add(new AcceptedToken(text(claims, "azp"), text(claims, "preferred_username"),
                    exchange.getRequestMethod(), path, Instant.ofEpochSecond(claims.getJsonNumber("exp").longValue()),
                    claims.containsKey("iat") ? Instant.ofEpochSecond(claims.getJsonNumber("iat").longValue()) : null,
                    claims.containsKey("jti") ? text(claims, "jti") : null));
            forwarder.forward(exchange);
        } finally {
            exchange.close();
        }
    }

    private void refuse(HttpExchange exchange, String reason) throws IOException {
        refused.incrementAndGet();
        refusals.add(reason);
        exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
        exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"" + issuer + "\"");
        exchange.sendResponseHeaders(401, -1);
    }

    /** The token's claims, if the header carries a valid token of the issuer. */
    private JsonObject verify(String authorization) throws TokenRefused {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new TokenRefused("no bearer token");
        }
        String[] parts = authorization.substring(7).trim().split("\\.", -1);
        if (parts.length != 3) {
            throw new TokenRefused("not a signed JWT");
        }
        JsonObject header = json(base64Url(parts[0]));
        JsonObject claims = json(base64Url(parts[1]));
        if (!"RS256".equals(text(header, "alg"))) {
            throw new TokenRefused("alg " + text(header, "alg") + ", not RS256");
        }
        PublicKey key = key(text(header, "kid"));
        try {
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initVerify(key);
            rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!rs256.verify(base64Url(parts[2]))) {
                throw new TokenRefused("bad signature");
            }
        } catch (GeneralSecurityException e) {
            throw new TokenRefused("signature not checkable: " + e.getMessage());
        }
        if (!issuer.equals(text(claims, "iss"))) {
            throw new TokenRefused("issuer " + text(claims, "iss"));
        }
        if (!(claims.get("exp") instanceof JsonNumber exp)
                || !Instant.ofEpochSecond(exp.longValue()).isAfter(Instant.now())) {
            throw new TokenRefused("expired or no exp");
        }
        return claims;
    }

    /** The realm's signing key of that id, from its JWKS (fetched again for an id not seen yet). */
    private PublicKey key(String kid) throws TokenRefused {
        if (kid == null) {
            throw new TokenRefused("no kid");
        }
        PublicKey key = keys.get(kid);
        if (key == null) {
            loadKeys();
            key = keys.get(kid);
        }
        if (key == null) {
            throw new TokenRefused("unknown key " + kid);
        }
        return key;
    }

    private synchronized void loadKeys() throws TokenRefused {
        HttpResponse<byte[]> r;
        try {
            r = client.send(HttpRequest.newBuilder(URI.create(issuer + "/protocol/openid-connect/certs"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new TokenRefused("JWKS not reachable: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenRefused("interrupted while fetching the JWKS");
        }
        if (r.statusCode() != 200) {
            throw new TokenRefused("JWKS answered HTTP " + r.statusCode());
        }
        for (JsonValue v : json(r.body()).getJsonArray("keys")) {
            JsonObject jwk = v.asJsonObject();
            if ("RSA".equals(text(jwk, "kty")) && !"enc".equals(text(jwk, "use")) && jwk.containsKey("kid")) {
                try {
                    BigInteger modulus = new BigInteger(1, base64Url(text(jwk, "n")));
                    BigInteger exponent = new BigInteger(1, base64Url(text(jwk, "e")));
                    keys.put(text(jwk, "kid"),
                            KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(modulus, exponent)));
                } catch (GeneralSecurityException e) {
                    throw new TokenRefused("JWKS key " + text(jwk, "kid") + " unusable: " + e.getMessage());
                }
            }
        }
    }

    /** Passes the request to the target and its answer back, bodies streamed. */
    private static byte[] base64Url(String s) throws TokenRefused {
        try {
            return Base64.getUrlDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new TokenRefused("not base64url");
        }
    }

    private static JsonObject json(byte[] bytes) throws TokenRefused {
        try (JsonReader r = Json.createReader(new ByteArrayInputStream(bytes))) {
            JsonValue v = r.readValue();
            if (v instanceof JsonObject o) {
                return o;
            }
        } catch (RuntimeException e) {
            // falls through to the refusal
        }
        throw new TokenRefused("not a JSON object");
    }

    private static String text(JsonObject o, String key) {
        return o.get(key) instanceof JsonString s ? s.getString() : null;
    }

    /** Why a token was refused. */
    private static final class TokenRefused extends Exception {
        private static final long serialVersionUID = 1L;

        TokenRefused(String reason) {
            super(reason, null, false, false);
        }
    }

    /** For failure messages: how many tokens of each client were accepted. */
    @Override
    public String toString() {
        List<String> clients = new ArrayList<>();
        accepted.stream().map(AcceptedToken::azp).distinct().forEach(azp -> clients.add(azp + "="
                + accepted.stream().filter(a -> azp != null && azp.equals(a.azp())).count()));
        return "TokenCheckingHost[port=" + port() + ", accepted " + clients + ", refused " + refused() + "]";
    }
}
