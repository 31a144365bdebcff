package org.dicomsidecar.index;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The field names of one tag path (see {@link IndexFields}), made once and shared by every document: the same
 * string instances each time, so Lucene's per-field lookups hash each name once (building and hashing them anew
 * for every value was a third of the mapping's time). The cache is bounded: past it, names are made per use.
 */
final class FieldNames {

    private static final int MAX_CACHED = 20_000;
    private static final ConcurrentHashMap<String, FieldNames> CACHE = new ConcurrentHashMap<>();

    /** The path as {@link IndexFields#TAGS} lists it: "00081115.0020000E". */
    final String path;
    final String exact;
    final String fold;
    final String num;
    final String date;
    final String time;
    final String datetime;
    final String facet;
    final String family;
    final String given;
    final String middle;
    final String prefix;
    final String suffix;
    final String words;
    final String ideographic;
    final String phonetic;

    private FieldNames(String path) {
        this.path = path;
        String base = IndexFields.ATTRIBUTE + path;
        exact = base + IndexFields.EXACT;
        fold = base + IndexFields.FOLD;
        num = base + IndexFields.NUM;
        date = base + IndexFields.DATE;
        time = base + IndexFields.TIME;
        datetime = base + IndexFields.DATETIME;
        facet = base + IndexFields.FACET;
        family = base + IndexFields.FAMILY;
        given = base + IndexFields.GIVEN;
        middle = base + IndexFields.MIDDLE;
        prefix = base + IndexFields.PREFIX;
        suffix = base + IndexFields.SUFFIX;
        words = base + IndexFields.WORDS;
        ideographic = base + IndexFields.IDEOGRAPHIC;
        phonetic = base + IndexFields.PHONETIC;
    }

    /** The names of a path given as text ("00081115.0020000E"). */
    static FieldNames of(String path) {
        FieldNames names = CACHE.get(path);
        if (names == null) {
            names = new FieldNames(path);
            if (CACHE.size() < MAX_CACHED) {
                CACHE.putIfAbsent(path, names);
            }
        }
        return names;
    }

    /** The names of a path below a parent path ("" at the top level). */
    static FieldNames of(String parent, String tag) {
        return of(parent.isEmpty() ? tag : parent + "." + tag);
    }
}
