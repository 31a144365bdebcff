package org.dicomsidecar.qido;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dicomsidecar.query.CohortQuery.Level;
import org.dicomsidecar.query.QueryException;

/**
 * Where a QIDO-RS request points: its level and study/series scope, read from the path
 * ({@code /studies}, {@code /series}, {@code /instances}, {@code /studies/{s}/series},
 * {@code /studies/{s}/instances}, {@code /studies/{s}/series/{se}/instances}); and its query parameters.
 */
public record QidoRequest(Level level, String study, String series) {

    private static final Pattern PATH = Pattern.compile(
            "^/(?:studies/([0-9.]+)/)?(?:series/([0-9.]+)/)?(studies|series|instances)/?$");

    /** The request a path names, or empty when it is not a QIDO-RS path. */
    public static Optional<QidoRequest> of(String path) {
        Matcher m = PATH.matcher(path);
        if (!m.matches()) {
            return Optional.empty();
        }
        String study = m.group(1);
        String series = m.group(2);
        String target = m.group(3);
        // series scope only under a study and for instances; nothing lists studies inside a study
        if ((series != null && (study == null || !target.equals("instances"))) || (study != null && target.equals("studies"))) {
            return Optional.empty();
        }
        Level level = switch (target) {
            case "studies" -> Level.STUDY;
            case "series" -> Level.SERIES;
            default -> Level.INSTANCE;
        };
        return Optional.of(new QidoRequest(level, study, series));
    }

    /**
     * The query string's parameters, decoded, in order; a repeated key keeps every value. Malformed
     * percent-encoding is a {@link QueryException}.
     */
    public static Map<String, List<String>> parameters(String rawQuery) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            String[] kv = pair.split("=", 2);
            String key = decode(kv[0]);
            if (!key.isEmpty()) {
                out.computeIfAbsent(key, k -> new ArrayList<>()).add(kv.length > 1 ? decode(kv[1]) : "");
            }
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // never quote the input: query values are names and IDs of patients
            throw new QueryException("query", "a malformed percent-escape in the query string (% must be followed"
                    + " by two hexadecimal digits; write a literal % as %25)");
        }
    }

    public QidoQuery query(Map<String, List<String>> parameters) {
        return QidoQuery.parse(level, study, series, parameters);
    }
}
