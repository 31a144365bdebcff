package org.dicomsidecar.web;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which browser origins may read the sidecar's answers ({@code sidecar.cors.allowed-origins}), and what a preflight
 * is answered. Pure: the filter ({@link CorsFilter}) only applies it.
 *
 * <p>No {@code Access-Control-Allow-Credentials}: callers authenticate with a bearer token in the Authorization
 * header, which a script sends explicitly; the sidecar sets no cookies. Leaving credentials off means a page of an
 * allowed origin can never ride on a browser's ambient cookies or TLS client certificates.
 */
public final class CorsPolicy {

    public static final String ANY = "*";
    public static final String ALLOW_METHODS = "GET, HEAD, POST, PUT, DELETE, OPTIONS";
    public static final String ALLOW_HEADERS =
            "Authorization, Content-Type, Accept, If-Match, If-None-Match, If-Modified-Since, Cache-Control, "
                    + "X-Requested-With";
    public static final String EXPOSE_HEADERS =
            "ETag, Location, Content-Location, Content-Type, Content-Length, Content-Disposition, Retry-After, "
                    + "Warning, Link, WWW-Authenticate, Last-Modified";
    /** Seconds a browser may reuse a preflight's answer (browsers cap it: Chromium at 2 h). */
    public static final String MAX_AGE = "600";

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS");
    /** A serialised origin (RFC 6454): scheme "://" host [":" port]; no path, user info or trailing slash. */
    private static final Pattern ORIGIN = Pattern.compile(
            "[A-Za-z][A-Za-z0-9+.-]{0,15}://(\\[[0-9A-Fa-f:.]{2,45}\\]|[A-Za-z0-9.-]{1,253})(:[0-9]{1,5})?");
    private static final int MAX_ORIGIN_LENGTH = 300;

    private final List<String> allowed;
    private final boolean any;

    private CorsPolicy(List<String> allowed) {
        this.allowed = allowed.stream().filter(o -> !o.equals(ANY)).map(o -> o.toLowerCase(Locale.ROOT)).toList();
        this.any = allowed.contains(ANY);
    }

    /** From the setting's comma-separated entries: exact origins, or {@code *}. */
    public static CorsPolicy of(List<String> entries) {
        return new CorsPolicy(entries);
    }

    /** Off (the default): no CORS header is ever written, and preflights go where any OPTIONS goes. */
    public boolean enabled() {
        return any || !allowed.isEmpty();
    }

    /**
     * The origin to echo in Access-Control-Allow-Origin, if this Origin header may read answers. The opaque
     * origin {@code null} (sandboxed frames, file: pages) is never allowed, not even by {@code *}: any page can
     * make itself opaque, so allowing it would allow everyone without saying so.
     */
    public Optional<String> allowedOrigin(String originHeader) {
        if (!enabled() || originHeader == null || !isOrigin(originHeader)) {
            return Optional.empty();
        }
        return any || allowed.contains(originHeader.toLowerCase(Locale.ROOT))
                ? Optional.of(originHeader) : Optional.empty();
    }

    /** Whether a preflight's Access-Control-Request-Method is one the sidecar serves. */
    public static boolean isAllowedMethod(String requestedMethod) {
        return requestedMethod != null && METHODS.contains(requestedMethod.trim());
    }

    private static boolean isOrigin(String value) {
        if (value.length() > MAX_ORIGIN_LENGTH || !ORIGIN.matcher(value).matches()) {
            return false;
        }
        int port = value.lastIndexOf(':');
        return port <= value.indexOf("://") || value.endsWith("]")
                || Integer.parseInt(value.substring(port + 1)) <= 65535;
    }
}
