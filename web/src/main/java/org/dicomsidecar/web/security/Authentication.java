package org.dicomsidecar.web.security;

import jakarta.json.JsonObject;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.dicomsidecar.config.Setting;
import org.dicomsidecar.config.SidecarSettings;
import org.dicomsidecar.web.JsonError;

/** The decisions and answers shared by the servlet gate and the API's role check; pure functions. */
public final class Authentication {

    private Authentication() {
    }

    /** On when an OpenID Connect provider is configured. */
    public static boolean enabled(SidecarSettings settings) {
        return !settings.get(Setting.AUTH_PROVIDER_URL).isBlank();
    }

    /**
     * WildFly was told to validate tokens (enable-authentication.cli) but the sidecar was not told by whom: it
     * refuses everything rather than run open.
     */
    public static boolean misconfigured(SidecarSettings settings) {
        return !enabled(settings) && settings.getBoolean(Setting.AUTH_REQUIRED);
    }

    /** 503 while {@link #misconfigured}. */
    public static JsonObject notConfigured() {
        return JsonError.of(503, "authentication-not-configured", "authentication is required "
                + "(sidecar.auth.required) but sidecar.auth.provider-url is not set");
    }

    /** The first of the allowed roles the caller holds, as its realm role name. */
    public static Optional<String> grantingRole(Set<Role> allowed, Predicate<String> callerHolds,
                                                SidecarSettings settings) {
        return allowed.stream().sorted().map(r -> r.realmRole(settings)).filter(callerHolds).findFirst();
    }

    /** 401: no token, or one WildFly did not accept (it says no more, and neither do we). */
    public static JsonObject unauthenticated(boolean tokenSent) {
        return tokenSent
                ? JsonError.of(401, "invalid-token", "the bearer token was not accepted: expired, issued by another "
                        + "realm, not signed by the realm's key, or malformed")
                : JsonError.of(401, "unauthenticated", "this needs a bearer token (Authorization: Bearer ...) from "
                        + "the identity provider");
    }

    /** 403: a valid token without any of the roles. */
    public static JsonObject forbidden(Set<Role> allowed, SidecarSettings settings) {
        String roles = allowed.stream().sorted().map(r -> "'" + r.realmRole(settings) + "'")
                .collect(Collectors.joining(" or "));
        return JsonError.of(403, "forbidden", "this needs the realm role " + roles);
    }

    /** The WWW-Authenticate header of a 401 (RFC 6750). */
    public static String challenge(JsonObject error) {
        return "invalid-token".equals(error.getString("error"))
                ? "Bearer realm=\"dicom-sidecar\", error=\"invalid_token\""
                : "Bearer realm=\"dicom-sidecar\"";
    }
}
