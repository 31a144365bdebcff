package org.dicomsidecar.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProxyHeadersTest {

    @Test
    void onlyTheListedAddressesAreTrusted() {
        assertTrue(ProxyHeaders.isTrusted("127.0.0.1", List.of("10.0.0.1", "127.0.0.1")));
        assertTrue(ProxyHeaders.isTrusted("0:0:0:0:0:0:0:1", List.of("::1")));
        assertTrue(ProxyHeaders.isTrusted("0:0:0:0:0:0:0:1", List.of("[::1]")));
        assertFalse(ProxyHeaders.isTrusted("127.0.0.2", List.of("127.0.0.1")));
        assertFalse(ProxyHeaders.isTrusted("127.0.0.1", List.of()));
        assertFalse(ProxyHeaders.isTrusted(null, List.of("127.0.0.1")));
        // names are never looked up
        assertFalse(ProxyHeaders.isTrusted("127.0.0.1", List.of("localhost", "999.0.0.1", ".:", "proxy.invalid")));
    }

    @Test
    void xForwardedHeadersTheFirstValueOfEach() {
        assertEquals(new ProxyHeaders("pacs.example.org", "https", "443"),
                ProxyHeaders.from(null, "pacs.example.org, inner.local", "https,http", " 443 "));
        assertEquals(ProxyHeaders.NONE, ProxyHeaders.from(null, null, null, null));
        assertEquals(ProxyHeaders.NONE, ProxyHeaders.from(null, "", " ", null));
    }

    @Test
    void rfc7239ForwardedWinsAndIsUnquoted() {
        assertEquals(new ProxyHeaders("pacs.example.org:8443", "https", null),
                ProxyHeaders.from("for=192.0.2.60;proto=https;host=\"pacs.example.org:8443\", for=10.0.0.1;host=inner",
                        "other.example", "http", "80"));
        assertEquals(new ProxyHeaders("a.example", null, null), ProxyHeaders.parseForwarded("Host=a.example"));
        assertEquals(ProxyHeaders.NONE, ProxyHeaders.parseForwarded("for=192.0.2.60"));
        assertEquals(ProxyHeaders.NONE, ProxyHeaders.parseForwarded("host=" + "a".repeat(5000)));
        assertEquals(ProxyHeaders.NONE, ProxyHeaders.parseForwarded(";;==,"));
    }
}
