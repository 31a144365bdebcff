package org.dicomsidecar.it;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Patient values to look for in logs, and the search itself: small and pure, so that its ability to find a
 * leak is tested on its own (PatientDataInLogsIT#theSearchFindsALeakInALogText).
 *
 * <p>Left out, as too short or too generic to mean anything in a log (they would match timestamps, counts, ports,
 * UIDs or ordinary words, and so hide real findings among false ones): values under 4 characters; values of digits
 * only under 6 digits; a few words that log text uses anyway (below); birth dates of the last two years (their
 * dashed form is a log timestamp's date).
 */
final class PatientValues {

    /** What a value is, for the failure message (which never repeats the value itself). */
    enum Kind { PATIENT_NAME, PATIENT_NAME_COMPONENT, PATIENT_ID, BIRTH_DATE }

    record Value(Kind kind, String text) {
        @Override
        public String toString() {
            return kind + " (" + text.length() + " characters)"; // never the value: reports are kept and shared
        }
    }

    /** A value found in a log: where, and what kind of value; not the value. */
    record Finding(String file, int line, int column, Kind kind, int length) {
        @Override
        public String toString() {
            return file + ":" + line + ":" + column + ": a " + kind + " (" + length + " characters)";
        }
    }

    static final Set<String> GENERIC = Set.of("test", "patient", "anonymous", "anonymized", "unknown", "first", "last",
            "large", "small", "none", "null", "name", "phantom", "sample", "samples", "demo");
    private static final int MIN_LENGTH = 4;
    private static final int MIN_DIGITS = 6;
    private static final DateTimeFormatter DA = DateTimeFormatter.BASIC_ISO_DATE;

    private PatientValues() {
    }

    static List<Value> name(String pn) {
        List<Value> out = new ArrayList<>();
        add(out, Kind.PATIENT_NAME, pn);
        for (String component : pn.split("[\\^=]")) {
            add(out, Kind.PATIENT_NAME_COMPONENT, component.trim());
        }
        return out;
    }

    static List<Value> id(String id) {
        List<Value> out = new ArrayList<>();
        add(out, Kind.PATIENT_ID, id.trim());
        return out;
    }

    /** A birth date as DICOM writes it (19691231) and as a log might print it (1969-12-31). */
    static List<Value> birthDate(String da, LocalDate today) {
        List<Value> out = new ArrayList<>();
        try {
            LocalDate d = LocalDate.parse(da.trim(), DA);
            if (d.isBefore(today.minusYears(2))) {
                out.add(new Value(Kind.BIRTH_DATE, da.trim()));
                out.add(new Value(Kind.BIRTH_DATE, d.toString()));
            }
        } catch (DateTimeParseException e) {
            add(out, Kind.BIRTH_DATE, da.trim()); // not a date: searched as it is, if specific enough
        }
        return out;
    }

    private static void add(List<Value> out, Kind kind, String v) {
        if (v.length() < MIN_LENGTH || (v.chars().allMatch(Character::isDigit) && v.length() < MIN_DIGITS)
                || GENERIC.contains(v.toLowerCase(Locale.ROOT))) {
            return;
        }
        if (out.stream().noneMatch(o -> o.text().equalsIgnoreCase(v))) {
            out.add(new Value(kind, v));
        }
    }

    /**
     * Every occurrence of a value in a log text, case-insensitive, as a whole token (not inside a longer run of
     * letters and digits: "Lena" is no leak in "Lenard").
     */
    static List<Finding> search(String file, String text, List<Value> values) {
        List<Pattern> patterns = values.stream().map(v -> Pattern.compile(
                "(?<![\\p{L}\\p{N}])" + Pattern.quote(v.text()) + "(?![\\p{L}\\p{N}])",
                Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE)).toList();
        List<Finding> found = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            for (int i = 0; i < values.size(); i++) {
                var m = patterns.get(i).matcher(lines[n]);
                if (m.find()) {
                    found.add(new Finding(file, n + 1, m.start() + 1, values.get(i).kind(), values.get(i).text().length()));
                }
            }
        }
        return found;
    }
}
