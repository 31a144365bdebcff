package org.dicomsidecar.qido;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dicomsidecar.query.AttributePath;
import org.dicomsidecar.query.CohortQuery.Level;
import org.dicomsidecar.query.Condition.Predicate;
import org.dicomsidecar.query.Condition.ValueMode;
import org.dicomsidecar.query.Condition;
import org.dicomsidecar.query.QueryException;
import org.dicomsidecar.query.Wildcard;

/**
 * A QIDO-RS request (PS3.18 8.3.4) read into a condition over the mirror. Matching: single value, UID
 * lists (comma or backslash separated, or the key repeated), wildcards (* and ?), ranges for dates and
 * times ("20200101-20201231", "-2020", "2020-"), sequence matching (Key.Key), universal matching (an
 * empty value: no condition, but the attribute is returned), fuzzymatching for person names
 * (case-insensitive, any name component by prefix), includefield (keywords, tags or "all"), limit, offset.
 * Any attribute may be a key, not only those an archive indexes.
 */
public record QidoQuery(Level level, Condition where, Set<AttributePath> returned, boolean includeAll, int limit,
                        int offset) {

    public static final int DEFAULT_LIMIT = 1000;

    public static QidoQuery parse(Level level, String study, String series, Map<String, List<String>> params) {
        List<Condition> conditions = new ArrayList<>();
        Set<AttributePath> returned = new LinkedHashSet<>();
        boolean all = false;
        boolean fuzzy = false;
        int limit = DEFAULT_LIMIT;
        int offset = 0;
        for (Map.Entry<String, List<String>> p : params.entrySet()) {
            switch (p.getKey()) {
                case "includefield" -> {
                    for (String v : p.getValue()) {
                        for (String f : v.split(",")) {
                            if (f.equalsIgnoreCase("all")) {
                                all = true;
                            } else if (!f.isBlank()) {
                                returned.add(AttributePath.parse(f.trim(), "includefield"));
                            }
                        }
                    }
                }
                case "fuzzymatching" -> fuzzy = "true".equalsIgnoreCase(first(p.getValue()));
                case "limit" -> limit = number(first(p.getValue()), "limit", 1, 100_000);
                case "offset" -> offset = number(first(p.getValue()), "offset", 0, Integer.MAX_VALUE);
                default -> {
                }
            }
        }
        for (Map.Entry<String, List<String>> p : params.entrySet()) {
            String key = p.getKey();
            if (key.equals("includefield") || key.equals("fuzzymatching") || key.equals("limit") || key.equals("offset")) {
                continue;
            }
            AttributePath path = AttributePath.parse(key, key);
            returned.add(path);
            // ModalitiesInStudy is computed from the study's series: matching it means "a series of that modality"
            AttributePath matched = path.leaf().equals("00080061") && path.tags().size() == 1
                    ? AttributePath.parse("Modality", key) : path;
            Condition c = condition(matched, p.getValue(), fuzzy, key);
            if (c != null) {
                conditions.add(c);
            }
        }
        if (study != null) {
            conditions.add(equals("StudyInstanceUID", study));
        }
        if (series != null) {
            conditions.add(equals("SeriesInstanceUID", series));
        }
        Condition where = conditions.isEmpty() ? new Condition.All()
                : conditions.size() == 1 ? conditions.get(0) : new Condition.And(conditions);
        return new QidoQuery(level, where, returned, all, limit, offset);
    }

    private static Condition condition(AttributePath path, List<String> rawValues, boolean fuzzy, String at) {
        List<String> values = new ArrayList<>();
        for (String raw : rawValues) {
            if (path.vr().equals("UI")) {
                for (String v : raw.split("[,\\\\]")) {
                    if (!v.isBlank()) {
                        values.add(v.trim());
                    }
                }
            } else if (!raw.isEmpty()) {
                values.add(raw);
            }
        }
        if (values.isEmpty() || values.stream().anyMatch(Wildcard::onlyStars)) {
            return null; // universal matching (empty, or "*" alone: PS3.4 C.2.2.2.4): returned, not filtered
        }
        if (values.size() > 1) {
            List<Object> in = new ArrayList<>();
            for (String v : values) {
                in.add(typed(path, v, at));
            }
            return new Condition.Test(path, ValueMode.ANY, new Predicate.In(in, false));
        }
        String v = values.get(0);
        if (!path.vr().equals("UI") && v.contains("\\")) {
            // a multi-valued match ("0.5\\0.5"): value k must match the k-th given
            String[] parts = v.split("\\\\", -1);
            List<Condition> each = new ArrayList<>();
            for (int k = 0; k < parts.length; k++) {
                if (!parts[k].isEmpty()) {
                    each.add(new Condition.Test(path, new ValueMode(ValueMode.Kind.INDEX, k + 1),
                            new Predicate.Equals(typed(path, parts[k], at), false)));
                }
            }
            return each.isEmpty() ? null : each.size() == 1 ? each.get(0) : new Condition.And(each);
        }
        boolean temporal = path.vr().equals("DA") || path.vr().equals("TM") || path.vr().equals("DT");
        if (temporal && v.contains("-") && !(path.vr().equals("DT") && endsWithUtcOffset(v))) {
            String[] range = v.split("-", 2);
            Object lower = range[0].isEmpty() ? null : typed(path, range[0], at);
            Object upper = range[1].isEmpty() ? null : upperBound(path, range[1], at);
            return new Condition.Test(path, ValueMode.ANY, new Predicate.Range(lower, true, upper, true));
        }
        if (path.personName() && fuzzy) {
            String word = v.replace("*", "").replace("?", "");
            return new Condition.Test(path, ValueMode.ANY, new Predicate.Matches(v, Wildcard.nameComponentPrefix(word)));
        }
        if (!path.numeric() && (v.contains("*") || v.contains("?"))) {
            return new Condition.Test(path, ValueMode.ANY, new Predicate.Matches(v, Wildcard.of(v, false)));
        }
        return new Condition.Test(path, ValueMode.ANY, new Predicate.Equals(typed(path, v, at), false));
    }

    /** A range's upper bound covers the whole of a shorter value: "2020" up to the end of 2020. */
    private static Object upperBound(AttributePath path, String v, String at) {
        Object typed = typed(path, v, at);
        return typed instanceof String s ? s + "\uffff" : typed;
    }

    private static Object typed(AttributePath path, String v, String at) {
        if (path.numeric()) {
            try {
                return new BigDecimal(v.trim());
            } catch (NumberFormatException e) {
                throw new QueryException(at, "'" + clip(v) + "' is not a number (" + path.text() + " is numeric)");
            }
        }
        return switch (path.vr()) {
            case "DA" -> {
                String d = v.replace("-", "").replace(".", "");
                if (!d.matches("\\d{4}(\\d{2}(\\d{2})?)?")) {
                    throw new QueryException(at, "a date is YYYYMMDD: '" + clip(v) + "'");
                }
                yield d;
            }
            case "TM" -> v.replace(":", "");
            default -> v;
        };
    }

    /** "...5-0500": a DT value whose '-' is a UTC offset's sign, not a range. */
    private static boolean endsWithUtcOffset(String v) {
        int n = v.length();
        return n >= 6 && digit(v.charAt(n - 6)) && (v.charAt(n - 5) == '+' || v.charAt(n - 5) == '-')
                && v.substring(n - 4).chars().allMatch(c -> digit((char) c));
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    private static Condition equals(String keyword, String uid) {
        return new Condition.Test(AttributePath.parse(keyword, keyword), ValueMode.ANY, new Predicate.Equals(uid, false));
    }

    private static int number(String v, String at, int min, int max) {
        try {
            long n = Long.parseLong(v.trim());
            if (n < min || n > max) {
                throw new QueryException(at, "must be between " + min + " and " + max);
            }
            return (int) n;
        } catch (NumberFormatException e) {
            throw new QueryException(at, "must be a whole number");
        }
    }

    private static String first(List<String> values) {
        return values.isEmpty() ? "" : values.get(0);
    }

    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
