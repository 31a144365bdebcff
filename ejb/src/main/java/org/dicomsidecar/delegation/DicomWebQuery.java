package org.dicomsidecar.delegation;

/**
 * The query string of a DICOMweb request as it goes to the host. It follows the '?' and cannot change the path,
 * but it still must not carry control characters (raw or encoded: CR/LF or NUL in a value the host decodes) or
 * malformed escapes. Printable characters a URI may not hold raw ('^' in a PatientName, '|', '"', ...) are
 * percent-encoded, so the host receives a valid URI that decodes to what the caller sent.
 */
public final class DicomWebQuery {

    /** ESC (0x1B) starts the ISO 2022 code extensions that some character sets use in PN and LO values. */
    private static final char ESC = 0x1B;

    private DicomWebQuery() {
    }

    /** The query to send, or null when there is none. */
    public static String normalise(String rawQuery) throws RefusedRequestException {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        StringBuilder out = new StringBuilder(rawQuery.length() + 16);
        for (int i = 0; i < rawQuery.length(); i++) {
            char c = rawQuery.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                throw invalid("control character " + DicomWebPath.codePoint(c) + " in the query string");
            }
            if (c > 0x7E) {
                throw invalid("non-ASCII character in the query string (send it as UTF-8 percent-escapes)");
            }
            if (c == '%') {
                if (i + 2 >= rawQuery.length() || DicomWebPath.hex(rawQuery.charAt(i + 1)) < 0
                        || DicomWebPath.hex(rawQuery.charAt(i + 2)) < 0) {
                    throw invalid("malformed percent-escape in the query string");
                }
                char decoded = (char) (DicomWebPath.hex(rawQuery.charAt(i + 1)) * 16
                        + DicomWebPath.hex(rawQuery.charAt(i + 2)));
                if ((decoded < 0x20 && decoded != ESC) || decoded == 0x7F) {
                    throw invalid("encoded control character " + DicomWebPath.codePoint(decoded)
                            + " in the query string");
                }
                out.append(rawQuery, i, i + 3);
                i += 2;
            } else if (isQueryCharacter(c)) {
                out.append(c);
            } else {
                out.append(String.format("%%%02X", (int) c)); // printable ASCII: one byte
            }
        }
        return out.toString();
    }

    /** RFC 3986 query characters (unreserved, sub-delims, ':', '@', '/', '?'), '%' aside. */
    private static boolean isQueryCharacter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-._~!$&'()*+,;=:@/?".indexOf(c) >= 0;
    }

    private static RefusedRequestException invalid(String message) {
        return new RefusedRequestException(400, "invalid-query", message);
    }
}
