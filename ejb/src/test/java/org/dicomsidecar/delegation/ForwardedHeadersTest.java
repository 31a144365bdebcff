package org.dicomsidecar.delegation;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ForwardedHeadersTest {

    private static String[] spellings(String name) {
        return new String[]{name, name.toLowerCase(Locale.ROOT), name.toUpperCase(Locale.ROOT)};
    }

    /** Authorization is added by the client itself, depending on sidecar.host.forward-authorization. */
    @ParameterizedTest
    // Content-Length: HttpClient sets it from the entity; Accept-Encoding: the client asks for identity
    // itself (a compressed answer could not be rewritten)
    @ValueSource(strings = {"Authorization", "Proxy-Authorization", "Connection", "Transfer-Encoding", "Host",
            "Cookie", "Keep-Alive", "TE", "Upgrade", "Content-Length", "Accept-Encoding"})
    void neverSentToTheHost(String name) {
        for (String n : spellings(name)) {
            assertFalse(ForwardedHeaders.toHost(n), n);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Accept", "Content-Type", "Accept-Charset", "Accept-Language", "If-None-Match",
            "If-Modified-Since", "Range"})
    void sentToTheHost(String name) {
        for (String n : spellings(name)) {
            assertTrue(ForwardedHeaders.toHost(n), n);
        }
        assertTrue(ForwardedHeaders.toHost("aCcEpT"));
        assertTrue(ForwardedHeaders.toHost("content-TYPE"));
    }

    @ParameterizedTest
    // Content-Length: the servlet sets it itself, and only when the body is not rewritten
    @ValueSource(strings = {"Set-Cookie", "Set-Cookie2", "Connection", "Transfer-Encoding", "Keep-Alive", "Upgrade",
            "Content-Length"})
    void neverSentBackToTheCaller(String name) {
        for (String n : spellings(name)) {
            assertFalse(ForwardedHeaders.toCaller(n), n);
        }
    }

    @ParameterizedTest
    // Content-Encoding: should a host compress anyway, the caller gets the body with what it needs to read it
    @ValueSource(strings = {"Content-Type", "Location", "Content-Location", "ETag", "Last-Modified", "WWW-Authenticate",
            "Retry-After", "Content-Encoding"})
    void sentBackToTheCaller(String name) {
        for (String n : spellings(name)) {
            assertTrue(ForwardedHeaders.toCaller(n), n);
        }
    }

    @Test
    void onlyLocationHeadersHoldUrls() {
        for (String n : spellings("Location")) {
            assertTrue(ForwardedHeaders.holdsUrl(n), n);
        }
        for (String n : spellings("Content-Location")) {
            assertTrue(ForwardedHeaders.holdsUrl(n), n);
        }
        assertFalse(ForwardedHeaders.holdsUrl("Content-Type"));
        assertFalse(ForwardedHeaders.holdsUrl("ETag"));
    }

    @Test
    void everyHeaderHoldingAUrlReachesTheCaller() {
        // otherwise the rewrite of Location/Content-Location would be dead code
        for (String n : new String[]{"Location", "Content-Location"}) {
            assertTrue(ForwardedHeaders.holdsUrl(n) && ForwardedHeaders.toCaller(n), n);
        }
    }
}
