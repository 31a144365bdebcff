package org.dicomsidecar.delegation;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpUriRequest;
import org.apache.http.client.methods.RequestBuilder;
import org.apache.http.client.protocol.HttpClientContext;
import org.apache.http.conn.ConnectTimeoutException;
import org.apache.http.conn.ConnectionPoolTimeoutException;
import org.apache.http.entity.InputStreamEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;
import org.dicomsidecar.config.Setting;
import org.dicomsidecar.config.SidecarSettings;

/**
 * Talks HTTP to the host archive's DICOMweb service: streams requests and answers through without
 * holding bodies in memory, with bounded concurrency and time-outs that turn into 502/503/504.
 */
@ApplicationScoped
public class HostDicomWebClient {

    @Inject
    SidecarSettings settings;

    private CloseableHttpClient http;
    private String baseUrl;
    private RelayBuffers buffers;
    private int readTimeout;

    @PostConstruct
    void open() {
        baseUrl = stripSlash(settings.get(Setting.HOST_DICOMWEB_URL));
        int max = settings.getInt(Setting.HOST_MAX_CONNECTIONS);
        PoolingHttpClientConnectionManager pool = HostConnections.pool();
        pool.setMaxTotal(max);
        pool.setDefaultMaxPerRoute(max);
        // Orthanc closes idle keep-alive connections after about a second: check them before reuse sooner
        pool.setValidateAfterInactivity(500);
        buffers = new RelayBuffers(Math.min(max, 8));
        readTimeout = settings.getInt(Setting.HOST_READ_TIMEOUT_MS);
        int connectTimeout = settings.getInt(Setting.HOST_CONNECT_TIMEOUT_MS);
        RequestConfig config = RequestConfig.custom()
                .setConnectTimeout(connectTimeout)
                .setConnectionRequestTimeout(connectTimeout)
                .setSocketTimeout(readTimeout)
                .setRedirectsEnabled(false)
                .build();
        http = HttpClients.custom()
                .setConnectionManager(pool)
                .setDefaultRequestConfig(config)
                .disableContentCompression() // bodies pass through as the host sends them
                .disableCookieManagement()
                .disableRedirectHandling()
                // a request without a body is retried once when the host closed a kept-alive connection
                // under it; one with a body streams once and is never retried
                .setRetryHandler((exception, count, context) -> count <= 1
                        && exception instanceof org.apache.http.NoHttpResponseException
                        && !(HttpClientContext.adapt(context).getRequest()
                        instanceof org.apache.http.HttpEntityEnclosingRequest))
                .evictIdleConnections(1, java.util.concurrent.TimeUnit.SECONDS)
                .setUserAgent("dicom-sidecar")
                .build();
    }

    /** The host's DICOMweb base URL, without a trailing slash. */
    public String baseUrl() {
        return baseUrl;
    }

    /** Every base URL by which the host may name itself in answers. */
    public List<String> hostBaseUrls() {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(baseUrl),
                settings.list(Setting.HOST_URL_ALIASES).stream()).toList();
    }

    /** Sends the request to the host. The caller must close the answer. */
    public HostResponse forward(DelegatedRequest request) {
        String query = requireNormalised(request);
        String uri = baseUrl + request.path() + (query == null ? "" : "?" + query);
        RequestBuilder builder = RequestBuilder.create(request.method()).setUri(uri);
        for (Map.Entry<String, List<String>> h : request.headers().entrySet()) {
            if (ForwardedHeaders.toHost(h.getKey())) {
                h.getValue().forEach(v -> builder.addHeader(h.getKey(), v));
            }
        }
        authorization(request).ifPresent(a -> builder.setHeader("Authorization", a));
        if (request.body() != null) {
            builder.setEntity(new InputStreamEntity(request.body(), request.contentLength()));
        }
        return execute(builder.build());
    }

    /**
     * Last line of defence, whoever built the request: a path that is not already a normalised DICOMweb path
     * never leaves for the host, nor a query with control characters. Answers the query to send.
     */
    private static String requireNormalised(DelegatedRequest request) {
        try {
            if (!DicomWebPath.parse(request.method(), request.path()).equals(request.path())) {
                throw new IllegalArgumentException("not a normalised DICOMweb path");
            }
            return DicomWebQuery.normalise(request.query());
        } catch (RefusedRequestException e) {
            throw new IllegalArgumentException("not a DICOMweb request: " + e.getMessage(), e);
        }
    }

    /** A quick check that the host answers DICOMweb at all (a one-study QIDO). */
    public HostHealth health() {
        long start = System.nanoTime();
        RequestBuilder builder = RequestBuilder.get(baseUrl + "/studies?limit=1")
                .addHeader("Accept", "application/dicom+json")
                .setConfig(RequestConfig.custom()
                        .setConnectTimeout(settings.getInt(Setting.HOST_CONNECT_TIMEOUT_MS))
                        .setConnectionRequestTimeout(settings.getInt(Setting.HOST_CONNECT_TIMEOUT_MS))
                        .setSocketTimeout(settings.getInt(Setting.HOST_CONNECT_TIMEOUT_MS)).build());
        basicAuthorization().ifPresent(a -> builder.setHeader("Authorization", a));
        try (HostResponse r = execute(builder.build())) {
            long millis = (System.nanoTime() - start) / 1_000_000;
            r.body().transferTo(java.io.OutputStream.nullOutputStream());
            boolean ok = r.status() < 500;
            return new HostHealth(ok, baseUrl, r.status(), millis, ok ? null : "host answered HTTP " + r.status());
        } catch (HostUnavailableException e) {
            return new HostHealth(false, baseUrl, 0, (System.nanoTime() - start) / 1_000_000, e.getMessage());
        } catch (IOException e) {
            return new HostHealth(false, baseUrl, 0, (System.nanoTime() - start) / 1_000_000,
                    "reading the host's answer failed: " + e);
        }
    }

    private HostResponse execute(HttpUriRequest request) {
        // bodies as they are: nothing to decode (or rewrite inside a compressed body) on the way through
        request.setHeader("Accept-Encoding", "identity");
        try {
            HttpClientContext context = HttpClientContext.create();
            CloseableHttpResponse response = http.execute(request, context);
            return new HostResponse(response, context, buffers, readTimeout);
        } catch (ConnectionPoolTimeoutException e) {
            throw new HostUnavailableException(503, "host-busy",
                    "all " + settings.get(Setting.HOST_MAX_CONNECTIONS) + " connections to the host are in use", e);
        } catch (ConnectTimeoutException | SocketTimeoutException e) {
            throw new HostUnavailableException(504, "host-timeout",
                    "the host did not answer in time (" + e.getMessage() + ")", e);
        } catch (ConnectException | UnknownHostException | NoRouteToHostException e) {
            throw new HostUnavailableException(502, "host-unreachable",
                    "cannot connect to the host at " + baseUrl + " (" + e.getMessage() + ")", e);
        } catch (InterruptedIOException e) {
            throw new HostUnavailableException(504, "host-timeout", "the call to the host was interrupted", e);
        } catch (IOException e) {
            throw new HostUnavailableException(502, "host-error",
                    "the call to the host failed (" + e + ")", e);
        }
    }

    private java.util.Optional<String> authorization(DelegatedRequest request) {
        if (settings.getBoolean(Setting.HOST_FORWARD_AUTHORIZATION)) {
            String callers = request.firstHeader("Authorization");
            if (callers != null) {
                return java.util.Optional.of(callers);
            }
        }
        return basicAuthorization();
    }

    private java.util.Optional<String> basicAuthorization() {
        return settings.hostBasicAuthorization();
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    @PreDestroy
    void close() {
        try {
            http.close();
        } catch (IOException e) {
            // shutting down: nothing left to do with a failed close
        }
    }
}
