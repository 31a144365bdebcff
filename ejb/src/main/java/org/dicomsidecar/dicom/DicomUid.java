package org.dicomsidecar.dicom;

/**
 * What the sidecar accepts as a UID: 1..64 characters, digits and '.' only, at least one digit.
 *
 * <p>PS3.5 9.1 also forbids a leading zero in a multi-digit component and empty components, but real files from
 * vendors break both rules (a leading zero is common in older RT and MR files) and archives store them. Whatever
 * the archive accepted, the mirror must hold and the API must find, so only what is unsafe is refused: other
 * characters (a UID travels in URL paths and CouchDB document ids) and overlong values. A value of dots alone
 * ("." or "..") is refused too: it is no UID and would be a path segment with a meaning of its own.
 *
 * <p>JSON carries UIDs without the trailing NUL padding of binary DICOM, so padding (and any white space) is an
 * error here.
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
     * position n, no digit at all), never echoing more than 80 chars of input.
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
        if (uid.chars().noneMatch(c -> c >= '0' && c <= '9')) {
            return name + ": no digit in " + quote(uid);
        }
        return null;
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
