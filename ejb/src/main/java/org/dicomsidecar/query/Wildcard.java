package org.dicomsidecar.query;

import java.util.ArrayList;
import java.util.List;

/**
 * DICOM wildcard matching ({@code *}: any run of characters, {@code ?}: exactly one) without a regular
 * expression. The pattern is split at its stars into pieces (consecutive stars collapse); the first piece
 * must start the value, the last must end it, and each one between is found leftmost after the previous
 * one. A piece has a fixed length, so leftmost is always right, and a match costs at most value length
 * times pattern length: no backtracking, whatever the stars. Characters are Unicode code points; without
 * case a code point is folded as java.util.regex folds it under CASE_INSENSITIVE | UNICODE_CASE.
 */
public final class Wildcard implements TextMatcher {

    /** A {@code ?} inside a piece: any one code point. */
    private static final int ANY_ONE = -1;

    private final String pattern;
    private final boolean caseInsensitive;
    /** Without a star: the one piece. With stars: the head, the non-empty middle pieces, the tail. */
    private final int[][] pieces;
    private final boolean starred;

    private Wildcard(String pattern, boolean caseInsensitive) {
        this.pattern = pattern;
        this.caseInsensitive = caseInsensitive;
        List<int[]> parts = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        boolean star = false;
        for (int cp : pattern.codePoints().toArray()) {
            if (cp == '*') {
                star = true;
                if (parts.isEmpty() || !current.isEmpty()) { // the head even when empty; no empty middles
                    parts.add(toArray(current));
                }
                current.clear();
            } else {
                current.add(cp == '?' ? ANY_ONE : caseInsensitive ? fold(cp) : cp);
            }
        }
        parts.add(toArray(current)); // the tail (or the whole pattern without a star)
        this.pieces = parts.toArray(new int[0][]);
        this.starred = star;
    }

    public static Wildcard of(String pattern, boolean caseInsensitive) {
        return new Wildcard(pattern, caseInsensitive);
    }

    /** Whether a pattern says anything at all: one made only of stars matches every value. */
    public static boolean onlyStars(String pattern) {
        return !pattern.isEmpty() && pattern.chars().allMatch(c -> c == '*');
    }

    /**
     * PS3.18 fuzzy matching of a person name: some name component (the value's start, or what follows a
     * {@code ^}, a space or a {@code =}) begins with the word, whatever the case.
     */
    public static TextMatcher nameComponentPrefix(String word) {
        return new NameComponentPrefix(word, word.codePoints().map(Wildcard::fold).toArray());
    }

    public String pattern() {
        return pattern;
    }

    public boolean caseInsensitive() {
        return caseInsensitive;
    }

    /** The word of a {@link #nameComponentPrefix} matcher, or null for any other matcher. */
    public static String nameComponentPrefixWord(TextMatcher matcher) {
        return matcher instanceof NameComponentPrefix p ? p.word() : null;
    }

    @Override
    public boolean matches(String value) {
        int[] cps = codePointsIfNeeded(value);
        int n = cps == null ? value.length() : cps.length;
        if (!starred) {
            return n == pieces[0].length && pieceAt(pieces[0], value, cps, 0, caseInsensitive);
        }
        int[] head = pieces[0];
        int[] tail = pieces[pieces.length - 1];
        if (head.length + tail.length > n || !pieceAt(head, value, cps, 0, caseInsensitive)
                || !pieceAt(tail, value, cps, n - tail.length, caseInsensitive)) {
            return false;
        }
        int from = head.length;
        int end = n - tail.length;
        for (int k = 1; k < pieces.length - 1; k++) {
            int at = find(pieces[k], value, cps, from, end, caseInsensitive);
            if (at < 0) {
                return false;
            }
            from = at + pieces[k].length;
        }
        return true;
    }

    private record NameComponentPrefix(String word, int[] folded) implements TextMatcher {
        @Override
        public boolean matches(String value) {
            int[] cps = codePointsIfNeeded(value);
            int n = cps == null ? value.length() : cps.length;
            for (int i = 0; i + folded.length <= n; i++) {
                if ((i == 0 || isNameSeparator(at(value, cps, i - 1))) && pieceAt(folded, value, cps, i, true)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof NameComponentPrefix other && other.word.equals(word);
        }

        @Override
        public int hashCode() {
            return word.hashCode();
        }

        @Override
        public String toString() {
            return "name component starting with " + word;
        }
    }

    private static boolean isNameSeparator(int cp) {
        return cp == '^' || cp == ' ' || cp == '=';
    }

    /** The leftmost start in [from, end - piece length] where the piece matches, or -1. */
    private static int find(int[] piece, String value, int[] cps, int from, int end, boolean caseInsensitive) {
        for (int i = from; i + piece.length <= end; i++) {
            if (pieceAt(piece, value, cps, i, caseInsensitive)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean pieceAt(int[] piece, String value, int[] cps, int start, boolean caseInsensitive) {
        for (int j = 0; j < piece.length; j++) {
            int p = piece[j];
            if (p == ANY_ONE) {
                continue;
            }
            int c = at(value, cps, start + j);
            if (c != p && !(caseInsensitive && fold(c) == p)) {
                return false;
            }
        }
        return true;
    }

    private static int at(String value, int[] cps, int i) {
        return cps == null ? value.charAt(i) : cps[i];
    }

    /** The code points of a value that has surrogate pairs; null when its chars are its code points. */
    private static int[] codePointsIfNeeded(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isSurrogate(value.charAt(i))) {
                return value.codePoints().toArray();
            }
        }
        return null;
    }

    /** The case fold of every case-insensitive match (also the index's ".fold" fields): upper then lower case. */
    public static int fold(int cp) {
        return Character.toLowerCase(Character.toUpperCase(cp));
    }

    private static int[] toArray(List<Integer> cps) {
        return cps.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Wildcard w && w.pattern.equals(pattern) && w.caseInsensitive == caseInsensitive;
    }

    @Override
    public int hashCode() {
        return pattern.hashCode() * 31 + Boolean.hashCode(caseInsensitive);
    }

    @Override
    public String toString() {
        return pattern + (caseInsensitive ? " (any case)" : "");
    }
}
