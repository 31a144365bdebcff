package org.dicomsidecar.delegation;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Replaces every occurrence of one byte sequence by another while streaming, in constant memory.
 * Bytes that may still turn into a match are held back; they always equal {@code needle[0..matched)},
 * so they need no buffer of their own. Knuth-Morris-Pratt handles overlapping partial matches.
 */
public final class ReplacingOutputStream extends FilterOutputStream {

    private final byte[] needle;
    private final byte[] replacement;
    private final int[] failure;
    private int matched;

    public ReplacingOutputStream(OutputStream out, byte[] needle, byte[] replacement) {
        super(out);
        if (needle.length == 0) {
            throw new IllegalArgumentException("empty needle");
        }
        this.needle = needle.clone();
        this.replacement = replacement.clone();
        this.failure = failureFunction(this.needle);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        int end = off + len;
        int runStart = off; // first byte of b neither written nor held
        for (int i = off; i < end; i++) {
            byte c = b[i];
            if (matched == 0 && c != needle[0]) {
                continue; // the common case: part of a plain run
            }
            if (matched == 0) {
                out.write(b, runStart, i - runStart);
            }
            while (matched > 0 && needle[matched] != c) {
                int k = failure[matched - 1];
                out.write(needle, 0, matched - k); // what can no longer start a match
                matched = k;
            }
            if (needle[matched] == c) {
                matched++;
                runStart = i + 1;
                if (matched == needle.length) {
                    out.write(replacement);
                    matched = 0;
                }
            } else {
                runStart = i; // matched is 0 here: c starts a new plain run
            }
        }
        if (matched == 0 && end > runStart) {
            out.write(b, runStart, end - runStart);
        }
    }

    @Override
    public void close() throws IOException {
        if (matched > 0) {
            out.write(needle, 0, matched);
            matched = 0;
        }
        super.close();
    }

    private static int[] failureFunction(byte[] p) {
        int[] f = new int[p.length];
        int k = 0;
        for (int i = 1; i < p.length; i++) {
            while (k > 0 && p[i] != p[k]) {
                k = f[k - 1];
            }
            if (p[i] == p[k]) {
                k++;
            }
            f[i] = k;
        }
        return f;
    }
}
