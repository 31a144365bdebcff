package org.dicomsidecar.index;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.dicomsidecar.query.Wildcard;

/**
 * The names of the index's fields and the conventions of their values, in one place (see docs/index.md).
 *
 * <p>Every Lucene document carries the id fields {@link #ID}, {@link #KIND}, {@link #STUDY} and (except study
 * documents) {@link #SERIES}. Every DICOM attribute is indexed under its tag path with no declaration:
 * {@code t.00100010}, inside sequences {@code t.00081115.0020000E} (the values of every item are values of the
 * path), private tags by their number like any other. Suffixes name the kind of field. A field name always has
 * one configuration (Lucene 9 rejects a field whose index options or doc-values type change between documents),
 * so every kind of value gets its own suffix rather than sharing a name.
 */
public final class IndexFields {

    /** The CouchDB document id: StringField, stored (the store deletes and replaces by it). */
    public static final String ID = "_id";
    /** {@link #INSTANCE}, {@link #SERIES_KIND} or {@link #STUDY_KIND}: StringField, stored. */
    public static final String KIND = "_kind";
    /** StudyInstanceUID: StringField, stored, and SortedDocValuesField (grouping by study, sorting). */
    public static final String STUDY = "_study";
    /** SeriesInstanceUID: StringField, stored, and SortedDocValuesField; absent on study documents. */
    public static final String SERIES = "_series";
    /** On instance documents: SOPInstanceUID, StringField, stored, and SortedDocValuesField (paging order). */
    public static final String SOP = "_sop";
    /**
     * Every tag path that has at least one value ("00100010", "00081115", "00081115.0020000E"), without the
     * {@code t.} prefix: presence and absence questions are term queries on it (an element without a value is
     * absent, as ConditionEvaluator's "exists" has it).
     */
    public static final String TAGS = "_tags";

    /**
     * The names of the keyword fields where this document holds a value cut at {@link #MAX_TERM_BYTES}: a wildcard
     * or range on such a field cannot decide the document, whose whole value only CouchDB has.
     */
    public static final String CAPPED = "_capped";

    /**
     * The tag paths where this document holds a value indexed as a number ({@code .num}) and a value position that
     * is not one (empty, malformed, text, a name, an item): a test of every value is decided by the numbers only
     * where a path is not mixed.
     */
    public static final String MIXED = "_mixed";

    /** On series documents: the top-level tags whose values differ between the series' instances. */
    public static final String VARYING = "_varying";

    /**
     * On series documents, BinaryDocValuesField (read without stored fields' decompression): what answers read of a
     * series without CouchDB (see {@link SeriesEntryJson}): its
     * shared attributes, varying tags, modality, instance count and its instances' references, as compact JSON.
     */
    public static final String ENTRY = "_entry";
    /**
     * On series documents, BinaryDocValuesField: the shared attributes among QIDO-RS's study and series return
     * attributes and those the dictionary puts at patient, study or series level ({@link SeriesEntryJson#inSummary}),
     * as DICOM JSON: what a QIDO-RS answer at study or series level shows of a series, without its whole entry.
     */
    public static final String SUMMARY = "_summary";
    /** On series documents: the series' Modality (as its CouchDB document names it), SortedDocValuesField. */
    public static final String MODALITY = "_modality";
    /** On series documents: the number of instances, NumericDocValuesField (counts without loading entries). */
    public static final String COUNT = "_count";
    /**
     * On series documents: what its instances reference, as the keys a search by reference asks for
     * ({@code uid:<target>}, {@code series:<series of an instance target>}, {@code study:<study of a target>}).
     */
    public static final String REFERENCE = "_ref";

    public static final String INSTANCE = "instance";
    public static final String SERIES_KIND = "series";
    public static final String STUDY_KIND = "study";

    /** Prefix of every attribute field. */
    public static final String ATTRIBUTE = "t.";

    /** Exact value (as ConditionEvaluator reads it: DA without '-', TM without ':', PN's Alphabetic), capped. */
    public static final String EXACT = "";
    /** The exact value case-folded per code point as {@link Wildcard#fold} does. */
    public static final String FOLD = ".fold";
    /** Numbers of every numeric VR (and DS/IS written as text): DoublePoint + SortedNumericDocValuesField. */
    public static final String NUM = ".num";
    /** DA as a long yyyymmdd: LongPoint + SortedNumericDocValuesField. */
    public static final String DATE = ".date";
    /** TM as milliseconds of the day: LongPoint + SortedNumericDocValuesField. */
    public static final String TIME = ".time";
    /** DT as a long yyyyMMddHHmmssSSS (the local time as written; a UTC offset is ignored). */
    public static final String DATETIME = ".datetime";
    /** Short code-like strings (AE AS CS SH LO) as SortedSetDocValuesField, for facets and sorting. */
    public static final String FACET = ".facet";
    /** Person-name components of the Alphabetic group, folded. */
    public static final String FAMILY = ".family";
    public static final String GIVEN = ".given";
    public static final String MIDDLE = ".middle";
    public static final String PREFIX = ".prefix";
    public static final String SUFFIX = ".suffix";
    /** Every word of the Alphabetic group (split at '^', ' ', '='), folded: QIDO-RS fuzzy name matching. */
    public static final String WORDS = ".words";
    /** The Ideographic and Phonetic groups, exact. */
    public static final String IDEOGRAPHIC = ".ideographic";
    public static final String PHONETIC = ".phonetic";

    /**
     * Keyword terms are cut at this many UTF-8 bytes (Lucene refuses terms above 32766): a longer value is
     * found by its first 1024 bytes (a prefix or wildcard query), never by exact equality on the whole value.
     */
    public static final int MAX_TERM_BYTES = 1024;
    /** Facet values longer than this are left out of the facet field (no VR that pays for facets is longer). */
    public static final int MAX_FACET_CHARS = 64;

    private IndexFields() {
    }

    /** The path as the {@link #TAGS} field lists it: "00081115.0020000E". */
    public static String path(List<String> tags) {
        return String.join(".", tags);
    }

    /** The attribute field of a path with a suffix: field(["00100010"], FOLD) is "t.00100010.fold". */
    public static String field(List<String> tags, String suffix) {
        return ATTRIBUTE + path(tags) + suffix;
    }

    /** Case folding of every case-insensitive field and query, one code point at a time. */
    public static String fold(String s) {
        boolean plain = true; // ASCII without capitals folds to itself: most values, and no allocation
        for (int i = 0; i < s.length() && plain; i++) {
            char c = s.charAt(i);
            plain = c < 0x80 && !(c >= 'A' && c <= 'Z');
        }
        if (plain) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().map(Wildcard::fold).forEach(out::appendCodePoint);
        return out.toString();
    }

    /** The value cut to at most {@link #MAX_TERM_BYTES} UTF-8 bytes, never inside a code point. */
    public static String capped(String s) {
        if (s.length() * 3 <= MAX_TERM_BYTES || s.getBytes(StandardCharsets.UTF_8).length <= MAX_TERM_BYTES) {
            return s;
        }
        int bytes = 0;
        int end = 0;
        while (end < s.length()) {
            int cp = s.codePointAt(end);
            int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + size > MAX_TERM_BYTES) {
                break;
            }
            bytes += size;
            end += Character.charCount(cp);
        }
        return s.substring(0, end);
    }
}
