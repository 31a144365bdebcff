package org.dicomsidecar.delegation;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Rewrites the host's own URLs (RetrieveURL, BulkDataURI, Location, Content-Location ...) to the sidecar's
 * DICOMweb base, so that a client pointed at the sidecar never sees the host.
 *
 * @param hostBaseUrls every base URL by which the host names its DICOMweb root (configured URL first)
 * @param sidecarBaseUrl the sidecar's DICOMweb base as the client sees it, e.g. http://host:8080/sidecar/dicomweb
 */
public record HostUrlRewriter(List<String> hostBaseUrls, String sidecarBaseUrl) {

    public HostUrlRewriter {
        // longest first: where one URL is a prefix of another, the longer one must win, in headers and bodies
        hostBaseUrls = hostBaseUrls.stream().map(HostUrlRewriter::trimSlash).distinct()
                .filter(u -> !u.isEmpty())
                .sorted(java.util.Comparator.comparingInt(String::length).reversed()).toList();
        sidecarBaseUrl = trimSlash(sidecarBaseUrl);
    }

    /** A header value (Location, Content-Location) with the host's base replaced. */
    public String rewrite(String value) {
        String result = value;
        for (String host : hostBaseUrls) {
            result = result.replace(host, sidecarBaseUrl);
        }
        return result;
    }

    /** A stream that rewrites what is written through it. */
    public OutputStream rewriting(OutputStream out) {
        OutputStream result = out;
        // the stream made last sees the bytes first: wrap shortest first so the longest URL is replaced first
        for (int i = hostBaseUrls.size() - 1; i >= 0; i--) {
            result = new ReplacingOutputStream(result, hostBaseUrls.get(i).getBytes(StandardCharsets.UTF_8),
                    sidecarBaseUrl.getBytes(StandardCharsets.UTF_8));
        }
        return result;
    }

    /**
     * Whether a body of this media type can name host URLs and is safe to rewrite: JSON and XML (QIDO, STOW
     * answers, metadata) and multipart bodies made of them. Never DICOM or pixel data: their lengths are
     * encoded inside and a rewrite would corrupt them.
     */
    public static boolean isRewritable(String contentType) {
        if (contentType == null) {
            return false;
        }
        String ct = contentType.toLowerCase(Locale.ROOT);
        String base = ct.split(";", 2)[0].trim();
        if (base.startsWith("multipart/")) {
            String type = parameter(ct, "type");
            return type != null && isTextual(type);
        }
        return isTextual(base);
    }

    /**
     * As {@link #isRewritable(String)}, and only when the body is not compressed: the client asks the host for
     * identity, but a host that compresses anyway gets its body passed through as it is, Content-Encoding
     * included.
     */
    public static boolean isRewritable(String contentType, String contentEncoding) {
        return (contentEncoding == null || contentEncoding.isBlank()
                || contentEncoding.trim().equalsIgnoreCase("identity")) && isRewritable(contentType);
    }

    private static boolean isTextual(String mediaType) {
        return mediaType.endsWith("json") || mediaType.endsWith("xml") || mediaType.startsWith("text/");
    }

    private static String parameter(String contentType, String name) {
        for (String part : contentType.split(";")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length == 2 && kv[0].trim().equals(name)) {
                return kv[1].trim().replace("\"", "");
            }
        }
        return null;
    }

    private static String trimSlash(String url) {
        String u = url.trim();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u;
    }
}
