package org.dicomsidecar.query;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.dicomsidecar.query.Condition.Predicate;

/**
 * Decides conditions on DICOM JSON. On an instance's full dataset the answer is true or false. On a
 * series' shared attributes it may be unknown: an attribute whose value differs between the series'
 * instances is not in the summary, so only the instances can decide.
 */
public final class ConditionEvaluator {

    public enum Truth {
        TRUE, FALSE, UNKNOWN;

        static Truth of(boolean b) {
            return b ? TRUE : FALSE;
        }
    }

    private ConditionEvaluator() {
    }

    /** On a complete dataset (an instance). */
    public static boolean matches(Condition c, JsonObject dataset) {
        return evaluate(c, dataset, Set.of()) == Truth.TRUE;
    }

    /**
     * On a summary dataset.
     *
     * @param varying top-level tags that differ between the instances summarised (absent from the summary)
     */
    public static Truth evaluate(Condition c, JsonObject dataset, Set<String> varying) {
        if (c instanceof Condition.All) {
            return Truth.TRUE;
        } else if (c instanceof Condition.And and) {
            Truth result = Truth.TRUE;
            for (Condition part : and.all()) {
                Truth t = evaluate(part, dataset, varying);
                if (t == Truth.FALSE) {
                    return Truth.FALSE;
                }
                if (t == Truth.UNKNOWN) {
                    result = Truth.UNKNOWN;
                }
            }
            return result;
        } else if (c instanceof Condition.Or or) {
            Truth result = Truth.FALSE;
            for (Condition part : or.any()) {
                Truth t = evaluate(part, dataset, varying);
                if (t == Truth.TRUE) {
                    return Truth.TRUE;
                }
                if (t == Truth.UNKNOWN) {
                    result = Truth.UNKNOWN;
                }
            }
            return result;
        } else if (c instanceof Condition.Not not) {
            Truth t = evaluate(not.negated(), dataset, varying);
            return t == Truth.UNKNOWN ? Truth.UNKNOWN : Truth.of(t == Truth.FALSE);
        } else if (c instanceof Condition.Test test) {
            if (varying.contains(test.path().tags().get(0))) {
                return Truth.UNKNOWN;
            }
            return Truth.of(test(test, values(dataset, test.path())));
        }
        throw new IllegalArgumentException("unknown condition " + c);
    }

    private static boolean test(Condition.Test t, List<Object> values) {
        if (t.predicate() instanceof Predicate.Exists exists) {
            boolean present = switch (t.mode().kind()) {
                case INDEX -> t.mode().index() <= values.size() && values.get(t.mode().index() - 1) != null;
                default -> values.stream().anyMatch(v -> v != null);
            };
            return present == exists.present();
        }
        return switch (t.mode().kind()) {
            case ANY -> values.stream().anyMatch(v -> v != null && accepts(t.predicate(), v, t.path()));
            case EVERY -> !values.isEmpty() && values.stream().allMatch(v -> v != null && accepts(t.predicate(), v, t.path()));
            case INDEX -> t.mode().index() <= values.size() && values.get(t.mode().index() - 1) != null
                    && accepts(t.predicate(), values.get(t.mode().index() - 1), t.path());
        };
    }

    static boolean accepts(Predicate p, Object value, AttributePath path) {
        if (p instanceof Predicate.Equals eq) {
            return same(value, eq.value(), eq.caseInsensitive());
        } else if (p instanceof Predicate.In in) {
            return in.values().stream().anyMatch(x -> same(value, x, in.caseInsensitive()));
        } else if (p instanceof Predicate.Range r) {
            if ((r.lower() != null && !comparable(value, r.lower())) || (r.upper() != null && !comparable(value, r.upper()))) {
                return false;
            }
            if (r.lower() != null) {
                int c = CohortQueryParser.compare(value, r.lower());
                if (c < 0 || (c == 0 && !r.lowerInclusive())) {
                    return false;
                }
            }
            if (r.upper() != null) {
                int c = CohortQueryParser.compare(value, r.upper());
                return c < 0 || (c == 0 && r.upperInclusive());
            }
            return true;
        } else if (p instanceof Predicate.Matches m) {
            return value instanceof String s && m.matcher().matches(s);
        }
        return false;
    }

    private static boolean same(Object value, Object expected, boolean caseInsensitive) {
        if (value instanceof BigDecimal a && expected instanceof BigDecimal b) {
            return a.compareTo(b) == 0;
        }
        if (value instanceof String a && expected instanceof String b) {
            return caseInsensitive ? a.equalsIgnoreCase(b) : a.equals(b);
        }
        return false;
    }

    private static boolean comparable(Object a, Object b) {
        return (a instanceof BigDecimal && b instanceof BigDecimal) || (a instanceof String && b instanceof String);
    }

    /**
     * The values of an attribute, through sequences (every item of every sequence on the path): numbers as
     * BigDecimal (also DS/IS written as strings), person names as their Alphabetic form, dates and times
     * without separators, everything else as text; an empty value is null.
     */
    public static List<Object> values(JsonObject dataset, AttributePath path) {
        List<JsonObject> level = List.of(dataset);
        List<String> tags = path.tags();
        for (int i = 0; i < tags.size() - 1; i++) {
            List<JsonObject> items = new ArrayList<>();
            for (JsonObject d : level) {
                for (JsonValue item : valueArray(d, tags.get(i))) {
                    if (item.getValueType() == JsonValue.ValueType.OBJECT) {
                        items.add(item.asJsonObject());
                    }
                }
            }
            level = items;
        }
        String leaf = path.leaf();
        List<Object> out = new ArrayList<>();
        for (JsonObject d : level) {
            // a private or unknown tag: the element's own VR says how to read it
            AttributePath typed = path.vr().isEmpty() ? withVr(path, elementVr(d, leaf)) : path;
            for (JsonValue v : valueArray(d, leaf)) {
                out.add(scalar(v, typed));
            }
        }
        return out;
    }

    private static String elementVr(JsonObject dataset, String tag) {
        JsonValue element = dataset.get(tag);
        return element != null && element.getValueType() == JsonValue.ValueType.OBJECT
                ? element.asJsonObject().getString("vr", "") : "";
    }

    private static AttributePath withVr(AttributePath path, String vr) {
        return vr.isEmpty() ? path : new AttributePath(path.tags(), vr, path.text());
    }

    private static JsonArray valueArray(JsonObject dataset, String tag) {
        JsonValue element = dataset.get(tag);
        if (element == null || element.getValueType() != JsonValue.ValueType.OBJECT) {
            return JsonValue.EMPTY_JSON_ARRAY;
        }
        JsonValue value = element.asJsonObject().get("Value");
        return value != null && value.getValueType() == JsonValue.ValueType.ARRAY ? value.asJsonArray()
                : JsonValue.EMPTY_JSON_ARRAY;
    }

    private static Object scalar(JsonValue v, AttributePath path) {
        switch (v.getValueType()) {
            case NUMBER:
                return ((JsonNumber) v).bigDecimalValue();
            case STRING: {
                String s = ((JsonString) v).getString();
                if (path.numeric()) {
                    try {
                        return new BigDecimal(s.trim());
                    } catch (NumberFormatException e) {
                        return s;
                    }
                }
                return switch (path.vr()) {
                    case "DA" -> s.replace("-", "").trim();
                    case "TM" -> s.replace(":", "").trim();
                    case "DT" -> s.trim(); // DICOM DT has no separators; a '-' is a UTC offset's sign
                    default -> s;
                };
            }
            case OBJECT: {
                JsonObject o = v.asJsonObject();
                return o.containsKey("Alphabetic") ? o.getString("Alphabetic", null) : null;
            }
            default:
                return null;
        }
    }
}
