package org.dicomsidecar.index;

import java.math.BigDecimal;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.SortedNumericDocValuesField;
import org.apache.lucene.document.SortedSetDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.NumericUtils;

/** The Lucene fields of one value of one attribute path (names from {@link IndexFields}). */
final class AttributeFields {

    /** Compared as numbers, as AttributePath has it (XS: US or SS in the dictionary). */
    private static final Set<String> NUMERIC = Set.of("DS", "IS", "FL", "FD", "SL", "SS", "UL", "US", "SV", "UV", "XS");
    /** Short, code-like values where a facet (value counts, sorting) pays for its doc values. */
    private static final Set<String> FACETED = Set.of("AE", "AS", "CS", "SH", "LO");

    private AttributeFields() {
    }

    /**
     * A value written as a JSON string, read as its VR says; a malformed number or date stays text only.
     *
     * @return whether it was indexed as a (finite) number
     */
    static boolean string(Document doc, FieldNames path, String vr, String value) {
        switch (vr) {
            case "DA" -> {
                text(doc, path, vr, value.replace("-", "").trim());
                TemporalValues.date(value).ifPresent(v -> point(doc, path.date, v));
            }
            case "TM" -> {
                text(doc, path, vr, value.replace(":", "").trim());
                TemporalValues.time(value).ifPresent(v -> point(doc, path.time, v));
            }
            case "DT" -> {
                text(doc, path, vr, value.trim());
                TemporalValues.dateTime(value).ifPresent(v ->
                        point(doc, path.datetime, v));
            }
            case "PN" -> alphabetic(doc, path, value);
            default -> {
                text(doc, path, vr, value);
                if (NUMERIC.contains(vr)) {
                    return number(doc, path, value.trim());
                }
            }
        }
        return false;
    }

    /**
     * A value written as a JSON number: the number, and its text as JSON wrote it for a numeric VR (exact SV/UV).
     * In a text VR no text, only a facet as value counts name a number: the evaluator reads a number there,
     * which no text equals, matches or orders with.
     *
     * @return true: it was indexed as a number
     */
    static boolean number(Document doc, FieldNames path, String vr, BigDecimal value) {
        if (NUMERIC.contains(vr)) {
            text(doc, path, vr, value.toString());
        } else {
            String text = value.stripTrailingZeros().toPlainString();
            if (FACETED.contains(vr) && text.length() <= IndexFields.MAX_FACET_CHARS) {
                doc.add(new SortedSetDocValuesField(path.facet, new BytesRef(text)));
            }
        }
        return number(doc, path, value);
    }

    /** The Alphabetic group of a person name: the whole name, its components and its words. */
    static void alphabetic(Document doc, FieldNames path, String name) {
        text(doc, path, "PN", name);
        PersonName parts = PersonName.parse(name.split("=", -1)[0]);
        component(doc, path.family, parts.family());
        component(doc, path.given, parts.given());
        component(doc, path.middle, parts.middle());
        component(doc, path.prefix, parts.prefix());
        component(doc, path.suffix, parts.suffix());
        PersonName.words(name).forEach(w -> component(doc, path.words, w));
    }

    /** The Ideographic or Phonetic group: exact only. */
    static void group(Document doc, String field, String group) {
        keyword(doc, field, group);
    }

    private static void text(Document doc, FieldNames path, String vr, String value) {
        keyword(doc, path.exact, value);
        keyword(doc, path.fold, IndexFields.fold(value));
        if (FACETED.contains(vr) && !value.isEmpty() && value.length() <= IndexFields.MAX_FACET_CHARS) {
            doc.add(new SortedSetDocValuesField(path.facet, new BytesRef(value)));
        }
    }

    private static boolean number(Document doc, FieldNames path, String text) {
        try {
            return number(doc, path, new BigDecimal(text));
        } catch (NumberFormatException e) {
            return false; // a DS or IS that is not a number: found as text, never in a range
        }
    }

    /**
     * A number as a point and as doc values. One beyond a double's range is at an infinity, so that a range with
     * finite bounds orders it as the evaluator does (readers of the doc values leave infinities out).
     */
    private static boolean number(Document doc, FieldNames path, BigDecimal value) {
        double d = value.doubleValue();
        doc.add(new DoublePoint(path.num, d));
        doc.add(new SortedNumericDocValuesField(path.num, NumericUtils.doubleToSortableLong(d)));
        return true;
    }

    private static void point(Document doc, String name, long value) {
        doc.add(new LongPoint(name, value));
        doc.add(new SortedNumericDocValuesField(name, value));
    }

    private static void keyword(Document doc, String name, String value) {
        String capped = IndexFields.capped(value);
        doc.add(new StringField(name, capped, Field.Store.NO));
        if (capped.length() < value.length()) {
            doc.add(new StringField(IndexFields.CAPPED, name, Field.Store.NO));
        }
    }

    /** Empty name components are left out: "no middle name" is not a value to search for. */
    private static void component(Document doc, String name, String value) {
        if (!value.isEmpty()) {
            keyword(doc, name, value);
        }
    }
}
