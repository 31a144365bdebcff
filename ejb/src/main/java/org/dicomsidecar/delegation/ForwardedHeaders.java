package org.dicomsidecar.delegation;

import java.util.Locale;
import java.util.Set;

/**
 * Which headers cross the sidecar, in each direction. Allow-lists: hop-by-hop headers (Connection,
 * Transfer-Encoding, Keep-Alive ...) and anything the host should not learn about the caller stay behind.
 */
public final class ForwardedHeaders {

    private static final Set<String> TO_HOST = Set.of(
            "accept", "accept-charset", "accept-language", "content-type",
            "if-match", "if-none-match", "if-modified-since", "if-unmodified-since", "range");

    private static final Set<String> TO_CALLER = Set.of(
            "content-type", "content-location", "location", "etag", "last-modified", "cache-control", "expires",
            "warning", "content-disposition", "content-range", "accept-ranges", "content-language", "retry-after",
            "www-authenticate", "allow", "content-encoding");

    /** Headers that can hold one of the host's URLs. */
    private static final Set<String> URL_VALUED = Set.of("content-location", "location");

    private ForwardedHeaders() {
    }

    public static boolean toHost(String name) {
        return TO_HOST.contains(name.toLowerCase(Locale.ROOT));
    }

    public static boolean toCaller(String name) {
        return TO_CALLER.contains(name.toLowerCase(Locale.ROOT));
    }

    public static boolean holdsUrl(String name) {
        return URL_VALUED.contains(name.toLowerCase(Locale.ROOT));
    }
}
