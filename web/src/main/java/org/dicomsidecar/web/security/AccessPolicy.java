package org.dicomsidecar.web.security;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Who may send which request, for the parts of the sidecar that are not resources of the JAX-RS API: the DICOMweb
 * bases are judged by method alone (their servlets accept only normalised DICOMweb paths), and a few paths answer
 * without a token. Pure functions of the request line.
 */
public final class AccessPolicy {

    /** Paths (below the context root) of the API that need no token; exact matches only. */
    static final Set<String> OPEN_API_PATHS = Set.of("/api/live", "/api/openapi");

    private static final String DELEGATED = "/dicomweb";
    private static final String MIRROR = "/mirror/dicomweb";

    private AccessPolicy() {
    }

    /**
     * A CORS preflight (answered by the CORS filter, never by the archive) or an open path of the API. Anything
     * else, unknown paths and odd spellings of open ones included, needs a token.
     */
    public static boolean isOpen(String method, String path, boolean preflight) {
        if ("OPTIONS".equals(method) && preflight) {
            return true;
        }
        return ("GET".equals(method) || "HEAD".equals(method)) && OPEN_API_PATHS.contains(path);
    }

    /**
     * The roles that may send this request to one of the DICOMweb bases; empty when the path is the API's (its
     * resource methods say for themselves, see {@link Allowed}) or unknown (any authenticated caller then gets the
     * sidecar's 404).
     */
    public static Optional<Set<Role>> dicomWeb(String method, String path) {
        // the mirror's base answers QIDO-RS itself and delegates the rest (WADO-RS, STOW-RS) like the other
        if (!under(path, DELEGATED) && !under(path, MIRROR)) {
            return Optional.empty();
        }
        return Optional.of(switch (method.toUpperCase(Locale.ROOT)) {
            case "GET", "HEAD", "OPTIONS" -> EnumSet.of(Role.READER);
            case "POST", "PUT" -> EnumSet.of(Role.WRITER); // STOW-RS
            default -> EnumSet.of(Role.ADMIN); // DELETE, and any method the archive may add
        });
    }

    private static boolean under(String path, String base) {
        return path.equals(base) || path.startsWith(base + "/");
    }
}
