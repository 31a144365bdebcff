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

    @Inject
    HostAuthorization authorization;

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

    /**
     * Sends the request to the host. The caller must close the answer. It carries the caller's Authorization
     * header when {@code sidecar.host.forward-authorization} is on and the caller sent one (the host then applies
     * its own rules to that user); otherwise the sidecar's own credentials ({@link HostAuthorization}).
     */
    public HostResponse forward(DelegatedRequest request) {
        String query = requireNormalised(request);
        String uri = baseUrl + request.path() + (query == null ? "" : "?" + query);
        RequestBuilder builder = RequestBuilder.create(request.method()).setUri(uri);
        for (Map.Entry<String, List<String>> h : request.headers().entrySet()) {
            if (ForwardedHeaders.toHost(h.getKey())) {
                h.getValue().forEach(v -> builder.addHeader(h.getKey(), v));
            }
        }
        if (request.body() != null) {
            builder.setEntity(new InputStreamEntity(request.body(), request.contentLength()));
        }
        HttpUriRequest built = builder.build();
        String callers = callersAuthorization(settings.getBoolean(Setting.HOST_FORWARD_AUTHORIZATION), request);
        if (callers != null) {
            built.setHeader("Authorization", callers);
            return execute(built); // a caller's token that the host refuses is the caller's to renew: no retry
        }
        return executeAsSidecar(built, request.body() == null);
    }

    /** The caller's Authorization header if it is to cross to the host, else null. */
    static String callersAuthorization(boolean forwardAuthorization, DelegatedRequest request) {
        return forwardAuthorization ? request.firstHeader("Authorization") : null;
    }

    /**
     * Sends a request on the sidecar's own credentials: once more with a fresh token after a 401, if it has no
     * body. A streamed body (STOW) cannot be sent twice: renewing tokens before they expire keeps it from a 401.
     */
    private HostResponse executeAsSidecar(HttpUriRequest request, boolean replayable) {
        return authorization.send(replayable, own -> {
            request.removeHeaders("Authorization");
            own.ifPresent(a -> request.setHeader("Authorization", a));
            return execute(request);
        }, HostResponse::status, HostDicomWebClient::closeQuietly);
    }

    private static void closeQuietly(HostResponse answer) {
        try {
            answer.close();
        } catch (IOException e) {
            // a refused answer: its connection is dropped, nothing else depends on it
        }
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
        try (HostResponse r = executeAsSidecar(builder.build(), true)) {
            long millis = (System.nanoTime() - start) / 1_000_000;
            r.body().transferTo(java.io.OutputStream.nullOutputStream());
            boolean refused = r.status() == 401 || r.status() == 403; // the mirror cannot work either
            boolean ok = r.status() < 500 && !refused;
            return new HostHealth(ok, baseUrl, r.status(), millis, ok ? null : refused
                    ? "the host refused the sidecar's credentials (HTTP " + r.status() + ")"
                    : "host answered HTTP " + r.status());
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
