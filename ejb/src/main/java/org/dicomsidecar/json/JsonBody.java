package org.dicomsidecar.json;

import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParsingException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a request body as one JSON value, refusing it unparsed once it grows past a limit. What is wrong is
 * said without quoting the body (it may hold patients' names): too large, cut short, empty, or not JSON at
 * line L, column C.
 */
public final class JsonBody {

    private JsonBody() {
    }

    /** Why a body was refused: {@link #tooLarge()} for a 413, otherwise the body is malformed (400). */
    public static final class RefusedException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean tooLarge;

        RefusedException(boolean tooLarge, String message) {
            super(message);
            this.tooLarge = tooLarge;
        }

        public boolean tooLarge() {
            return tooLarge;
        }
    }

    /** The body as JSON; {@code limit} names the limit in the message of a too-large refusal. */
    public static JsonValue read(InputStream in, long maxBytes, String limit) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[16 * 1024];
        try {
            for (int n; (n = in.read(buffer)) != -1; ) {
                if (out.size() + n > maxBytes) {
                    throw new RefusedException(true, "larger than " + maxBytes + " bytes (" + limit + ")");
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // a body shorter than its Content-Length, a client gone or too slow: the caller's fault, not ours
            throw new RefusedException(false, "could not be read to its end (" + e.getClass().getSimpleName()
                    + "); was it cut short?");
        }
        if (out.size() == 0) {
            throw new RefusedException(false, "empty");
        }
        try (JsonReader reader = Jsonp.createReader(new ByteArrayInputStream(out.toByteArray()))) {
            return reader.readValue();
        } catch (JsonParsingException e) {
            var where = e.getLocation();
            throw new RefusedException(false, "not valid JSON"
                    + (where == null ? "" : " (line " + where.getLineNumber() + ", column " + where.getColumnNumber() + ")"));
        } catch (RuntimeException e) {
            throw new RefusedException(false, "not valid JSON");
        }
    }
}
