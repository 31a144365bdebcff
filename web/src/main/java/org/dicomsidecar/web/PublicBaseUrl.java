package org.dicomsidecar.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dicomsidecar.config.Setting;
import org.dicomsidecar.config.SidecarSettings;

/**
 * The sidecar's own base URL (e.g. {@code http://127.0.0.1:8080/sidecar}) in every URL it answers: RetrieveURLs,
 * BulkDataURIs, Location headers, export manifests. The Host header is the caller's to choose, so it is used only
 * when its host name is one of {@code sidecar.allowed-hosts}; otherwise a forged {@code Host: evil.example} would
 * end up in answers (and in caches or clients that follow them).
 *
 * <p>In order: {@code sidecar.public-base-url} if set; else, for a request from one of {@code sidecar.trusted-proxies},
 * the host, scheme and port the proxy says the client used ({@link ProxyHeaders}; a malformed host is ignored);
 * else the Host header if it is well-formed and its host is allowed; else the address and port the request
 * actually arrived on.
 */
public final class PublicBaseUrl {

    /** reg-name (letters, digits, '-', '.') or a bracketed IPv6 address, then an optional port. */
    private static final Pattern HOST_HEADER =
            Pattern.compile("(\\[[0-9A-Fa-f:.]{2,45}\\]|[A-Za-z0-9.-]{1,253})(?::([0-9]{1,5}))?");
    private static final String ANY = "*";

    private PublicBaseUrl() {
    }

    /** The base URL for this request, without a trailing slash. */
    public static String of(HttpServletRequest req, SidecarSettings settings) {
        Optional<String> configured = settings.optional(Setting.PUBLIC_BASE_URL);
        if (configured.isPresent()) {
            return configured.get().replaceAll("/+$", "");
        }
        return choose(ProxyHeaders.of(req, settings.list(Setting.TRUSTED_PROXIES)), settings.list(Setting.ALLOWED_HOSTS),
                req.getScheme(), req.getHeader("Host"), req.getLocalAddr(), req.getLocalPort(), req.getContextPath());
    }

    static String choose(Optional<String> configured, List<String> allowedHosts, String scheme, String hostHeader,
                         String localAddress, int localPort, String contextPath) {
        if (configured.isPresent()) {
            return configured.get().replaceAll("/+$", "");
        }
        return choose(ProxyHeaders.NONE, allowedHosts, scheme, hostHeader, localAddress, localPort, contextPath);
    }

    /** Without a configured URL: what a trusted proxy says first, then the request's own Host and address. */
    static String choose(ProxyHeaders proxy, List<String> allowedHosts, String scheme, String hostHeader,
                         String localAddress, int localPort, String contextPath) {
        String effectiveScheme = proxy.proto() != null && proxy.proto().matches("(?i)https?")
                ? proxy.proto().toLowerCase(Locale.ROOT) : scheme;
        String authority = wellFormedAuthority(proxy.host())
                .map(hostAndPort -> withPort(hostAndPort, proxy.port(), effectiveScheme))
                .or(() -> allowedAuthority(hostHeader, allowedHosts))
                .orElseGet(() -> literal(localAddress) + ":" + localPort);
        return effectiveScheme + "://" + authority + contextPath;
    }

    /** The forwarded port added to a forwarded host that names none (left out when it is the scheme's default). */
    private static String withPort(Matcher hostAndPort, String port, String scheme) {
        String authority = hostAndPort.group(0);
        if (hostAndPort.group(2) != null || port == null || !port.matches("[0-9]{1,5}")
                || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            return authority;
        }
        boolean standard = ("http".equals(scheme) && port.equals("80")) || ("https".equals(scheme) && port.equals("443"));
        return standard ? authority : authority + ":" + port;
    }

    /** A host[:port] in the Host header's grammar, its port (if any) in range. */
    private static Optional<Matcher> wellFormedAuthority(String value) {
        if (value == null) {
            return Optional.empty();
        }
        Matcher m = HOST_HEADER.matcher(value.trim());
        if (!m.matches() || (m.group(2) != null && Integer.parseInt(m.group(2)) > 65535)) {
            return Optional.empty();
        }
        return Optional.of(m);
    }

    /** The Host header as it was sent, if it is well-formed and names an allowed host. */
    static Optional<String> allowedAuthority(String hostHeader, List<String> allowedHosts) {
        Optional<Matcher> wellFormed = wellFormedAuthority(hostHeader);
        if (wellFormed.isEmpty()) {
            return Optional.empty();
        }
        String host = wellFormed.get().group(1).toLowerCase(Locale.ROOT);
        boolean allowed = allowedHosts.stream().map(h -> h.trim().toLowerCase(Locale.ROOT))
                .anyMatch(h -> h.equals(ANY) || h.equals(host) || ("[" + h + "]").equals(host));
        return allowed ? Optional.of(hostHeader.trim()) : Optional.empty();
    }

    /** An IP address as a URL writes it: IPv6 in brackets, its zone (if any) escaped. */
    static String literal(String address) {
        return address.indexOf(':') >= 0 ? "[" + address.replace("%", "%25") + "]" : address;
    }
}
