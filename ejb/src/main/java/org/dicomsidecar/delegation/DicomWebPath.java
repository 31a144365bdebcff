package org.dicomsidecar.delegation;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.dicomsidecar.dicom.DicomUid;

/**
 * The only paths the sidecar passes to the host: the resources of PS3.18 (QIDO-RS, WADO-RS, STOW-RS), checked
 * segment by segment after decoding percent-escapes once, and written out again from the checked segments.
 *
 * <p>The host's DICOMweb root usually shares its port with the archive's native API (Orthanc's
 * {@code /studies/{id}} DELETE, {@code /tools/...}), so a path that could climb out of that root once the host
 * decodes it ({@code ..%2f}, {@code //../}, a backslash) must never be forwarded. Malformed paths (dot segments,
 * empty segments, encoded slashes or backslashes, control or non-ASCII characters, bad escapes, bad UIDs) are
 * refused with 400; well-formed paths that name no DICOMweb resource with 404.
 *
 * <p>Accepted, below the DICOMweb root: {@code /studies}, {@code /series}, {@code /instances} (QIDO-RS; STOW-RS is
 * {@code POST /studies[/{study}]}); {@code /studies/{study}[/series/{series}[/instances/{instance}]]}, each with
 * an optional {@code /metadata}, {@code /rendered}, {@code /thumbnail}, {@code /bulkdata} or {@code /pixeldata};
 * {@code .../instances/{instance}/frames/{1,2,3}[/rendered|/thumbnail]}; the nested QIDO-RS paths
 * {@code /studies/{study}/series}, {@code /studies/{study}/instances},
 * {@code /studies/{study}/series/{series}/instances}; the bulk data URIs archives write,
 * {@code .../instances/{instance}/bulk/{attribute path}} (Orthanc) and {@code .../bulkdata/{attribute path}}
 * (dcm4chee), an attribute path being tags of 8 hex digits with item numbers between them
 * ({@code 7fe00010}, {@code 00540016/0/00181072}). The root itself only for OPTIONS (PS3.18 capabilities).
 */
public final class DicomWebPath {

    /** Longest raw path looked at: bounds the work per request; real DICOMweb paths stay far below it. */
    static final int MAX_LENGTH = 2048;
    /** Deepest attribute path in a bulk data URI (sequence nesting). */
    static final int MAX_ATTRIBUTE_DEPTH = 16;

    private static final Set<String> LEAVES = Set.of("metadata", "rendered", "thumbnail", "bulkdata", "pixeldata");
    private static final Set<String> FRAME_LEAVES = Set.of("rendered", "thumbnail");
    private static final Pattern FRAME_LIST = Pattern.compile("[1-9][0-9]{0,8}(?:,[1-9][0-9]{0,8}){0,9999}");
    private static final Pattern TAG = Pattern.compile("[0-9A-Fa-f]{8}");
    private static final Pattern ITEM = Pattern.compile("[0-9]{1,9}");

    private DicomWebPath() {
    }

    /**
     * The normalised path ("/studies/1.2.3/metadata") of the raw, still encoded path below the DICOMweb root as
     * the request line carried it ("" or starting with "/"); "/" for the root (OPTIONS only).
     */
    public static String parse(String method, String rawPath) throws RefusedRequestException {
        List<String> segments = segments(rawPath);
        if (segments.isEmpty()) {
            if ("OPTIONS".equals(method)) {
                return "/";
            }
            throw notAResource("the DICOMweb root itself is no resource (only OPTIONS asks it for capabilities)");
        }
        resource(segments);
        return "/" + String.join("/", segments);
    }

    /** Decoded segments; one trailing slash is allowed and dropped. */
    static List<String> segments(String rawPath) throws RefusedRequestException {
        if (rawPath == null || rawPath.isEmpty() || rawPath.equals("/")) {
            return List.of();
        }
        if (rawPath.length() > MAX_LENGTH) {
            throw invalid("path too long (" + rawPath.length() + " characters, at most " + MAX_LENGTH + ")");
        }
        if (rawPath.charAt(0) != '/') {
            throw invalid("the path below the DICOMweb root must start with '/'");
        }
        String body = rawPath.endsWith("/") ? rawPath.substring(1, rawPath.length() - 1) : rawPath.substring(1);
        List<String> segments = new ArrayList<>();
        int position = 1;
        for (String raw : body.split("/", -1)) {
            segments.add(segment(raw, position++));
        }
        return segments;
    }

    private static String segment(String raw, int position) throws RefusedRequestException {
        if (raw.isEmpty()) {
            throw invalid("empty path segment ('//') at segment " + position);
        }
        StringBuilder decoded = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            boolean escaped = c == '%';
            if (escaped) {
                if (i + 2 >= raw.length() || hex(raw.charAt(i + 1)) < 0 || hex(raw.charAt(i + 2)) < 0) {
                    throw invalid("malformed percent-escape in segment " + position);
                }
                c = (char) (hex(raw.charAt(i + 1)) * 16 + hex(raw.charAt(i + 2)));
                i += 2;
            }
            String how = escaped ? "encoded " : "";
            if (c < 0x20 || c == 0x7F) {
                throw invalid(how + "control character " + codePoint(c) + " in segment " + position);
            }
            if (c > 0x7E) {
                throw invalid(how + "non-ASCII character in segment " + position + " (no DICOMweb path has one)");
            }
            if (c == '/' && escaped) {
                throw invalid("encoded slash ('%2F') in segment " + position);
            }
            if (c == '\\') {
                throw invalid(how + "backslash in segment " + position);
            }
            if (c == '%') {
                throw invalid("double-encoded percent-escape in segment " + position);
            }
            if (c == ';') {
                throw invalid(how + "path parameter (';') in segment " + position);
            }
            if (!isAllowed(c)) {
                throw invalid(how + "character " + codePoint(c) + " not allowed in segment " + position
                        + " (letters, digits, '.' and ',' only)");
            }
            decoded.append(c);
        }
        String s = decoded.toString();
        if (s.equals(".") || s.equals("..")) {
            throw invalid("dot segment ('" + s + "') at segment " + position);
        }
        return s;
    }

    /** Checks that the segments name a PS3.18 resource. */
    private static void resource(List<String> s) throws RefusedRequestException {
        String first = s.get(0);
        if ((first.equals("series") || first.equals("instances")) && s.size() == 1) {
            return; // QIDO-RS across all studies
        }
        if (!first.equals("studies")) {
            throw notAResource("a DICOMweb path starts with /studies, /series or /instances");
        }
        if (s.size() == 1) {
            return;
        }
        uid(s, 1, "study");
        int i = 2;
        if (leafOrEnd(s, i, LEAVES) || isLastAndEquals(s, i, "instances")) {
            return; // study resource, or QIDO-RS of a study's instances
        }
        expect(s, i, "series");
        if (s.size() == i + 1) {
            return; // QIDO-RS of a study's series
        }
        uid(s, i + 1, "series");
        i += 2;
        if (leafOrEnd(s, i, LEAVES)) {
            return;
        }
        expect(s, i, "instances");
        if (s.size() == i + 1) {
            return; // QIDO-RS of a series' instances
        }
        uid(s, i + 1, "instance");
        i += 2;
        if (leafOrEnd(s, i, LEAVES)) {
            return;
        }
        switch (s.get(i)) {
            case "frames" -> frames(s, i + 1);
            case "bulk", "bulkdata" -> attributePath(s, i + 1);
            default -> throw notAResource("after an instance UID come metadata, rendered, thumbnail, bulkdata, "
                    + "pixeldata, frames/{list} or a bulk data attribute path");
        }
    }

    private static void frames(List<String> s, int i) throws RefusedRequestException {
        if (s.size() <= i) {
            throw notAResource("frames needs a frame list (frames/1 or frames/1,2,3)");
        }
        if (!FRAME_LIST.matcher(s.get(i)).matches()) {
            throw invalid("frame list in segment " + (i + 1) + " must be frame numbers from 1 separated by ','");
        }
        if (!leafOrEnd(s, i + 1, FRAME_LEAVES)) {
            throw notAResource("after a frame list come only rendered or thumbnail");
        }
    }

    /** tag (item tag)*, as Orthanc's bulk/ and dcm4chee's bulkdata/ URIs write them. */
    private static void attributePath(List<String> s, int i) throws RefusedRequestException {
        int depth = s.size() - i;
        if (depth < 1 || depth % 2 == 0 || depth > 2 * MAX_ATTRIBUTE_DEPTH - 1) {
            throw notAResource("a bulk data path is a tag, or tags with item numbers between them, at most "
                    + MAX_ATTRIBUTE_DEPTH + " deep");
        }
        for (int k = i; k < s.size(); k++) {
            boolean tag = (k - i) % 2 == 0;
            if (!(tag ? TAG : ITEM).matcher(s.get(k)).matches()) {
                throw notAResource("segment " + (k + 1) + " of a bulk data path must be "
                        + (tag ? "a tag of 8 hex digits" : "an item number"));
            }
        }
    }

    /** True when nothing follows position i, or exactly one of {@code leaves} does. */
    private static boolean leafOrEnd(List<String> s, int i, Set<String> leaves) {
        return s.size() == i || (s.size() == i + 1 && leaves.contains(s.get(i)));
    }

    private static boolean isLastAndEquals(List<String> s, int i, String keyword) {
        return s.size() == i + 1 && s.get(i).equals(keyword);
    }

    private static void expect(List<String> s, int i, String keyword) throws RefusedRequestException {
        if (!s.get(i).equals(keyword)) {
            throw notAResource("segment " + (i + 1) + " is no DICOMweb resource here");
        }
    }

    private static void uid(List<String> s, int i, String level) throws RefusedRequestException {
        String problem = DicomUid.problem(s.get(i), level + " UID (segment " + (i + 1) + ")");
        if (problem != null) {
            throw new RefusedRequestException(400, "invalid-uid", problem);
        }
    }

    private static boolean isAllowed(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == ',';
    }

    /** The value of an ASCII hex digit, else -1 (Character.digit would take full-width digits too). */
    static int hex(char c) {
        return c < 0x80 ? Character.digit(c, 16) : -1;
    }

    static String codePoint(char c) {
        return String.format("U+%04X", (int) c);
    }

    private static RefusedRequestException invalid(String message) {
        return new RefusedRequestException(400, "invalid-path", message);
    }

    private static RefusedRequestException notAResource(String message) {
        return new RefusedRequestException(404, "not-a-dicomweb-resource", message);
    }
}
