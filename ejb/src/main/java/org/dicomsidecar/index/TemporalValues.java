package org.dicomsidecar.index;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DICOM dates and times as sortable longs. A value that is not a valid date or time (real archives hold such
 * files) gives an empty result: it is still indexed as text, only not as a point.
 */
final class TemporalValues {

    /** DA: YYYYMMDD (also the old YYYY.MM.DD and YYYY-MM-DD forms). */
    private static final Pattern DATE = Pattern.compile("(\\d{4})[-.]?(\\d{2})[-.]?(\\d{2})");
    /** TM: HH[MM[SS[.F{1,6}]]] (also the old HH:MM:SS form). */
    private static final Pattern TIME = Pattern.compile("(\\d{2})(?::?(\\d{2})(?::?(\\d{2})(?:\\.(\\d{1,6}))?)?)?");
    /** DT: YYYY[MM[DD[HH[MM[SS[.F{1,6}]]]]]][&ZZXX]. */
    private static final Pattern DATETIME = Pattern.compile(
            "(\\d{4})(?:(\\d{2})(?:(\\d{2})(\\d{2}(?:\\d{2}(?:\\d{2}(?:\\.\\d{1,6})?)?)?)?)?)?(?:[+-]\\d{4})?");

    private TemporalValues() {
    }

    /** yyyymmdd, e.g. 20240131. */
    static OptionalLong date(String value) {
        Matcher m = DATE.matcher(value.trim());
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        return validDate(m.group(1), m.group(2), m.group(3));
    }

    /** Milliseconds of the day. */
    static OptionalLong time(String value) {
        Matcher m = TIME.matcher(value.trim());
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        int hh = Integer.parseInt(m.group(1));
        int mm = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
        int ss = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
        // DICOM allows a leap second (60)
        if (hh > 23 || mm > 59 || ss > 60) {
            return OptionalLong.empty();
        }
        long millis = m.group(4) == null ? 0 : Long.parseLong((m.group(4) + "00").substring(0, 3));
        return OptionalLong.of(((hh * 60L + mm) * 60 + ss) * 1000 + millis);
    }

    /** yyyyMMddHHmmssSSS: missing month and day count as 01, a missing time as 00:00:00.000. */
    static OptionalLong dateTime(String value) {
        Matcher m = DATETIME.matcher(value.trim());
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        String month = m.group(2) == null ? "01" : m.group(2);
        String day = m.group(3) == null ? "01" : m.group(3);
        if (validDate(m.group(1), month, day).isEmpty()) {
            return OptionalLong.empty();
        }
        long date = Long.parseLong(m.group(1) + month + day);
        OptionalLong time = m.group(4) == null ? OptionalLong.of(0) : time(m.group(4));
        if (time.isEmpty()) {
            return OptionalLong.empty();
        }
        long t = time.getAsLong();
        long hhmmssSSS = (t / 3_600_000) * 10_000_000 + (t / 60_000 % 60) * 100_000 + (t % 60_000);
        return OptionalLong.of(date * 1_000_000_000L + hhmmssSSS);
    }

    private static OptionalLong validDate(String yyyy, String mm, String dd) {
        try {
            LocalDate.of(Integer.parseInt(yyyy), Integer.parseInt(mm), Integer.parseInt(dd));
        } catch (DateTimeException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(yyyy + mm + dd));
    }
}
