package org.dicomsidecar.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PublicBaseUrlTest {

    private static final List<String> DEFAULT = List.of("localhost", "127.0.0.1", "[::1]");

    private static String choose(Optional<String> configured, List<String> allowed, String hostHeader) {
        return PublicBaseUrl.choose(configured, allowed, "http", hostHeader, "127.0.0.1", 8080, "/sidecar");
    }

    @Test
    void theConfiguredUrlWinsWhateverTheHostHeaderSays() {
        assertEquals("https://pacs.example.org/sidecar",
                choose(Optional.of("https://pacs.example.org/sidecar/"), DEFAULT, "evil.example"));
        assertEquals("https://pacs.example.org/sidecar",
                choose(Optional.of("https://pacs.example.org/sidecar"), List.of("*"), "localhost:8080"));
    }

    @Test
    void anAllowedHostHeaderIsUsedAsSent() {
        assertEquals("http://localhost:8080/sidecar", choose(Optional.empty(), DEFAULT, "localhost:8080"));
        assertEquals("http://LocalHost:9/sidecar", choose(Optional.empty(), DEFAULT, "LocalHost:9"));
        assertEquals("http://127.0.0.1/sidecar", choose(Optional.empty(), DEFAULT, "127.0.0.1"));
        assertEquals("http://[::1]:8080/sidecar", choose(Optional.empty(), DEFAULT, "[::1]:8080"));
        assertEquals("http://[::1]:8080/sidecar", choose(Optional.empty(), List.of("::1"), "[::1]:8080"));
        assertEquals("http://pacs.example.org:8080/sidecar",
                choose(Optional.empty(), List.of("pacs.example.org"), "pacs.example.org:8080"));
    }

    @Test
    void anyOtherHostHeaderGivesWayToTheAddressTheRequestArrivedOn() {
        for (String forged : new String[]{"evil.example", "evil.example:8080", "localhost.evil.example",
                "evil.example#localhost", "localhost@evil.example", "evil.example/localhost", "localhost:8080/x",
                "localhost:99999", "localhost:80:80", "local host", "\"localhost\"", "[::2]:8080", "", " ",
                "localhost\r\nX: 1", "lоcalhost" /* Cyrillic o */}) {
            assertEquals("http://127.0.0.1:8080/sidecar", choose(Optional.empty(), DEFAULT, forged), forged);
        }
        assertEquals("http://127.0.0.1:8080/sidecar", choose(Optional.empty(), DEFAULT, null));
        assertEquals("http://127.0.0.1:8080/sidecar", choose(Optional.empty(), List.of(), "localhost"));
    }

    @Test
    void aStarTrustsAnyWellFormedHostHeaderButStillNoMalformedOne() {
        assertEquals("http://proxy.example:443/sidecar", choose(Optional.empty(), List.of("*"), "proxy.example:443"));
        assertEquals("http://127.0.0.1:8080/sidecar", choose(Optional.empty(), List.of("*"), "a\"b"));
        assertEquals("http://127.0.0.1:8080/sidecar", choose(Optional.empty(), List.of("*"), "a/b"));
    }

    @Test
    void ipv6ArrivalAddressesAreBracketed() {
        assertEquals("http://[0:0:0:0:0:0:0:1]:8080/sidecar",
                PublicBaseUrl.choose(Optional.empty(), DEFAULT, "http", "evil.example", "0:0:0:0:0:0:0:1", 8080, "/sidecar"));
        assertEquals("[fe80::1%25lo]", PublicBaseUrl.literal("fe80::1%lo"));
        assertEquals("10.0.0.1", PublicBaseUrl.literal("10.0.0.1"));
    }

    private static String behindProxy(ProxyHeaders proxy) {
        return PublicBaseUrl.choose(proxy, DEFAULT, "http", "localhost:8080", "127.0.0.1", 8080, "/sidecar");
    }

    @Test
    void aTrustedProxySaysWhichHostSchemeAndPortTheClientUsed() {
        assertEquals("https://pacs.example.org/sidecar", behindProxy(new ProxyHeaders("pacs.example.org", "https", null)));
        assertEquals("https://pacs.example.org/sidecar", behindProxy(new ProxyHeaders("pacs.example.org", "HTTPS", "443")));
        assertEquals("https://pacs.example.org:8443/sidecar",
                behindProxy(new ProxyHeaders("pacs.example.org", "https", "8443")));
        assertEquals("http://pacs.example.org:81/sidecar", behindProxy(new ProxyHeaders("pacs.example.org:81", null, "82")));
        assertEquals("http://[2001:db8::1]:9/sidecar", behindProxy(new ProxyHeaders("[2001:db8::1]", "http", "9")));
    }

    @Test
    void aMalformedForwardedValueIsIgnoredNotFatal() {
        for (String forged : new String[]{"evil.example/x", "a b", "evil.example:99999", "", "\"x\"", "localhost\r\nX: 1",
                "x".repeat(300)}) {
            assertEquals("https://localhost:8080/sidecar", behindProxy(new ProxyHeaders(forged, "https", null)), forged);
        }
        assertEquals("http://pacs.example.org/sidecar", behindProxy(new ProxyHeaders("pacs.example.org", "gopher", null)));
        assertEquals("http://pacs.example.org/sidecar", behindProxy(new ProxyHeaders("pacs.example.org", null, "0")));
        assertEquals("http://pacs.example.org/sidecar", behindProxy(new ProxyHeaders("pacs.example.org", null, "8o")));
    }

    @Test
    void withoutProxyHeadersTheHostHeaderRulesStillApply() {
        assertEquals("http://localhost:8080/sidecar", behindProxy(ProxyHeaders.NONE));
        assertEquals("http://127.0.0.1:8080/sidecar",
                PublicBaseUrl.choose(ProxyHeaders.NONE, DEFAULT, "http", "evil.example", "127.0.0.1", 8080, "/sidecar"));
    }
}
