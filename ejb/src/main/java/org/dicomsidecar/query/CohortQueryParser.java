package org.dicomsidecar.query;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.dicomsidecar.query.Condition.Predicate;
import org.dicomsidecar.query.Condition.ValueMode;

/**
 * Reads the JSON query language (docs/api.md, "Cohorts by any tag") into a {@link CohortQuery}. Every mistake is a
 * {@link QueryException} that names where in the query it is, e.g. {@code where.and[1].lte}.
 */
public final class CohortQueryParser {

    public static final int MAX_LIMIT = 1000;
    private static final Set<String> TOP = Set.of("level", "where", "sort", "limit", "cursor", "facets", "include");
    private static final Set<String> OPERATORS = Set.of("equals", "in", "lt", "lte", "gt", "gte", "range", "near",
            "matches", "exists");
    private static final Set<String> TEST_KEYS = Set.of("attribute", "values", "caseInsensitive", "tolerance",
            "equals", "in", "lt", "lte", "gt", "gte", "range", "near", "matches", "exists");

    private CohortQueryParser() {
    }

    public static CohortQuery parse(JsonValue json) {
        if (json == null || json.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new QueryException("query", "must be a JSON object");
        }
        JsonObject q = json.asJsonObject();
        unknownKeys(q, TOP, "query");
        CohortQuery.Level level = level(q);
        Condition where = q.containsKey("where") ? condition(q.get("where"), "where") : new Condition.All();
        List<CohortQuery.SortKey> sort = new ArrayList<>();
        for (JsonObject s : objects(q, "sort")) {
            String at = "sort[" + sort.size() + "]";
            unknownKeys(s, Set.of("attribute", "order"), at);
            String order = s.getString("order", "asc");
            if (!order.equals("asc") && !order.equals("desc")) {
                throw new QueryException(at + ".order", "must be \"asc\" or \"desc\"");
            }
            sort.add(new CohortQuery.SortKey(AttributePath.parse(string(s, "attribute", at), at + ".attribute"),
                    order.equals("desc")));
        }
        int limit = 100;
        if (q.containsKey("limit")) {
            JsonValue l = q.get("limit");
            if (l.getValueType() == JsonValue.ValueType.NUMBER && ((JsonNumber) l).isIntegral()
                    && (((JsonNumber) l).bigDecimalValue().compareTo(BigDecimal.ONE) < 0
                    || ((JsonNumber) l).bigDecimalValue().compareTo(BigDecimal.valueOf(MAX_LIMIT)) > 0)) {
                throw new QueryException("limit", "must be between 1 and " + MAX_LIMIT);
            }
            limit = integer(l, "limit");
        }
        String cursor = q.containsKey("cursor") && !q.isNull("cursor") ? string(q, "cursor", "query") : null;
        List<CohortQuery.Facet> facets = new ArrayList<>();
        for (JsonObject f : objects(q, "facets")) {
            String at = "facets[" + facets.size() + "]";
            unknownKeys(f, Set.of("attribute", "bins", "limit"), at);
            AttributePath path = AttributePath.parse(string(f, "attribute", at), at + ".attribute");
            int bins = f.containsKey("bins") ? integer(f.get("bins"), at + ".bins") : 0;
            if (bins < 0 || bins > 1000) {
                throw new QueryException(at + ".bins", "must be between 1 and 1000 (or absent for value counts)");
            }
            if (bins > 0 && !path.numeric()) {
                throw new QueryException(at + ".bins", "histograms need a numeric attribute; " + path.text() + " is "
                        + vrName(path));
            }
            int facetLimit = f.containsKey("limit") ? integer(f.get("limit"), at + ".limit") : 50;
            if (facetLimit < 1 || facetLimit > 1000) {
                throw new QueryException(at + ".limit", "must be between 1 and 1000");
            }
            facets.add(new CohortQuery.Facet(path, bins, facetLimit));
        }
        List<AttributePath> include = new ArrayList<>();
        if (q.containsKey("include")) {
            if (q.get("include").getValueType() != JsonValue.ValueType.ARRAY) {
                throw new QueryException("include", "must be an array of attribute keywords or tags");
            }
            JsonArray a = q.getJsonArray("include");
            for (int i = 0; i < a.size(); i++) {
                if (a.get(i).getValueType() != JsonValue.ValueType.STRING) {
                    throw new QueryException("include[" + i + "]", "must be a keyword or tag string");
                }
                include.add(AttributePath.parse(a.getString(i), "include[" + i + "]"));
            }
        }
        return new CohortQuery(level, where, sort, limit, cursor, facets, include);
    }

    private static CohortQuery.Level level(JsonObject q) {
        if (!q.containsKey("level")) {
            return CohortQuery.Level.SERIES;
        }
        String level = q.get("level").getValueType() == JsonValue.ValueType.STRING ? q.getString("level") : "";
        return switch (level) {
            case "study" -> CohortQuery.Level.STUDY;
            case "series" -> CohortQuery.Level.SERIES;
            case "instance" -> CohortQuery.Level.INSTANCE;
            default -> throw new QueryException("level", "must be \"study\", \"series\" or \"instance\"");
        };
    }

    static Condition condition(JsonValue json, String at) {
        if (json.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new QueryException(at, "a condition must be a JSON object");
        }
        JsonObject c = json.asJsonObject();
        if (c.containsKey("and") || c.containsKey("or")) {
            String op = c.containsKey("and") ? "and" : "or";
            unknownKeys(c, Set.of(op), at);
            if (c.get(op).getValueType() != JsonValue.ValueType.ARRAY || c.getJsonArray(op).isEmpty()) {
                throw new QueryException(at + "." + op, "must be a non-empty array of conditions");
            }
            List<Condition> parts = new ArrayList<>();
            JsonArray a = c.getJsonArray(op);
            for (int i = 0; i < a.size(); i++) {
                parts.add(condition(a.get(i), at + "." + op + "[" + i + "]"));
            }
            return op.equals("and") ? new Condition.And(parts) : new Condition.Or(parts);
        }
        if (c.containsKey("not")) {
            unknownKeys(c, Set.of("not"), at);
            return new Condition.Not(condition(c.get("not"), at + ".not"));
        }
        if (!c.containsKey("attribute")) {
            throw new QueryException(at, "a condition needs \"attribute\" (with an operator), or \"and\", \"or\", \"not\"");
        }
        unknownKeys(c, TEST_KEYS, at);
        AttributePath path = AttributePath.parse(string(c, "attribute", at), at + ".attribute");
        ValueMode mode = valueMode(c, at);
        boolean ci = c.containsKey("caseInsensitive") && c.getBoolean("caseInsensitive", false);
        List<String> ops = c.keySet().stream().filter(OPERATORS::contains).toList();
        if (ops.isEmpty()) {
            throw new QueryException(at, "no operator: use one of " + String.join(", ", new java.util.TreeSet<>(OPERATORS)));
        }
        boolean rangePair = ops.stream().allMatch(o -> Set.of("lt", "lte", "gt", "gte").contains(o)) && ops.size() == 2
                && (ops.contains("lt") || ops.contains("lte")) && (ops.contains("gt") || ops.contains("gte"));
        if (ops.size() > 1 && !rangePair) {
            throw new QueryException(at, "one operator per condition (found " + String.join(", ", ops)
                    + "); combine conditions with \"and\"");
        }
        if (c.containsKey("tolerance") && !c.containsKey("near")) {
            throw new QueryException(at + ".tolerance", "goes with \"near\"");
        }
        Predicate predicate = predicate(c, ops, path, ci, at);
        return new Condition.Test(path, mode, predicate);
    }

    private static Predicate predicate(JsonObject c, List<String> ops, AttributePath path, boolean ci, String at) {
        String op = ops.get(0);
        if (ops.size() == 2) {
            String lowerOp = ops.contains("gt") ? "gt" : "gte";
            String upperOp = ops.contains("lt") ? "lt" : "lte";
            Object lower = ordered(c.get(lowerOp), path, at + "." + lowerOp);
            Object upper = ordered(c.get(upperOp), path, at + "." + upperOp);
            sameKind(lower, upper, at + "." + upperOp);
            return new Predicate.Range(lower, lowerOp.equals("gte"), upper, upperOp.equals("lte"));
        }
        return switch (op) {
            case "equals" -> new Predicate.Equals(value(c.get(op), path, at + "." + op), ci);
            case "in" -> {
                if (c.get(op).getValueType() != JsonValue.ValueType.ARRAY || c.getJsonArray(op).isEmpty()) {
                    throw new QueryException(at + ".in", "must be a non-empty array of values");
                }
                List<Object> values = new ArrayList<>();
                JsonArray a = c.getJsonArray(op);
                for (int i = 0; i < a.size(); i++) {
                    values.add(value(a.get(i), path, at + ".in[" + i + "]"));
                }
                yield new Predicate.In(values, ci);
            }
            case "lt" -> new Predicate.Range(null, false, ordered(c.get(op), path, at + ".lt"), false);
            case "lte" -> new Predicate.Range(null, false, ordered(c.get(op), path, at + ".lte"), true);
            case "gt" -> new Predicate.Range(ordered(c.get(op), path, at + ".gt"), false, null, false);
            case "gte" -> new Predicate.Range(ordered(c.get(op), path, at + ".gte"), true, null, false);
            case "range" -> {
                if (c.get(op).getValueType() != JsonValue.ValueType.ARRAY || c.getJsonArray(op).size() != 2) {
                    throw new QueryException(at + ".range", "must be [from, to] (both included)");
                }
                Object lo = ordered(c.getJsonArray(op).get(0), path, at + ".range[0]");
                Object hi = ordered(c.getJsonArray(op).get(1), path, at + ".range[1]");
                sameKind(lo, hi, at + ".range[1]");
                if (compare(lo, hi) > 0) {
                    throw new QueryException(at + ".range", "from is greater than to");
                }
                yield new Predicate.Range(lo, true, hi, true);
            }
            case "near" -> {
                if (!path.numeric()) {
                    throw new QueryException(at + ".near", "needs a numeric attribute; " + path.text() + " is " + vrName(path));
                }
                BigDecimal center = number(c.get("near"), at + ".near");
                BigDecimal tolerance = c.containsKey("tolerance") ? number(c.get("tolerance"), at + ".tolerance")
                        : BigDecimal.ZERO;
                if (tolerance.signum() < 0) {
                    throw new QueryException(at + ".tolerance", "must not be negative");
                }
                yield Predicate.near(center, tolerance);
            }
            case "matches" -> {
                if (path.numeric()) {
                    throw new QueryException(at + ".matches", "wildcards need a text attribute; " + path.text()
                            + " is " + vrName(path) + " (use equals, range or near)");
                }
                if (c.get(op).getValueType() != JsonValue.ValueType.STRING) {
                    throw new QueryException(at + ".matches", "must be a string with * and ? wildcards");
                }
                String w = c.getString(op);
                yield new Predicate.Matches(w, Wildcard.of(w, ci));
            }
            case "exists" -> {
                if (c.get(op) != JsonValue.TRUE && c.get(op) != JsonValue.FALSE) {
                    throw new QueryException(at + ".exists", "must be true or false");
                }
                yield new Predicate.Exists(c.getBoolean(op));
            }
            default -> throw new QueryException(at, "unknown operator " + op);
        };
    }

    private static ValueMode valueMode(JsonObject c, String at) {
        if (!c.containsKey("values")) {
            return ValueMode.ANY;
        }
        JsonValue v = c.get("values");
        if (v.getValueType() == JsonValue.ValueType.STRING) {
            switch (((JsonString) v).getString()) {
                case "any":
                    return ValueMode.ANY;
                case "every":
                    return ValueMode.EVERY;
                default:
                    break;
            }
        } else if (v.getValueType() == JsonValue.ValueType.NUMBER && ((JsonNumber) v).isIntegral()
                && ((JsonNumber) v).bigDecimalValue().compareTo(BigDecimal.ONE) >= 0
                && ((JsonNumber) v).bigDecimalValue().compareTo(BigDecimal.valueOf(10_000)) <= 0) {
            return new ValueMode(ValueMode.Kind.INDEX, ((JsonNumber) v).intValue());
        }
        throw new QueryException(at + ".values", "must be \"any\", \"every\", or a value number k >= 1 "
                + "(PixelSpacing's 1 is the row spacing, 2 the column spacing)");
    }

    /** A value to compare for equality: a number for numeric attributes, otherwise text. */
    private static Object value(JsonValue v, AttributePath path, String at) {
        if (path.numeric() || (path.vr().isEmpty() && v.getValueType() == JsonValue.ValueType.NUMBER)) {
            return number(v, at);
        }
        if (v.getValueType() != JsonValue.ValueType.STRING) {
            throw new QueryException(at, "must be a string: " + path.text() + " is " + vrName(path));
        }
        return normalised(((JsonString) v).getString(), path, at);
    }

    /** A value with an order: numbers, or DA/TM/DT/text. */
    private static Object ordered(JsonValue v, AttributePath path, String at) {
        return value(v, path, at);
    }

    private static BigDecimal number(JsonValue v, String at) {
        if (v.getValueType() != JsonValue.ValueType.NUMBER) {
            throw new QueryException(at, "must be a number");
        }
        return ((JsonNumber) v).bigDecimalValue();
    }

    /** Dates as YYYYMMDD, times as HHMMSS.FFFFFF: hyphens and colons accepted and removed. */
    static String normalised(String s, AttributePath path, String at) {
        switch (path.vr()) {
            case "DA": {
                String d = s.replace("-", "");
                if (!d.matches("\\d{8}")) {
                    throw new QueryException(at, "a date is YYYYMMDD (or YYYY-MM-DD): '" + AttributePath.clip(s) + "'");
                }
                return d;
            }
            case "TM": {
                String t = s.replace(":", "");
                if (!t.matches("\\d{2}(\\d{2}(\\d{2}(\\.\\d{1,6})?)?)?")) {
                    throw new QueryException(at, "a time is HHMMSS[.FFFFFF] (or HH:MM:SS): '" + AttributePath.clip(s) + "'");
                }
                return t;
            }
            case "DT": {
                // "2024-01-31T10:15:00-0500": separators out, the UTC offset's sign kept
                String t = s.replaceFirst("^(\\d{4})-(\\d{2})-(\\d{2})", "$1$2$3").replace(":", "").replace("T", "");
                if (!t.matches("\\d{4,14}(\\.\\d{1,6})?([+-]\\d{4})?")) {
                    throw new QueryException(at, "a date-time is YYYYMMDDHHMMSS[.FFFFFF][&ZZXX]: '" + AttributePath.clip(s) + "'");
                }
                return t;
            }
            default:
                return s;
        }
    }

    private static void sameKind(Object a, Object b, String at) {
        if (a.getClass() != b.getClass()) {
            throw new QueryException(at, "both bounds must be numbers, or both text");
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    public static int compare(Object a, Object b) {
        return ((Comparable) a).compareTo(b);
    }

    private static List<JsonObject> objects(JsonObject q, String key) {
        if (!q.containsKey(key)) {
            return List.of();
        }
        if (q.get(key).getValueType() != JsonValue.ValueType.ARRAY) {
            throw new QueryException(key, "must be an array of objects");
        }
        List<JsonObject> out = new ArrayList<>();
        JsonArray a = q.getJsonArray(key);
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i).getValueType() != JsonValue.ValueType.OBJECT) {
                throw new QueryException(key + "[" + i + "]", "must be an object");
            }
            out.add(a.getJsonObject(i));
        }
        return out;
    }

    private static String string(JsonObject o, String key, String at) {
        if (!o.containsKey(key) || o.get(key).getValueType() != JsonValue.ValueType.STRING) {
            throw new QueryException(at + "." + key, "a string is required");
        }
        return o.getString(key);
    }

    private static int integer(JsonValue v, String at) {
        if (v.getValueType() != JsonValue.ValueType.NUMBER || !((JsonNumber) v).isIntegral()) {
            throw new QueryException(at, "must be a whole number");
        }
        BigDecimal n = ((JsonNumber) v).bigDecimalValue();
        if (n.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0 || n.compareTo(BigDecimal.valueOf(Integer.MIN_VALUE)) < 0) {
            throw new QueryException(at, "is out of range");
        }
        return n.intValueExact();
    }

    private static void unknownKeys(JsonObject o, Set<String> allowed, String at) {
        for (String k : o.keySet()) {
            if (!allowed.contains(k)) {
                throw new QueryException(at + "." + AttributePath.clip(k), "unknown key; allowed here: "
                        + String.join(", ", new java.util.TreeSet<>(allowed)));
            }
        }
    }

    private static String vrName(AttributePath p) {
        return p.vr().isEmpty() ? "of unknown type" : "of VR " + p.vr().toUpperCase(Locale.ROOT);
    }
}
