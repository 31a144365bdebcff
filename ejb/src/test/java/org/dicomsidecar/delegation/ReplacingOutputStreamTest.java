package org.dicomsidecar.delegation;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ReplacingOutputStream} must give exactly what {@link String#replace(CharSequence, CharSequence)} gives
 * (left-most, non-overlapping, no re-scan of replacements), however the input is cut into writes.
 */
class ReplacingOutputStreamTest {

    private static final String HOST = "http://127.0.0.1:18042/dicom-web";
    private static final String SIDECAR = "http://localhost:8080/dicom-sidecar/dicomweb";

    /** A sink that records whether it was closed. */
    private static final class Sink extends ByteArrayOutputStream {
        int closes;

        @Override
        public void close() {
            closes++;
        }

        String text() {
            return new String(toByteArray(), ISO_8859_1);
        }
    }

    private enum Style { RANDOM_CHUNKS, SINGLE_BYTES_INT, SINGLE_BYTE_ARRAYS, ONE_WRITE, MIXED_WITH_FLUSH }

    /** Writes {@code input} through a fresh stream in the given style and returns what reached the sink. */
    private static byte[] through(byte[] input, byte[] needle, byte[] replacement, Style style, Random rnd)
            throws IOException {
        Sink sink = new Sink();
        ReplacingOutputStream out = new ReplacingOutputStream(sink, needle, replacement);
        switch (style) {
            case ONE_WRITE -> out.write(input);
            case SINGLE_BYTES_INT -> {
                for (byte b : input) {
                    out.write(b); // negative ints for bytes >= 0x80: only the low 8 bits count
                }
            }
            case SINGLE_BYTE_ARRAYS -> {
                for (int i = 0; i < input.length; i++) {
                    out.write(input, i, 1);
                }
            }
            case RANDOM_CHUNKS, MIXED_WITH_FLUSH -> writeInRandomChunks(out, input, rnd, style == Style.MIXED_WITH_FLUSH);
        }
        out.close();
        assertEquals(1, sink.closes, "close must reach the underlying stream once");
        return sink.toByteArray();
    }

    private static void writeInRandomChunks(OutputStream out, byte[] input, Random rnd, boolean flushes)
            throws IOException {
        int pos = 0;
        while (pos < input.length) {
            int len = Math.min(input.length - pos, rnd.nextInt(4) == 0 ? 1 : 1 + rnd.nextInt(Math.max(1, 12)));
            switch (rnd.nextInt(4)) {
                case 0 -> {
                    for (int i = 0; i < len; i++) {
                        out.write(input[pos + i] & 0xff);
                    }
                }
                case 1 -> out.write(Arrays.copyOfRange(input, pos, pos + len));
                case 2 -> {
                    // the chunk embedded in a larger array, surrounded by bytes that must not be read
                    int pad = rnd.nextInt(5);
                    byte[] padded = new byte[pad + len + rnd.nextInt(5)];
                    Arrays.fill(padded, (byte) 'Z');
                    System.arraycopy(input, pos, padded, pad, len);
                    out.write(padded, pad, len);
                }
                default -> {
                    out.write(input, pos, 0); // empty writes change nothing
                    out.write(input, pos, len);
                }
            }
            if (flushes && rnd.nextInt(3) == 0) {
                out.flush(); // a flush must not break a match that spans it
            }
            pos += len;
        }
    }

    private static void assertSameAsStringReplace(String input, String needle, String replacement, Random rnd)
            throws IOException {
        String expected = input.replace(needle, replacement);
        byte[] in = input.getBytes(UTF_8);
        byte[] n = needle.getBytes(UTF_8);
        byte[] r = replacement.getBytes(UTF_8);
        for (Style style : Style.values()) {
            byte[] actual = through(in, n, r, style, rnd);
            assertEquals(expected, new String(actual, UTF_8),
                    () -> "input '" + input + "', needle '" + needle + "', replacement '" + replacement + "', " + style);
        }
    }

    @Test
    void matchesStringReplaceOnRandomInputsOverSmallAlphabets() throws IOException {
        Random rnd = new Random(20240611L);
        List<String> alphabets = List.of("ab", "abc", "a");
        List<String> needles = List.of("a", "b", "ab", "aab", "abab", "aaa", "aba", "abaab", "abcab", "aabaaab", "cab");
        List<String> replacements = List.of("", "x", "XYZW-longer-than-any-needle", "b", "a", "aab", "ab");
        for (int round = 0; round < 1500; round++) {
            String alphabet = alphabets.get(rnd.nextInt(alphabets.size()));
            int length = rnd.nextInt(40);
            StringBuilder sb = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            String needle = needles.get(rnd.nextInt(needles.size()));
            String replacement = replacements.get(rnd.nextInt(replacements.size()));
            assertSameAsStringReplace(sb.toString(), needle, replacement, rnd);
        }
    }

    @Test
    void matchesStringReplaceOnEveryShortInputSplitAtEveryPoint() throws IOException {
        // exhaustive over {a,b}^0..9, each input cut once at every position: catches any boundary bug
        List<String> needles = List.of("aab", "abab", "aaa", "a", "aba", "bb");
        for (String needle : needles) {
            byte[] n = needle.getBytes(ISO_8859_1);
            byte[] r = "<R>".getBytes(ISO_8859_1);
            for (int length = 0; length <= 9; length++) {
                for (int bits = 0; bits < (1 << length); bits++) {
                    char[] cs = new char[length];
                    for (int i = 0; i < length; i++) {
                        cs[i] = (bits & (1 << i)) != 0 ? 'b' : 'a';
                    }
                    String input = new String(cs);
                    String expected = input.replace(needle, "<R>");
                    byte[] in = input.getBytes(ISO_8859_1);
                    for (int cut = 0; cut <= length; cut++) {
                        Sink sink = new Sink();
                        try (ReplacingOutputStream out = new ReplacingOutputStream(sink, n, r)) {
                            out.write(in, 0, cut);
                            out.write(in, cut, length - cut);
                        }
                        assertEquals(expected, sink.text(), "input " + input + " cut at " + cut + ", needle " + needle);
                    }
                }
            }
        }
    }

    @Test
    void rewritesHostUrlsInsideJsonWrittenInRandomChunks() throws IOException {
        Random rnd = new Random(42L);
        String[] fillers = {
                "{\"00081190\":{\"vr\":\"UR\",\"Value\":[\"" + HOST + "/studies/1.2.840.113619.2.55.3\"]}}",
                "{\"00100010\":{\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":\"Müller^Jürgen=山田^太郎\"}]}}",
                "\"BulkDataURI\":\"" + HOST + "/studies/1.2/series/3.4/instances/5.6/bulk/7FE00010\"",
                "http://127.0.0.1:18042/dicom-wex", // near miss: last byte differs
                "http://127.0.0.1:18042/dicom-we", // near miss: needle cut short
                "http://127.0.0.1:1804" + HOST, // near miss running into a real match
                HOST + HOST, // adjacent repeats
                "hhttp://127.0.0.1:18042/dicom-web", // match after a false start
                ",", "\n", " ",
        };
        for (int round = 0; round < 300; round++) {
            StringBuilder json = new StringBuilder(rnd.nextBoolean() ? HOST : "[");
            int parts = rnd.nextInt(30);
            for (int i = 0; i < parts; i++) {
                json.append(fillers[rnd.nextInt(fillers.length)]);
            }
            switch (rnd.nextInt(3)) {
                case 0 -> json.append(HOST); // needle at the very end
                case 1 -> json.append(HOST, 0, 1 + rnd.nextInt(HOST.length() - 1)); // partial needle at the end
                default -> json.append("]");
            }
            String replacement = switch (rnd.nextInt(3)) {
                case 0 -> SIDECAR; // longer
                case 1 -> "http://s/dw"; // shorter
                default -> ""; // empty
            };
            assertSameAsStringReplace(json.toString(), HOST, replacement, rnd);
        }
    }

    @Test
    void needleSplitAcrossEveryChunkBoundary() throws IOException {
        String input = "{\"url\":\"" + HOST + "/studies\"}";
        String expected = input.replace(HOST, SIDECAR);
        byte[] in = input.getBytes(UTF_8);
        for (int chunk = 1; chunk <= in.length; chunk++) {
            Sink sink = new Sink();
            try (ReplacingOutputStream out = new ReplacingOutputStream(sink, HOST.getBytes(UTF_8), SIDECAR.getBytes(UTF_8))) {
                for (int pos = 0; pos < in.length; pos += chunk) {
                    out.write(in, pos, Math.min(chunk, in.length - pos));
                }
            }
            assertEquals(expected, new String(sink.toByteArray(), UTF_8), "chunk size " + chunk);
        }
    }

    @Test
    void needleAtStartAtEndAndAdjacentRepeats() throws IOException {
        Random rnd = new Random(7L);
        assertSameAsStringReplace("aabxyz", "aab", "R", rnd);
        assertSameAsStringReplace("xyzaab", "aab", "R", rnd);
        assertSameAsStringReplace("aab", "aab", "R", rnd);
        assertSameAsStringReplace("aabaabaab", "aab", "R", rnd);
        assertSameAsStringReplace("aaaaaaa", "aaa", "R", rnd); // non-overlapping: RRa
        assertSameAsStringReplace("abababab", "abab", "", rnd);
        assertSameAsStringReplace("ababab", "abab", "R", rnd); // Rab, not abR
        assertSameAsStringReplace(HOST + HOST + "/x" + HOST, HOST, SIDECAR, rnd);
        assertEquals("RRa", replaceAll("aaaaaaa", "aaa", "R"));
        assertEquals("Rab", replaceAll("ababab", "abab", "R"));
    }

    @Test
    void partialNeedleAtTheEndIsHeldBackUntilClose() throws IOException {
        Sink sink = new Sink();
        ReplacingOutputStream out = new ReplacingOutputStream(sink, "aab".getBytes(ISO_8859_1), "R".getBytes(ISO_8859_1));
        out.write("xyzaa".getBytes(ISO_8859_1));
        out.flush();
        assertEquals("xyz", sink.text(), "plain bytes go out at once; a possible match start is held");
        out.close();
        assertEquals("xyzaa", sink.text(), "held bytes must be written on close");
        assertEquals(1, sink.closes);
    }

    @Test
    void partialUrlAtTheEndOfAStreamIsFlushedOnClose() throws IOException {
        String input = "{\"a\":\"" + HOST + "\"} http://127.0.0.1:18042/dic";
        assertEquals(input.replace(HOST, SIDECAR), replaceAll(input, HOST, SIDECAR));
    }

    @Test
    void closingTwiceWritesHeldBytesOnlyOnce() throws IOException {
        Sink sink = new Sink();
        ReplacingOutputStream out = new ReplacingOutputStream(sink, "abc".getBytes(ISO_8859_1), "X".getBytes(ISO_8859_1));
        out.write("zab".getBytes(ISO_8859_1));
        out.close();
        out.close();
        assertEquals("zab", sink.text());
    }

    @Test
    void outputSoFarIsAlwaysAPrefixOfTheResultAndHoldsBackLessThanTheNeedle() throws IOException {
        // constant memory: at any time, at most needle.length - 1 bytes are held back
        Random rnd = new Random(99L);
        String needle = "abaab";
        for (int round = 0; round < 200; round++) {
            StringBuilder sb = new StringBuilder();
            int length = rnd.nextInt(60);
            for (int i = 0; i < length; i++) {
                sb.append("ab".charAt(rnd.nextInt(2)));
            }
            String input = sb.toString();
            Sink sink = new Sink();
            ReplacingOutputStream out = new ReplacingOutputStream(sink, needle.getBytes(ISO_8859_1), "#".getBytes(ISO_8859_1));
            for (int i = 0; i < input.length(); i++) {
                out.write(input.charAt(i));
                String ifClosedNow = input.substring(0, i + 1).replace(needle, "#");
                String soFar = sink.text();
                assertTrue(ifClosedNow.startsWith(soFar), () -> "'" + soFar + "' is not a prefix of '" + ifClosedNow + "'");
                assertTrue(ifClosedNow.length() - soFar.length() < needle.length(),
                        () -> "holds back too much: '" + soFar + "' of '" + ifClosedNow + "'");
            }
            out.close();
            assertEquals(input.replace(needle, "#"), sink.text());
        }
    }

    @Test
    void longPlainRunsPassStraightThrough() throws IOException {
        byte[] big = new byte[1 << 20];
        Arrays.fill(big, (byte) 'x');
        Sink sink = new Sink();
        ReplacingOutputStream out = new ReplacingOutputStream(sink, HOST.getBytes(UTF_8), SIDECAR.getBytes(UTF_8));
        out.write(big);
        assertEquals(big.length, sink.size(), "a run without the needle's first byte must not be held");
        out.close();
        assertArrayEquals(big, sink.toByteArray());
    }

    @Test
    void replacementIsNotScannedAgain() throws IOException {
        assertEquals("aaaa", replaceAll("aa", "a", "aa"));
        assertEquals("aabaab", replaceAll("aab", "aab", "aabaab"));
        assertEquals("x" + HOST + "/sub", replaceAll("x" + HOST, HOST, HOST + "/sub"));
    }

    @Test
    void highBytesAndWriteIntUseOnlyTheLowEightBits() throws IOException {
        byte[] needle = {(byte) 0xFF, (byte) 0x80};
        byte[] replacement = {1, 2, 3};
        Sink sink = new Sink();
        try (ReplacingOutputStream out = new ReplacingOutputStream(sink, needle, replacement)) {
            out.write(0x7F);
            out.write(-1); // 0xFF
            out.write(0x180); // 0x80
            out.write(0xFF);
            out.write(0xFF);
            out.write(0x80);
            out.write(0xFF);
        }
        assertArrayEquals(new byte[]{0x7F, 1, 2, 3, (byte) 0xFF, 1, 2, 3, (byte) 0xFF}, sink.toByteArray());
    }

    @Test
    void needleAndReplacementAreCopiedAtConstruction() throws IOException {
        byte[] needle = "ab".getBytes(ISO_8859_1);
        byte[] replacement = "X".getBytes(ISO_8859_1);
        Sink sink = new Sink();
        try (ReplacingOutputStream out = new ReplacingOutputStream(sink, needle, replacement)) {
            needle[0] = 'q';
            replacement[0] = 'Q';
            out.write("zabz".getBytes(ISO_8859_1));
        }
        assertEquals("zXz", sink.text());
    }

    @Test
    void emptyNeedleIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> new ReplacingOutputStream(new Sink(), new byte[0], "x".getBytes(ISO_8859_1)));
    }

    @Test
    void emptyInputGivesEmptyOutput() throws IOException {
        assertEquals("", replaceAll("", "a", "b"));
    }

    private static String replaceAll(String input, String needle, String replacement) throws IOException {
        Sink sink = new Sink();
        try (ReplacingOutputStream out = new ReplacingOutputStream(sink, needle.getBytes(UTF_8), replacement.getBytes(UTF_8))) {
            out.write(input.getBytes(UTF_8));
        }
        return new String(sink.toByteArray(), UTF_8);
    }
}
