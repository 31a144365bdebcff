package org.dicomsidecar.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CorsPolicyTest {

    private static final CorsPolicy VIEWERS = CorsPolicy.of(List.of("https://viewer.example.org", "http://127.0.0.1:3000"));

    @Test
    void offByDefaultAllowsNobody() {
        CorsPolicy off = CorsPolicy.of(List.of());
        assertFalse(off.enabled());
        assertEquals(Optional.empty(), off.allowedOrigin("https://viewer.example.org"));
    }

    @Test
    void exactOriginsAreEchoedAsSent() {
        assertTrue(VIEWERS.enabled());
        assertEquals(Optional.of("https://viewer.example.org"), VIEWERS.allowedOrigin("https://viewer.example.org"));
        assertEquals(Optional.of("HTTPS://Viewer.Example.org"), VIEWERS.allowedOrigin("HTTPS://Viewer.Example.org"));
        assertEquals(Optional.of("http://127.0.0.1:3000"), VIEWERS.allowedOrigin("http://127.0.0.1:3000"));
    }

    @Test
    void nearMissesAreNotAllowed() {
        for (String other : new String[]{"http://viewer.example.org", "https://viewer.example.org:8443",
                "https://viewer.example.org.evil.example", "https://evil.example/https://viewer.example.org",
                "https://viewer.example.org/", "http://127.0.0.1:3001", "http://127.0.0.1", "null", "", " ",
                "https://viewer.example.org\r\nX: 1", "https://user@viewer.example.org"}) {
            assertEquals(Optional.empty(), VIEWERS.allowedOrigin(other), other);
        }
        assertEquals(Optional.empty(), VIEWERS.allowedOrigin(null));
    }

    @Test
    void aStarAllowsEveryWellFormedOriginButNotNullNorGarbage() {
        CorsPolicy any = CorsPolicy.of(List.of("*"));
        assertEquals(Optional.of("https://anything.example:9"), any.allowedOrigin("https://anything.example:9"));
        assertEquals(Optional.of("http://[::1]:8080"), any.allowedOrigin("http://[::1]:8080"));
        for (String garbage : new String[]{"null", "*", "https://", "https://a b", "https://a:99999", "x".repeat(100_000),
                "https://" + "a".repeat(400), "javascript:alert(1)", "https://évil.example"}) {
            assertEquals(Optional.empty(), any.allowedOrigin(garbage), garbage.length() > 60 ? "long" : garbage);
        }
    }

    @Test
    void onlyTheSidecarsMethodsPassAPreflight() {
        assertTrue(CorsPolicy.isAllowedMethod("GET"));
        assertTrue(CorsPolicy.isAllowedMethod("DELETE"));
        assertFalse(CorsPolicy.isAllowedMethod("PATCH"));
        assertFalse(CorsPolicy.isAllowedMethod("get"));
        assertFalse(CorsPolicy.isAllowedMethod(null));
    }
}
