package org.dicomsidecar.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dicomsidecar.dicom.DicomDictionary;

/**
 * An attribute, possibly inside sequences: "PixelSpacing", "SegmentSequence.SegmentAlgorithmType",
 * "00280030", "(0062,0002).(0062,0008)", or a private tag by number ("00091001").
 *
 * @param tags the tags from the top-level dataset down, 8 upper-case hex digits each
 * @param vr   the leaf's value representation from the dictionary, or "" for a private or unknown tag
 * @param text the path as the query wrote it
 */
public record AttributePath(List<String> tags, String vr, String text) {

    private static final Pattern HEX = Pattern.compile("^\\(?([0-9A-Fa-f]{4}),?([0-9A-Fa-f]{4})\\)?$");

    public static AttributePath parse(String text, String where) {
        if (text == null || text.isBlank()) {
            throw new QueryException(where, "an attribute keyword or tag is required");
        }
        DicomDictionary dictionary = DicomDictionary.standard();
        List<String> tags = new ArrayList<>();
        String vr = "";
        String[] parts = text.trim().split("\\.", -1);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].trim();
            if (part.isEmpty()) {
                throw new QueryException(where, "an empty name in '" + clip(text.trim())
                        + "': sequence paths join keywords or tags with single dots");
            }
            Matcher hex = HEX.matcher(part);
            DicomDictionary.Entry entry;
            String tag;
            if (hex.matches()) {
                tag = (hex.group(1) + hex.group(2)).toUpperCase(Locale.ROOT);
                entry = dictionary.byTag(tag).orElse(null);
            } else {
                entry = dictionary.byKeyword(part).orElseThrow(() -> new QueryException(where,
                        "unknown attribute keyword '" + clip(part) + "'" + suggestion(part)));
                tag = entry.tag();
            }
            vr = entry == null ? "" : entry.vr();
            boolean last = i == parts.length - 1;
            if (!last && entry != null && !"SQ".equals(entry.vr())) {
                throw new QueryException(where, "'" + clip(part) + "' is not a sequence, so nothing can follow it");
            }
            if (last && "SQ".equals(vr)) {
                throw new QueryException(where, "'" + clip(part)
                        + "' is a sequence: name an attribute inside it (e.g. " + clip(part) + ".CodeValue)");
            }
            tags.add(tag);
        }
        return new AttributePath(List.copyOf(tags), vr, text.trim());
    }

    public String leaf() {
        return tags.get(tags.size() - 1);
    }

    /** Numeric VRs compare as numbers; everything else as text. */
    public boolean numeric() {
        return switch (vr) {
            case "DS", "IS", "FL", "FD", "SL", "SS", "UL", "US", "SV", "UV", "XS" -> true; // XS: US or SS
            default -> false;
        };
    }

    public boolean personName() {
        return "PN".equals(vr);
    }

    private static String suggestion(String keyword) {
        if (keyword.length() > 64) {
            return ""; // no keyword is that long; spare the distance computation
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : COMMON) {
            int d = distance(keyword.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return best != null && bestDistance <= 3 ? " (did you mean " + best + "?)" : "";
    }

    /** Keywords offered as suggestions for typos: those a cohort query most often uses. */
    private static final List<String> COMMON = List.of("PixelSpacing", "SliceThickness", "Modality", "Manufacturer",
            "ManufacturerModelName", "StudyDate", "SeriesDate", "StudyDescription", "SeriesDescription",
            "BodyPartExamined", "PatientSex", "PatientAge", "PatientName", "PatientID", "SOPClassUID",
            "SegmentAlgorithmType", "SegmentSequence", "Rows", "Columns", "KVP", "ConvolutionKernel",
            "MagneticFieldStrength", "RepetitionTime", "EchoTime", "ImageType", "SeriesNumber", "InstanceNumber",
            "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "AccessionNumber", "InstitutionName",
            "SpacingBetweenSlices", "ProtocolName", "ContrastBolusAgent");

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** A value quoted in an error message: its start only. */
    public static String clip(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }

}
