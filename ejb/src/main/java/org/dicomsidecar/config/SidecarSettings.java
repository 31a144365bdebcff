package org.dicomsidecar.config;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The effective settings: a snapshot taken when the application starts, so that connection pools and
 * the status report agree. Change a setting, then reload the server or redeploy the EAR.
 */
public final class SidecarSettings {

    private static final String MASK = "********";

    private final Map<Setting, String> values;

    private SidecarSettings(Map<Setting, String> values) {
        this.values = values;
    }

    /** Reads every setting from a lookup (MicroProfile Config in the server, a map in unit tests). */
    public static SidecarSettings from(Function<String, Optional<String>> lookup) {
        Map<Setting, String> values = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            values.put(s, lookup.apply(s.key()).map(String::trim).orElse(s.defaultValue()));
        }
        SidecarSettings settings = new SidecarSettings(values);
        settings.validate();
        return settings;
    }

    public String get(Setting s) {
        return values.get(s);
    }

    public long getLong(Setting s) {
        return Long.parseLong(values.get(s));
    }

    public int getInt(Setting s) {
        return Integer.parseInt(values.get(s));
    }

    public boolean getBoolean(Setting s) {
        return Boolean.parseBoolean(values.get(s));
    }

    public Optional<String> optional(Setting s) {
        String v = values.get(s);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    public List<String> list(Setting s) {
        return optional(s).map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList())
                .orElse(List.of());
    }

    /** The Authorization header value for the host's Basic credentials, if a user is configured. */
    public Optional<String> hostBasicAuthorization() {
        return optional(Setting.HOST_USERNAME).map(user -> "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + get(Setting.HOST_PASSWORD)).getBytes(StandardCharsets.UTF_8)));
    }

    /** Every setting by key, secrets masked, URLs stripped of any user info: safe to show and log. */
    public Map<String, String> effective() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Setting s : Setting.values()) {
            String v = values.get(s);
            if (s.secret() && !v.isEmpty()) {
                v = MASK;
            } else {
                v = withoutUserInfo(v);
            }
            out.put(s.key(), v);
        }
        return out;
    }

    /**
     * A URL (or comma-separated URLs) as it may be shown: user name and password removed. Textual, so that
     * it also holds for host names {@link URI} does not parse as a server (underscores, as in compose files).
     */
    public static String withoutUserInfo(String url) {
        return url.replaceAll("(?<=://)[^/@,\\s]*@", "");
    }

    private static final java.util.Set<Setting> REQUIRED =
            java.util.EnumSet.of(Setting.COUCHDB_URL, Setting.COUCHDB_DATABASE, Setting.HOST_DICOMWEB_URL);

    private void validate() {
        for (Setting s : Setting.values()) {
            String v = values.get(s);
            try {
                switch (kindOf(s)) {
                    case POSITIVE -> {
                        if (!v.matches("\\d{1,10}") || Long.parseLong(v) <= 0 || Long.parseLong(v) > Integer.MAX_VALUE) {
                            throw new IllegalArgumentException("must be a positive whole number");
                        }
                    }
                    case NON_NEGATIVE -> {
                        if (!v.matches("\\d{1,9}")) {
                            throw new IllegalArgumentException("must be a whole number, 0 or more");
                        }
                    }
                    case BOOLEAN -> {
                        if (!v.matches("(?i)true|false")) {
                            throw new IllegalArgumentException("must be true or false");
                        }
                    }
                    case URL -> {
                        if (v.isEmpty()) {
                            if (REQUIRED.contains(s)) {
                                throw new IllegalArgumentException("must not be empty");
                            }
                        } else {
                            checkHttpUrl(v);
                        }
                    }
                    case URLS -> list(s).forEach(SidecarSettings::checkHttpUrl);
                    case ORIGINS -> list(s).stream().filter(o -> !o.equals("*") && !ORIGIN.matcher(o).matches())
                            .findFirst().ifPresent(o -> {
                                throw new IllegalArgumentException("'" + o + "' is not scheme://host[:port] or *");
                            });
                    case ADDRESSES -> list(s).stream().filter(a -> !IP_ADDRESS.matcher(a).matches())
                            .findFirst().ifPresent(a -> {
                                throw new IllegalArgumentException("'" + a + "' is not an IP address");
                            });
                    case TEXT -> {
                        if (v.isEmpty() && REQUIRED.contains(s)) {
                            throw new IllegalArgumentException("must not be empty");
                        }
                    }
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Setting " + s.key() + " (" + s.environmentVariable() + ") = '"
                        + (s.secret() ? MASK : withoutUserInfo(v)) + "': " + e.getMessage(), e);
            }
        }
        if (optional(Setting.HOST_TOKEN_URL).isPresent()) {
            for (Setting needed : List.of(Setting.HOST_CLIENT_ID, Setting.HOST_CLIENT_SECRET)) {
                if (optional(needed).isEmpty()) {
                    throw new IllegalArgumentException("Setting " + needed.key() + " (" + needed.environmentVariable()
                            + ") must be set with " + Setting.HOST_TOKEN_URL.key());
                }
            }
        }
    }

    private enum Kind { POSITIVE, NON_NEGATIVE, BOOLEAN, URL, URLS, ORIGINS, ADDRESSES, TEXT }

    /** A browser origin as browsers send it: no path, no trailing slash. */
    private static final java.util.regex.Pattern ORIGIN = java.util.regex.Pattern.compile(
            "[A-Za-z][A-Za-z0-9+.-]*://(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?");
    /** An IPv4 or IPv6 literal (host names are not accepted: they would need DNS on every request). */
    private static final java.util.regex.Pattern IP_ADDRESS = java.util.regex.Pattern.compile(
            "((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])|\\[?[0-9A-Fa-f]*:[0-9A-Fa-f:.]*\\]?");

    private static Kind kindOf(Setting s) {
        String k = s.key();
        if (s == Setting.HOST_URL_ALIASES) {
            return Kind.URLS;
        } else if (s == Setting.CORS_ALLOWED_ORIGINS) {
            return Kind.ORIGINS;
        } else if (s == Setting.TRUSTED_PROXIES) {
            return Kind.ADDRESSES;
        } else if (k.endsWith("url")) {
            return Kind.URL;
        } else if (s == Setting.LEASE_SECONDS) {
            return Kind.POSITIVE;
        } else if (k.endsWith("-minutes")) {
            return Kind.NON_NEGATIVE;
        } else if (k.endsWith("-ms") || k.endsWith("max-connections") || k.endsWith("workers")
                || k.endsWith("-bytes") || k.endsWith("page-size") || k.endsWith("-per-request")) {
            return Kind.POSITIVE;
        } else if (k.endsWith("forward-authorization") || k.endsWith("on-startup") || k.endsWith("-filter")
                || s == Setting.NODE_DUTIES) {
            return Kind.BOOLEAN;
        }
        return Kind.TEXT;
    }

    private static void checkHttpUrl(String url) {
        URI u;
        try {
            u = new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("not a URL (" + e.getReason() + ")");
        }
        if (!("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()))
                || u.getRawAuthority() == null) {
            throw new IllegalArgumentException("must be an absolute http(s) URL");
        }
    }
}
