package org.dicomsidecar.web;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * One audit log line: {@code caller=reader role=reader method=GET path=/sidecar/dicomweb/studies/{uid} status=200
 * ms=12 remote=127.0.0.1}. Fixed keys in a fixed order, values without spaces, so that grep and a split on spaces
 * parse it. Never the query string (QIDO queries carry patient names and IDs); of the path only the API's and
 * DICOMweb's own words: UIDs, the names of saved cohorts (chosen by users, so they may name a patient) and any
 * other value are masked.
 */
public final class AuditLine {

    public static final String UID = "{uid}";
    public static final String NAME = "{name}";
    static final int MAX_PATH = 256;
    private static final int MAX_VALUE = 128;
    public static final String OTHER = "{other}";
    private static final Pattern FRAME_LIST = Pattern.compile("[0-9]{1,9}(,[0-9]{1,9}){0,63}");
    /** The path words of the sidecar's API and of DICOMweb (PS3.18): shown as they are. */
    private static final Set<String> WORDS = Set.of("sidecar", "api", "dicomweb", "mirror",
            "studies", "series", "instances", "frames", "metadata", "rendered", "thumbnail", "bulkdata", "bulk",
            "pixeldata", "study", "instance", "references", "cohorts", "query", "export", "saved", "workflow", "steps",
            "changes", "events", "stored", "wado", "ups", "workitems", "fhir", "ImagingStudy", "status", "live",
            "admin", "reconcile", "openapi", "compare");

    private AuditLine() {
    }

    public static String format(String caller, String role, String method, String path, int status, long millis,
                                String remote) {
        return "caller=" + value(caller) + " role=" + value(role) + " method=" + value(method)
                + " path=" + maskedPath(path) + " status=" + status + " ms=" + millis + " remote=" + value(remote);
    }

    /**
     * The request path (as the request line carried it, without its query) where only the API's and DICOMweb's
     * own words, frame numbers and dot segments (attacks should stay visible) are shown; any other segment is
     * replaced: a UID, plain or percent-encoded, by {@value #UID}, a saved cohort's name by {@value #NAME},
     * anything else (a step name, a malformed UID, a patient ID sent where a UID belongs) by {@value #OTHER}.
     * Anything but printable ASCII is shown as '?'; the result is cut at {@value #MAX_PATH} characters (then
     * ending in "...").
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
            out.append(shown(segments, i, cut && i == segments.length - 1));
        }
        if (cut || out.length() > MAX_PATH) {
            out.setLength(Math.min(out.length(), MAX_PATH));
            out.append("...");
        }
        return out.toString();
    }

    private static String shown(String[] segments, int i, boolean partial) {
        String segment = segments[i];
        String previous = i > 0 ? segments[i - 1] : "";
        if (segment.isEmpty() || (!partial && WORDS.contains(segment))) {
            return segment;
        }
        if (previous.equals("saved") && i >= 3 && segments[i - 2].equals("cohorts") && segments[i - 3].equals("api")) {
            return NAME;
        }
        String decoded = decodedDigitsAndDots(segment);
        if (decoded != null && !decoded.isEmpty() && decoded.chars().allMatch(c -> c == '.')) {
            StringBuilder dots = new StringBuilder();
            printable(segment, dots);
            return dots.toString(); // "..", "%2e%2e": a traversal attempt, shown as sent
        }
        if (!partial && previous.equals("frames") && FRAME_LIST.matcher(segment).matches()) {
            return segment;
        }
        return decoded != null && !decoded.isEmpty() ? UID : OTHER;
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
