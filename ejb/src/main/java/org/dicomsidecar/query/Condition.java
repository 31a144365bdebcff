package org.dicomsidecar.query;

import java.math.BigDecimal;
import java.util.List;

/** A cohort condition: a test of one attribute, or a combination of conditions. */
public sealed interface Condition {

    record And(List<Condition> all) implements Condition {
    }

    record Or(List<Condition> any) implements Condition {
    }

    record Not(Condition negated) implements Condition {
    }

    /** Matches everything (a query without "where"). */
    record All() implements Condition {
    }

    /**
     * A test of one attribute's values.
     *
     * @param path      the attribute
     * @param mode      which values must pass: any of them, every one, or the k-th (1-based)
     * @param predicate what a value must satisfy (or, for {@link Predicate.Exists}, whether there is one)
     */
    record Test(AttributePath path, ValueMode mode, Predicate predicate) implements Condition {
    }

    /** Which of a multi-valued attribute's values (PixelSpacing has two) a test looks at. */
    record ValueMode(Kind kind, int index) {
        public enum Kind { ANY, EVERY, INDEX }

        public static final ValueMode ANY = new ValueMode(Kind.ANY, 0);
        public static final ValueMode EVERY = new ValueMode(Kind.EVERY, 0);
    }

    /** What one value must satisfy. Numbers are BigDecimal; dates, times and text are strings. */
    sealed interface Predicate {
        record Equals(Object value, boolean caseInsensitive) implements Predicate {
        }

        record In(List<Object> values, boolean caseInsensitive) implements Predicate {
        }

        /** Bounds may be null (open). Numbers compare numerically, DA/TM/DT as normalised text. */
        record Range(Object lower, boolean lowerInclusive, Object upper, boolean upperInclusive) implements Predicate {
        }

        /** A wildcard (or, in QIDO-RS fuzzy matching, a name word) and how it is matched: never a regex. */
        record Matches(String wildcard, TextMatcher matcher) implements Predicate {
        }

        record Exists(boolean present) implements Predicate {
        }

        /** Convenience for "near": a closed range around a number. */
        static Range near(BigDecimal center, BigDecimal tolerance) {
            return new Range(center.subtract(tolerance), true, center.add(tolerance), true);
        }
    }
}
