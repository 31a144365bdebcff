package org.dicomsidecar.delegation;

import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.http.HttpEntity;
import org.apache.http.client.entity.UrlEncodedFormEntity;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.conn.ConnectTimeoutException;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.message.BasicNameValuePair;
import org.dicomsidecar.config.SidecarSettings;
import org.dicomsidecar.json.Jsonp;

/**
 * Asks an OAuth 2 token endpoint (Keycloak's {@code /realms/R/protocol/openid-connect/token}) for a token by the
 * client-credentials grant, the client's id and secret in the form (client_secret_post, which Keycloak's default
 * client authenticator takes). Its failures name the endpoint, its status and its OAuth error code: never the
 * secret, nor a token.
 */
public final class TokenEndpointClient implements ClientCredentialsTokens.Endpoint, AutoCloseable {

    /** Largest answer read: a token with many roles is a few KiB. */
    static final int MAX_ANSWER_BYTES = 64 * 1024;
    /** The lifetime assumed when the endpoint does not say (expires_in is recommended, not required). */
    static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);

    private final String url;
    private final String shownUrl;
    private final String clientId;
    private final String clientSecret;
    private final CloseableHttpClient http;

    public TokenEndpointClient(String url, String clientId, String clientSecret, int connectTimeoutMs,
                               int readTimeoutMs) {
        this.url = url;
        this.shownUrl = SidecarSettings.withoutUserInfo(url);
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        http = PlainHttpClients.builder(connectTimeoutMs, readTimeoutMs)
                .setMaxConnTotal(2)
                .setMaxConnPerRoute(2)
                .disableAutomaticRetries()
                .build();
    }

    @Override
    public ClientCredentialsTokens.Issued fetch() {
        HttpPost post = new HttpPost(url);
        post.setHeader("Accept", "application/json");
        post.setEntity(new UrlEncodedFormEntity(List.of(
                new BasicNameValuePair("grant_type", "client_credentials"),
                new BasicNameValuePair("client_id", clientId),
                new BasicNameValuePair("client_secret", clientSecret)), StandardCharsets.UTF_8));
        try (CloseableHttpResponse response = http.execute(post)) {
            HttpEntity entity = response.getEntity();
            byte[] body = entity == null ? new byte[0] : readAtMost(entity.getContent(), MAX_ANSWER_BYTES);
            return parse(response.getStatusLine().getStatusCode(), body, shownUrl);
        } catch (ConnectTimeoutException | SocketTimeoutException e) {
            throw new HostUnavailableException(504, "host-token-timeout",
                    "the token endpoint " + shownUrl + " did not answer in time", e);
        } catch (InterruptedIOException e) {
            throw new HostUnavailableException(504, "host-token-timeout",
                    "the call to the token endpoint " + shownUrl + " was interrupted", e);
        } catch (IOException e) {
            throw new HostUnavailableException(502, "host-token-failed",
                    "cannot get a token from " + shownUrl + " (" + e.getClass().getSimpleName() + ": "
                            + e.getMessage() + ")", e);
        }
    }

    /** The token in a token endpoint's answer, or the failure that says why there is none. */
    static ClientCredentialsTokens.Issued parse(int status, byte[] body, String shownUrl) {
        JsonObject answer = jsonObject(body);
        if (status != 200) {
            String error = answer == null ? null : oauthError(answer.get("error"));
            throw new HostUnavailableException(502, "host-token-failed", "the token endpoint " + shownUrl
                    + " answered HTTP " + status + (error == null ? "" : " (" + error + ")"), null);
        }
        JsonValue token = answer == null ? null : answer.get("access_token");
        if (!(token instanceof JsonString s) || s.getString().isBlank()) {
            throw new HostUnavailableException(502, "host-token-failed",
                    "the token endpoint " + shownUrl + " answered HTTP 200 without an access_token", null);
        }
        JsonValue tokenType = answer.get("token_type");
        if (tokenType instanceof JsonString type && !"bearer".equalsIgnoreCase(type.getString())) {
            throw new HostUnavailableException(502, "host-token-failed", "the token endpoint " + shownUrl
                    + " answered a token of type " + oauthError(tokenType) + ", not Bearer", null);
        }
        Duration lifetime = answer.get("expires_in") instanceof JsonNumber n && n.isIntegral() && n.longValue() > 0
                ? Duration.ofSeconds(n.longValue()) : DEFAULT_LIFETIME;
        return new ClientCredentialsTokens.Issued(s.getString(), lifetime);
    }

    /** An OAuth error code as it may be shown: a short word, else nothing (the field is the endpoint's text). */
    private static String oauthError(JsonValue value) {
        return value instanceof JsonString s && s.getString().matches("[A-Za-z0-9_.-]{1,64}") ? s.getString() : null;
    }

    private static JsonObject jsonObject(byte[] body) {
        try (JsonReader reader = Jsonp.createReader(new ByteArrayInputStream(body))) {
            JsonValue v = reader.readValue();
            return v instanceof JsonObject o ? o : null;
        } catch (JsonException | IllegalStateException e) {
            return null;
        }
    }

    private static byte[] readAtMost(InputStream in, int max) throws IOException {
        try (in) {
            byte[] bytes = in.readNBytes(max + 1);
            if (bytes.length > max) {
                throw new IOException("the answer is larger than " + max + " bytes");
            }
            return bytes;
        }
    }

    @Override
    public void close() {
        try {
            http.close();
        } catch (IOException e) {
            // shutting down: nothing left to do with a failed close
        }
    }
}
