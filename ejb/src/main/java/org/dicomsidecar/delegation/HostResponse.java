package org.dicomsidecar.delegation;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.apache.http.client.methods.CloseableHttpResponse;

/** The host's answer, body still streaming. Close it to give the connection back to the pool. */
public final class HostResponse implements Closeable {

    private final CloseableHttpResponse response;
    private final List<Map.Entry<String, String>> headers;

    HostResponse(CloseableHttpResponse response) {
        this.response = response;
        this.headers = java.util.Arrays.stream(response.getAllHeaders())
                .map(h -> Map.entry(h.getName(), h.getValue())).toList();
    }

    public int status() {
        return response.getStatusLine().getStatusCode();
    }

    public List<Map.Entry<String, String>> headers() {
        return headers;
    }

    public String header(String name) {
        return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                .findFirst().orElse(null);
    }

    /** The body as it arrives; empty for answers without one. */
    public InputStream body() throws IOException {
        return response.getEntity() == null ? InputStream.nullInputStream() : response.getEntity().getContent();
    }

    @Override
    public void close() throws IOException {
        response.close();
    }
}
