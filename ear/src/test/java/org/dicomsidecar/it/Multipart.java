package org.dicomsidecar.it;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Just enough of multipart/related (RFC 2387) to split a WADO-RS answer into parts, and to build a STOW body. */
final class Multipart {

    record Part(Map<String, String> headers, byte[] body) {
    }

    private Multipart() {
    }

    static String boundary(String contentType) {
        for (String p : contentType.split(";")) {
            String[] kv = p.trim().split("=", 2);
            if (kv.length == 2 && kv[0].trim().equalsIgnoreCase("boundary")) {
                return kv[1].trim().replace("\"", "");
            }
        }
        throw new IllegalArgumentException("no boundary in " + contentType);
    }

    static List<Part> parse(byte[] body, String contentType) {
        byte[] delimiter = ("--" + boundary(contentType)).getBytes(StandardCharsets.US_ASCII);
        List<Part> parts = new ArrayList<>();
        int pos = indexOf(body, delimiter, 0);
        while (pos >= 0) {
            int afterDelimiter = pos + delimiter.length;
            if (afterDelimiter + 1 < body.length && body[afterDelimiter] == '-' && body[afterDelimiter + 1] == '-') {
                break; // closing delimiter
            }
            int headersStart = afterDelimiter + 2; // CRLF
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), headersStart);
            int next = indexOf(body, ("\r\n--" + boundary(contentType)).getBytes(StandardCharsets.US_ASCII), headersEnd);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line : new String(body, headersStart, headersEnd - headersStart, StandardCharsets.ISO_8859_1)
                    .split("\r\n")) {
                String[] kv = line.split(":", 2);
                if (kv.length == 2) {
                    headers.put(kv[0].trim().toLowerCase(), kv[1].trim());
                }
            }
            parts.add(new Part(headers, Arrays.copyOfRange(body, headersEnd + 4, next)));
            pos = next + 2;
        }
        return parts;
    }

    static byte[] build(String boundary, String partType, List<byte[]> bodies) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] b : bodies) {
            out.writeBytes(("--" + boundary + "\r\nContent-Type: " + partType + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(b);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = Math.max(from, 0); i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
