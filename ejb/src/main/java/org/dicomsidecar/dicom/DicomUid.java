package org.dicomsidecar.dicom;

/**
 * DICOM UID syntax (PS3.5 9.1): 1..64 chars, components of digits separated by '.', no leading zero in a
 * multi-digit component, no empty component.
 *
 * <p>Only the syntax is checked: a single component ("1") is syntactically a UID. JSON carries UIDs without the
 * trailing NUL padding of binary DICOM, so padding (and any white space) is an error here.
 */
public final class DicomUid {

    /** PS3.5 9.1: a UID is at most 64 characters long. */
    private static final int MAX_LENGTH = 64;

    /** The most of the caller's input that a message ever quotes. */
    private static final int MAX_ECHO = 80;

    private DicomUid() {
    }

    public static boolean isValid(String uid) {
        return problem(uid, "UID") == null;
    }

    /**
     * null when valid, else a message naming {@code field} and saying what is wrong (too long, bad character at
     * position n, empty component, leading zero), never echoing more than 80 chars of input.
     *
     * <p>The input is quoted only when it consists of digits and dots alone: anything else might be some other
     * value put in the wrong field (a name, an ID), which must not end up in a log or an answer. A bad character
     * is named on its own (printable ASCII) or by its code point. Positions count from 1.
     */
    public static String problem(String uid, String field) {
        String name = field == null || field.isEmpty() ? "UID" : field;
        if (uid == null) {
            return name + ": missing";
        }
        if (uid.isEmpty()) {
            return name + ": empty";
        }
        int bad = firstBadCharacter(uid);
        if (uid.length() > MAX_LENGTH) {
            return name + ": too long (" + uid.length() + " characters, at most " + MAX_LENGTH + ")"
                    + (bad < 0 ? " " + quote(uid) : "");
        }
        if (bad >= 0) {
            return name + ": bad character " + describe(uid.codePointAt(bad)) + " at position " + (bad + 1)
                    + " (only digits and '.' are allowed)";
        }
        int component = 1;
        int start = 0;
        while (true) {
            int end = uid.indexOf('.', start);
            int stop = end < 0 ? uid.length() : end;
            if (stop == start) {
                return name + ": empty component " + component + " at position " + (start + 1) + " in " + quote(uid);
            }
            if (stop - start > 1 && uid.charAt(start) == '0') {
                return name + ": leading zero in component " + component + " (\"" + uid.substring(start, stop)
                        + "\") at position " + (start + 1) + " in " + quote(uid);
            }
            if (end < 0) {
                return null;
            }
            start = end + 1;
            component++;
        }
    }

    private static int firstBadCharacter(String uid) {
        for (int i = 0; i < uid.length(); i++) {
            char c = uid.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return i;
            }
        }
        return -1;
    }

    private static String describe(int codePoint) {
        if (codePoint > 0x20 && codePoint < 0x7F) {
            return codePoint == '\'' ? "\"'\"" : "'" + (char) codePoint + "'";
        }
        return String.format("U+%04X", codePoint);
    }

    /** Only called for digits-and-dots input: safe to show, cut to at most 80 characters. */
    private static String quote(String uid) {
        if (uid.length() <= MAX_ECHO) {
            return "\"" + uid + "\"";
        }
        return "\"" + uid.substring(0, MAX_ECHO - 3) + "...\"";
    }
}
