package org.dicomsidecar.index;

import java.util.Arrays;
import java.util.List;

/**
 * The five components of one person-name group ("Family^Given^Middle^Prefix^Suffix"), each folded; an absent
 * or empty component is "".
 */
record PersonName(String family, String given, String middle, String prefix, String suffix) {

    static PersonName parse(String group) {
        String[] c = Arrays.copyOf(group.split("\\^", -1), 5);
        return new PersonName(part(c[0]), part(c[1]), part(c[2]), part(c[3]), part(c[4]));
    }

    /** The words any name component may start with: QIDO-RS fuzzy matching splits at '^', ' ' and '='. */
    static List<String> words(String alphabetic) {
        return Arrays.stream(alphabetic.split("[\\^ =]+"))
                .filter(w -> !w.isEmpty())
                .map(IndexFields::fold)
                .toList();
    }

    private static String part(String s) {
        return s == null ? "" : IndexFields.fold(s.trim());
    }
}
