package org.dicomsidecar.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Locale;

/**
 * What a reverse proxy says about the request as the client sent it: RFC 7239 {@code Forwarded} (its first
 * element: the proxy nearest the client), else {@code X-Forwarded-Host}, {@code X-Forwarded-Proto} and
 * {@code X-Forwarded-Port} (first value of each). Believed only from the addresses of
 * {@code sidecar.trusted-proxies}: anyone else could write them. Values are raw; {@link PublicBaseUrl} checks them.
 *
 * @param host the Host the client sent to the proxy, or null
 * @param proto "http" or "https" as sent, or null
 * @param port the port the client connected to, or null
 */
public record ProxyHeaders(String host, String proto, String port) {

    public static final ProxyHeaders NONE = new ProxyHeaders(null, null, null);
    /** Headers longer than this are not parsed: no proxy writes them. */
    private static final int MAX_LENGTH = 1024;

    /** The request's proxy headers, or {@link #NONE} if it did not come from a trusted proxy. */
    public static ProxyHeaders of(HttpServletRequest req, List<String> trustedProxies) {
        if (!isTrusted(req.getRemoteAddr(), trustedProxies)) {
            return NONE;
        }
        return from(req.getHeader("Forwarded"), req.getHeader("X-Forwarded-Host"), req.getHeader("X-Forwarded-Proto"),
                req.getHeader("X-Forwarded-Port"));
    }

    static ProxyHeaders from(String forwarded, String xHost, String xProto, String xPort) {
        ProxyHeaders rfc = parseForwarded(forwarded);
        if (rfc.host != null || rfc.proto != null) {
            return rfc;
        }
        return new ProxyHeaders(first(xHost), first(xProto), first(xPort));
    }

    /** Whether the peer's address is one of the trusted proxies (IP literals, compared as addresses). */
    static boolean isTrusted(String remoteAddress, List<String> trustedProxies) {
        if (remoteAddress == null || trustedProxies.isEmpty()) {
            return false;
        }
        String peer = IpLiteral.canonical(remoteAddress);
        return peer != null && trustedProxies.stream().map(IpLiteral::canonical).anyMatch(peer::equals);
    }

    /** host and proto of the first element of an RFC 7239 Forwarded header (quoted values unquoted). */
    static ProxyHeaders parseForwarded(String header) {
        if (header == null || header.length() > MAX_LENGTH) {
            return NONE;
        }
        String element = header.split(",", 2)[0];
        String host = null;
        String proto = null;
        for (String pair : element.split(";")) {
            int eq = pair.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String name = pair.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = unquoted(pair.substring(eq + 1).trim());
            if (name.equals("host")) {
                host = value;
            } else if (name.equals("proto")) {
                proto = value;
            }
        }
        return new ProxyHeaders(host, proto, null);
    }

    private static String unquoted(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }

    private static String first(String header) {
        if (header == null || header.length() > MAX_LENGTH) {
            return null;
        }
        String v = header.split(",", 2)[0].trim();
        return v.isEmpty() ? null : v;
    }
}
