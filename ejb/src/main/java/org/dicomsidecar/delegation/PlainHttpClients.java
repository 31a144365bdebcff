package org.dicomsidecar.delegation;

import org.apache.http.client.config.RequestConfig;
import org.apache.http.impl.client.HttpClientBuilder;
import org.apache.http.impl.client.HttpClients;

/** HttpClient as the sidecar's small JSON clients use it: bounded time-outs, no redirects, no cookies. */
public final class PlainHttpClients {

    private PlainHttpClients() {
    }

    /** A builder with the time-outs set (the connect time-out also bounds the wait for a pooled connection). */
    public static HttpClientBuilder builder(int connectTimeoutMs, int readTimeoutMs) {
        return HttpClients.custom()
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectTimeout(connectTimeoutMs)
                        .setConnectionRequestTimeout(connectTimeoutMs)
                        .setSocketTimeout(readTimeoutMs)
                        .setRedirectsEnabled(false)
                        .build())
                .disableCookieManagement()
                .disableRedirectHandling()
                .setUserAgent("dicom-sidecar");
    }
}
