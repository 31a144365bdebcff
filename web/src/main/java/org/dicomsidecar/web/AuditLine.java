package org.dicomsidecar.web;

import java.util.regex.Pattern;

/**
 * One audit log line: {@code caller=reader role=reader method=GET path=/sidecar/dicomweb/studies/{uid} status=200
 * ms=12 remote=127.0.0.1}. Fixed keys in a fixed order, values without spaces, so that grep and a split on spaces
 * parse it. Never the query string (QIDO queries carry patient names and IDs); the path with every DICOM UID
 * masked, and the names of saved cohorts (chosen by users, so they may name a patient).
 */
public final class AuditLine {

    public static final String UID = "{uid}";
    public static final String NAME = "{name}";
    static final int MAX_PATH = 256;
    private static final int MAX_VALUE = 128;
    /** Digits and dots with at least one dot: a UID (frame numbers and counts, without dots, stay readable). */
    private static final Pattern UID_SEGMENT = Pattern.compile("[0-9]*(\\.[0-9]*)+");

    private AuditLine() {
    }

    public static String format(String caller, String role, String method, String path, int status, long millis,
                                String remote) {
        return "caller=" + value(caller) + " role=" + value(role) + " method=" + value(method)
                + " path=" + maskedPath(path) + " status=" + status + " ms=" + millis + " remote=" + value(remote);
    }

    /**
     * The request path (as the request line carried it, without its query) with each segment that is a UID,
     * plain or percent-encoded, replaced by {@value #UID}; anything but printable ASCII replaced by '?'; cut at
     * {@value #MAX_PATH} characters (then ending in "...").
     */
    public static String maskedPath(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "-";
        }
        String path = rawPath;
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        // bounded work whatever the request line's length: only what can be shown is looked at (plus one segment)
        boolean cut = path.length() > MAX_PATH;
        if (cut) {
            path = path.substring(0, MAX_PATH + 70);
        }
        StringBuilder out = new StringBuilder(Math.min(path.length(), MAX_PATH + 3));
        String[] segments = path.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            if (i > 0) {
                out.append('/');
            }
            String segment = segments[i];
            boolean partial = cut && i == segments.length - 1;
            if (i >= 3 && !segment.isEmpty() && segments[i - 1].equals("saved") && segments[i - 2].equals("cohorts")
                    && segments[i - 3].equals("api")) {
                out.append(NAME);
            } else if (partial ? isDigitsAndDots(segment) : isUid(segment)) {
                out.append(UID); // a UID cut short by the limit must not show its first digits either
            } else {
                printable(segment, out);
            }
        }
        if (cut || out.length() > MAX_PATH) {
            out.setLength(Math.min(out.length(), MAX_PATH));
            out.append("...");
        }
        return out.toString();
    }

    /** A segment that is a UID once its escapes are read (%2E for '.', %3X for digits). */
    static boolean isUid(String segment) {
        String decoded = decodedDigitsAndDots(segment);
        return decoded != null && UID_SEGMENT.matcher(decoded).matches() && decoded.chars().anyMatch(Character::isDigit);
    }

    private static boolean isDigitsAndDots(String segment) {
        String decoded = decodedDigitsAndDots(segment);
        return decoded != null && !decoded.isEmpty();
    }

    /** The segment with %2E/%3X escapes read, or null if it holds anything but digits and dots. */
    private static String decodedDigitsAndDots(String segment) {
        StringBuilder b = new StringBuilder(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%' && i + 2 < segment.length()) {
                String hex = segment.substring(i + 1, i + 3).toUpperCase(java.util.Locale.ROOT);
                if (hex.equals("2E")) {
                    c = '.';
                } else if (hex.charAt(0) == '3' && Character.isDigit(hex.charAt(1))) {
                    c = hex.charAt(1);
                } else {
                    return null;
                }
                i += 2;
            }
            if (c != '.' && (c < '0' || c > '9')) {
                return null;
            }
            b.append(c);
        }
        return b.toString();
    }

    private static void printable(String s, StringBuilder out) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(c > ' ' && c < 0x7f ? c : '?');
        }
    }

    /** A caller, role, method or address: printable, no spaces, bounded; "-" when absent. */
    static String value(String v) {
        if (v == null || v.isEmpty()) {
            return "-";
        }
        StringBuilder out = new StringBuilder();
        printable(v.length() > MAX_VALUE ? v.substring(0, MAX_VALUE) : v, out);
        return v.length() > MAX_VALUE ? out + "..." : out.toString();
    }
}
