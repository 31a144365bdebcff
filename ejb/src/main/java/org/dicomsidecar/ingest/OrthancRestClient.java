package org.dicomsidecar.ingest;

import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.http.HttpEntity;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;
import org.apache.http.util.EntityUtils;
import org.dicomsidecar.config.SidecarSettings;
import org.dicomsidecar.delegation.HostAuthorization;
import org.dicomsidecar.delegation.HostUnavailableException;
import org.dicomsidecar.delegation.PlainHttpClients;
import org.dicomsidecar.json.Jsonp;

/**
 * GETs of Orthanc's REST API (not DICOMweb) for the changes feed: one kept-alive connection, the sidecar's own
 * credentials for the host (none, Basic, or a token renewed before it expires), JSON objects back.
 */
public final class OrthancRestClient implements OrthancChangesPoller.Orthanc, AutoCloseable {

    private final String baseUrl;
    private final String shownUrl;
    private final HostAuthorization authorization;
    private final CloseableHttpClient http;

    /**
     * @param baseUrl Orthanc's REST base, e.g. http://127.0.0.1:8042
     * @param authorization the sidecar's own credentials for the host
     */
    public OrthancRestClient(String baseUrl, HostAuthorization authorization, int connectTimeoutMs, int readTimeoutMs) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.shownUrl = SidecarSettings.withoutUserInfo(this.baseUrl);
        this.authorization = authorization;
        PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager();
        pool.setMaxTotal(2);
        pool.setDefaultMaxPerRoute(2);
        // Orthanc closes idle keep-alive connections after about a second: check them before reuse sooner
        pool.setValidateAfterInactivity(500);
        http = PlainHttpClients.builder(connectTimeoutMs, readTimeoutMs)
                .setConnectionManager(pool)
                .evictIdleConnections(1, TimeUnit.SECONDS)
                .build();
    }

    @Override
    public Optional<JsonObject> get(String path) throws IOException {
        HttpGet get = new HttpGet(baseUrl + path);
        get.setHeader("Accept", "application/json");
        CloseableHttpResponse answer;
        try {
            // a GET: sent once more with a fresh token if the host refused a stale one
            answer = authorization.send(true, own -> {
                get.removeHeaders("Authorization");
                own.ifPresent(a -> get.setHeader("Authorization", a));
                return http.execute(get);
            }, r -> r.getStatusLine().getStatusCode(), OrthancRestClient::discard);
        } catch (HostUnavailableException e) {
            throw new IOException("no credentials for Orthanc at " + shownUrl + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IOException("cannot reach Orthanc at " + shownUrl + " (" + e + ")", e);
        }
        try (CloseableHttpResponse response = answer) {
            int status = response.getStatusLine().getStatusCode();
            HttpEntity entity = response.getEntity();
            if (status != 200) {
                EntityUtils.consumeQuietly(entity);
                if (status == 404) {
                    return Optional.empty();
                }
                throw new IOException("Orthanc at " + shownUrl + " answered HTTP " + status + " to GET " + path
                        + (status == 401 || status == 403 ? " (check the sidecar's credentials for the host: "
                        + "sidecar.host.token-url and client-id, or username and password)" : ""));
            }
            if (entity == null) {
                throw new IOException("Orthanc at " + shownUrl + " answered GET " + path + " without a body");
            }
            try (InputStream in = entity.getContent(); JsonReader reader = Jsonp.createReader(in)) {
                return Optional.of(reader.readObject());
            } catch (JsonException | IllegalStateException e) {
                throw new IOException("Orthanc at " + shownUrl + " answered GET " + path + " with no JSON object ("
                        + e.getMessage() + ")", e);
            }
        }
    }

    private static void discard(CloseableHttpResponse refused) {
        try (refused) {
            EntityUtils.consumeQuietly(refused.getEntity());
        } catch (IOException e) {
            // a refused answer: its connection is dropped, nothing else depends on it
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
