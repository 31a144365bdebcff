package org.dicomsidecar.delegation;

import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * A DICOMweb call to pass to the host.
 *
 * @param method HTTP method
 * @param path the part after the DICOMweb base, normalised by {@link DicomWebPath} (e.g. "/studies/1.2.3/metadata")
 * @param query the query string, normalised by {@link DicomWebQuery}, or null
 * @param headers the caller's headers (all of them; the client picks what crosses)
 * @param body the request body, streamed, or null
 * @param contentLength the body's length, or -1 when unknown (then it is sent chunked)
 */
public record DelegatedRequest(String method, String path, String query, Map<String, List<String>> headers,
                               InputStream body, long contentLength) {

    public String firstHeader(String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                return e.getValue().get(0);
            }
        }
        return null;
    }
}
