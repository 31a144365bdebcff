package org.dicomsidecar.index;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.SortedNumericDocValuesField;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexOrDocValuesQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermRangeQuery;
import org.apache.lucene.search.WildcardQuery;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.NumericUtils;
import org.apache.lucene.util.automaton.TooComplexToDeterminizeException;
import org.dicomsidecar.query.AttributePath;
import org.dicomsidecar.query.Condition;
import org.dicomsidecar.query.Condition.Predicate;
import org.dicomsidecar.query.Wildcard;

/**
 * A cohort condition as two Lucene queries that bound it: every document of {@link Bounds#lower()} satisfies the
 * condition (as {@code ConditionEvaluator} decides it), and every document that satisfies it is in
 * {@link Bounds#upper()}. Where the index can decide a test exactly the bounds are equal; where it cannot (the
 * k-th value of a multi-valued attribute, every value compared with text, an operand longer than a keyword term,
 * text compared with a private tag, whose element may hold a number, or the presence of one) the test's lower bound
 * is empty and its upper bound is what any match must have, so the caller evaluates only the difference. Every
 * value compared with numbers is decided: some number passes, none fails, and no value there is anything but a
 * number. A wildcard is decided exactly except on the documents whose value there was cut to a keyword term's
 * length, which lie between.
 * <p>
 * On series documents (shared attributes only) a test of a tag that varies within a series is undecided for that
 * series: it is outside the lower bound and inside the upper one, as the evaluator's "unknown".
 */
public final class ConditionQueries {

    /** Documents that surely match, and documents that may match (a superset of the matches). */
    public record Bounds(Query lower, Query upper) {
        public boolean exact() {
            return lower.equals(upper);
        }
    }

    private static final Query ALL = new MatchAllDocsQuery();
    private static final Query NONE = new MatchNoDocsQuery();

    private ConditionQueries() {
    }

    /** Bounds over series documents, whose attributes are those the series' instances share. */
    public static Bounds onSeries(Condition c) {
        return bounds(c, true);
    }

    /** Bounds over instance documents (each a whole dataset). */
    public static Bounds onInstances(Condition c) {
        return bounds(c, false);
    }

    private static Bounds bounds(Condition c, boolean summary) {
        if (c instanceof Condition.All) {
            return new Bounds(ALL, ALL);
        } else if (c instanceof Condition.And and) {
            List<Query> lower = new ArrayList<>();
            List<Query> upper = new ArrayList<>();
            for (Condition part : and.all()) {
                Bounds b = bounds(part, summary);
                lower.add(b.lower());
                upper.add(b.upper());
            }
            return new Bounds(all(lower), all(upper));
        } else if (c instanceof Condition.Or or) {
            List<Query> lower = new ArrayList<>();
            List<Query> upper = new ArrayList<>();
            for (Condition part : or.any()) {
                Bounds b = bounds(part, summary);
                lower.add(b.lower());
                upper.add(b.upper());
            }
            return new Bounds(any(lower), any(upper));
        } else if (c instanceof Condition.Not not) {
            Bounds b = bounds(not.negated(), summary);
            return new Bounds(not(b.upper()), not(b.lower()));
        } else if (c instanceof Condition.Test test) {
            Bounds b = testBounds(test);
            if (!summary) {
                return b;
            }
            Query varying = new TermQuery(new Term(IndexFields.VARYING, test.path().tags().get(0)));
            return new Bounds(all(List.of(b.lower(), not(varying))), any(List.of(b.upper(), varying)));
        }
        throw new IllegalArgumentException("unknown condition " + c);
    }

    /**
     * One test's bounds. A wildcard is decided by the keyword terms except on documents whose value there was cut
     * at {@link IndexFields#MAX_TERM_BYTES}: those are left between the bounds.
     */
    private static Bounds testBounds(Condition.Test t) {
        Query exact = exact(t);
        if (exact == null) {
            Query every = everyNumber(t);
            if (every != null) {
                return new Bounds(every, every);
            }
            return new Bounds(NONE, superset(t));
        }
        Query capped = capped(t.predicate(), t.path());
        return capped == null ? new Bounds(exact, exact)
                : new Bounds(all(List.of(exact, not(capped))), any(List.of(exact, capped)));
    }

    /** The documents where the test holds (a wildcard's: or where a value was cut), or null when it cannot say. */
    static Query exact(Condition.Test t) {
        AttributePath path = t.path();
        if (t.predicate() instanceof Predicate.Exists exists) {
            if (t.mode().kind() == Condition.ValueMode.Kind.INDEX || untyped(path)) {
                return null; // an untyped element's items, or names without an Alphabetic group, are no values
            }
            Query present = present(path);
            return exists.present() ? present : not(present);
        }
        if (t.mode().kind() != Condition.ValueMode.Kind.ANY || (untyped(path) && textOperand(t.predicate()))) {
            return null; // an untyped element's own VR may make its text a number, which no text equals
        }
        return any(t.predicate(), path);
    }

    /**
     * For a test of every value against numbers (a range, or equality with a number): the documents with a number
     * that passes, none that fails, and no value position that is no number there ({@link IndexFields#MIXED}),
     * which no numeric test passes. Null for any other test.
     */
    private static Query everyNumber(Condition.Test t) {
        if (t.mode().kind() != Condition.ValueMode.Kind.EVERY) {
            return null;
        }
        Query some = any(t.predicate(), t.path());
        Query failing = outside(t.predicate(), t.path());
        if (some == null || failing == null) {
            return null;
        }
        Query mixed = new TermQuery(new Term(IndexFields.MIXED, IndexFields.path(t.path().tags())));
        return all(List.of(some, not(any(List.of(failing, mixed)))));
    }

    /** The documents with a number that fails a numeric predicate; null for a predicate of another kind. */
    private static Query outside(Predicate p, AttributePath path) {
        String field = field(path, IndexFields.NUM);
        if (p instanceof Predicate.Equals eq && eq.value() instanceof BigDecimal number) {
            double d = number.doubleValue();
            return Double.isFinite(d) ? any(List.of(numbers(field, Double.NEGATIVE_INFINITY, Math.nextDown(d)),
                    numbers(field, Math.nextUp(d), Double.POSITIVE_INFINITY)))
                    : null;
        }
        if (p instanceof Predicate.Range r && (r.lower() == null || r.lower() instanceof BigDecimal)
                && (r.upper() == null || r.upper() instanceof BigDecimal) && (r.lower() != null || r.upper() != null)) {
            List<Query> out = new ArrayList<>();
            if (r.lower() != null) {
                double lo = ((BigDecimal) r.lower()).doubleValue();
                if (!Double.isFinite(lo)) {
                    return null;
                }
                out.add(numbers(field, Double.NEGATIVE_INFINITY,
                        r.lowerInclusive() ? Math.nextDown(lo) : lo));
            }
            if (r.upper() != null) {
                double hi = ((BigDecimal) r.upper()).doubleValue();
                if (!Double.isFinite(hi)) {
                    return null;
                }
                out.add(numbers(field, r.upperInclusive() ? Math.nextUp(hi) : hi,
                        Double.POSITIVE_INFINITY));
            }
            return any(out);
        }
        return null;
    }

    /** What any document where the test holds has: a value that may pass, or a value of the path. */
    private static Query superset(Condition.Test t) {
        if (t.predicate() instanceof Predicate.Exists exists && !exists.present()) {
            return ALL;
        }
        if (!(t.predicate() instanceof Predicate.Exists)) {
            Query any = any(t.predicate(), t.path()); // the k-th or every value passing means some value passes
            if (any != null) {
                Query capped = capped(t.predicate(), t.path());
                return capped == null ? any : any(List.of(any, capped));
            }
        }
        return new TermQuery(new Term(IndexFields.TAGS, IndexFields.path(t.path().tags())));
    }

    /** A private or unknown tag: the query does not know its VR, the evaluator reads each element's own. */
    private static boolean untyped(AttributePath path) {
        return path.vr().isEmpty();
    }

    private static boolean textOperand(Predicate p) {
        if (p instanceof Predicate.Equals eq) {
            return eq.value() instanceof String;
        } else if (p instanceof Predicate.In in) {
            return in.values().stream().anyMatch(v -> v instanceof String);
        } else if (p instanceof Predicate.Range r) {
            return r.lower() instanceof String || r.upper() instanceof String;
        }
        return p instanceof Predicate.Matches;
    }

    /** For a wildcard: the documents whose value at its field was cut (the cut term may pass where the value does not). */
    private static Query capped(Predicate p, AttributePath path) {
        if (p instanceof Predicate.Matches m && m.matcher() instanceof Wildcard w) {
            return new TermQuery(new Term(IndexFields.CAPPED, field(path, w.caseInsensitive() ? IndexFields.FOLD
                    : IndexFields.EXACT)));
        }
        return null;
    }

    /** A value of the path is present as the evaluator reads values (a person name by its Alphabetic group). */
    private static Query present(AttributePath path) {
        if (path.personName()) {
            return new TermRangeQuery(field(path, IndexFields.EXACT), null, null, true, true);
        }
        return new TermQuery(new Term(IndexFields.TAGS, IndexFields.path(path.tags())));
    }

    /** Some value of the path satisfies the predicate; null where the index cannot decide it exactly. */
    private static Query any(Predicate p, AttributePath path) {
        if (p instanceof Predicate.Equals eq) {
            return equal(path, eq.value(), eq.caseInsensitive());
        } else if (p instanceof Predicate.In in) {
            return in(path, in.values(), in.caseInsensitive());
        } else if (p instanceof Predicate.Range r) {
            return range(path, r);
        } else if (p instanceof Predicate.Matches m) {
            return matches(path, m);
        }
        return null;
    }

    private static Query equal(AttributePath path, Object value, boolean caseInsensitive) {
        if (value instanceof BigDecimal number) {
            double d = number.doubleValue();
            return Double.isFinite(d) ? numbers(field(path, IndexFields.NUM), d, d) : null;
        }
        String text = keyword(path, value, caseInsensitive);
        return text == null ? null : new TermQuery(new Term(field(path, caseInsensitive ? IndexFields.FOLD
                : IndexFields.EXACT), text));
    }

    private static Query in(AttributePath path, List<Object> values, boolean caseInsensitive) {
        if (values.stream().allMatch(v -> v instanceof BigDecimal)) {
            double[] numbers = new double[values.size()];
            for (int i = 0; i < numbers.length; i++) {
                numbers[i] = ((BigDecimal) values.get(i)).doubleValue();
                if (!Double.isFinite(numbers[i])) {
                    return null;
                }
            }
            long[] sortable = new long[numbers.length];
            for (int i = 0; i < numbers.length; i++) {
                sortable[i] = NumericUtils.doubleToSortableLong(numbers[i]);
            }
            String field = field(path, IndexFields.NUM);
            return new IndexOrDocValuesQuery(DoublePoint.newSetQuery(field, numbers),
                    SortedNumericDocValuesField.newSlowSetQuery(field, sortable));
        }
        List<BytesRef> terms = new ArrayList<>();
        for (Object v : values) {
            String text = keyword(path, v, caseInsensitive);
            if (text == null) {
                return null;
            }
            terms.add(new BytesRef(text));
        }
        return new TermInSetQuery(field(path, caseInsensitive ? IndexFields.FOLD : IndexFields.EXACT), terms);
    }

    /** A text operand as the keyword fields hold it; null when they cannot decide it (see the class comment). */
    private static String keyword(AttributePath path, Object value, boolean caseInsensitive) {
        if (!(value instanceof String s) || path.numeric()) {
            return null; // a numeric attribute's text equals only values that are not numbers
        }
        String term = caseInsensitive ? IndexFields.fold(s) : s;
        return neverCut(term) ? term : null;
    }

    /**
     * Whether no cut value can equal this text: a value is cut at MAX_TERM_BYTES, never inside a code point (at
     * most 4 bytes), so every cut term is longer than this.
     */
    private static boolean neverCut(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length <= IndexFields.MAX_TERM_BYTES - 4;
    }

    private static Query range(AttributePath path, Predicate.Range r) {
        Object bound = r.lower() != null ? r.lower() : r.upper();
        if (bound instanceof BigDecimal) {
            double lo = r.lower() == null ? Double.NEGATIVE_INFINITY : ((BigDecimal) r.lower()).doubleValue();
            double hi = r.upper() == null ? Double.POSITIVE_INFINITY : ((BigDecimal) r.upper()).doubleValue();
            if ((r.lower() != null && !Double.isFinite(lo)) || (r.upper() != null && !Double.isFinite(hi))) {
                return null; // numbers beyond a double's range are points at an infinity: the index cannot order them
            }
            if (r.lower() != null && !r.lowerInclusive()) {
                lo = Math.nextUp(lo);
            }
            if (r.upper() != null && !r.upperInclusive()) {
                hi = Math.nextDown(hi);
            }
            return numbers(field(path, IndexFields.NUM), lo, hi);
        }
        // a cut value compares with a bound no cut value can equal as the whole value does
        if (bound instanceof String && !path.numeric() && (r.lower() == null || neverCut((String) r.lower()))
                && (r.upper() == null || neverCut((String) r.upper()))) {
            try {
                return new TermRangeQuery(field(path, IndexFields.EXACT),
                        r.lower() == null ? null : new BytesRef((String) r.lower()),
                        r.upper() == null ? null : new BytesRef((String) r.upper()), r.lowerInclusive(),
                        r.upperInclusive());
            } catch (IllegalArgumentException e) {
                return null; // Lucene refuses the automaton of a long bound: the evaluator decides
            }
        }
        return null;
    }

    private static Query matches(AttributePath path, Predicate.Matches m) {
        String word = Wildcard.nameComponentPrefixWord(m.matcher());
        if (word != null) {
            if (word.isEmpty()) {
                return new TermRangeQuery(field(path, IndexFields.EXACT), null, null, true, true); // every name
            }
            // words never hold a separator: a word with one would span components
            return word.chars().anyMatch(ch -> ch == '^' || ch == ' ' || ch == '=') ? null
                    : new PrefixQuery(new Term(field(path, IndexFields.WORDS), IndexFields.fold(word)));
        }
        if (m.matcher() instanceof Wildcard w) {
            String pattern = w.caseInsensitive() ? IndexFields.fold(w.pattern()) : w.pattern();
            try {
                // DICOM has only * and ?, which Lucene reads alike; its escape character must be escaped
                return new WildcardQuery(new Term(field(path, w.caseInsensitive() ? IndexFields.FOLD
                        : IndexFields.EXACT), pattern.replace("\\", "\\\\")));
            } catch (TooComplexToDeterminizeException | IllegalArgumentException e) {
                return null;
            }
        }
        return null;
    }

    /**
     * Documents with a number in [lo, hi] at a {@code .num} field: by its points where they lead, by its doc values
     * where another clause (the series documents, a modality) has already narrowed the documents to few, so that a
     * range over series documents does not visit every instance's points.
     */
    private static Query numbers(String field, double lo, double hi) {
        return new IndexOrDocValuesQuery(DoublePoint.newRangeQuery(field, lo, hi),
                SortedNumericDocValuesField.newSlowRangeQuery(field, NumericUtils.doubleToSortableLong(lo),
                        NumericUtils.doubleToSortableLong(hi)));
    }

    private static String field(AttributePath path, String suffix) {
        return IndexFields.field(path.tags(), suffix);
    }

    private static Query all(List<Query> parts) {
        if (parts.stream().anyMatch(q -> q instanceof MatchNoDocsQuery)) {
            return NONE;
        }
        List<Query> useful = parts.stream().filter(q -> !(q instanceof MatchAllDocsQuery)).toList();
        if (useful.isEmpty()) {
            return ALL;
        }
        if (useful.size() == 1) {
            return useful.get(0);
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        useful.forEach(q -> b.add(q, Occur.FILTER));
        return b.build();
    }

    private static Query any(List<Query> parts) {
        if (parts.stream().anyMatch(q -> q instanceof MatchAllDocsQuery)) {
            return ALL;
        }
        List<Query> useful = parts.stream().filter(q -> !(q instanceof MatchNoDocsQuery)).toList();
        if (useful.isEmpty()) {
            return NONE;
        }
        if (useful.size() == 1) {
            return useful.get(0);
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        useful.forEach(q -> b.add(q, Occur.SHOULD));
        return b.setMinimumNumberShouldMatch(1).build();
    }

    private static Query not(Query q) {
        if (q instanceof MatchAllDocsQuery) {
            return NONE;
        }
        if (q instanceof MatchNoDocsQuery) {
            return ALL;
        }
        return new BooleanQuery.Builder().add(ALL, Occur.FILTER).add(q, Occur.MUST_NOT).build();
    }
}
