package org.dicomsidecar.ingest;

import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParsingException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.dicomsidecar.json.Jsonp;

/** Reads a notification body as JSON, refusing bodies over a size limit before parsing them. */
public final class EventBodyReader {

    private EventBodyReader() {
    }

    public static JsonValue read(InputStream in, long maxBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[16 * 1024];
        try {
            for (int n; (n = in.read(buffer)) != -1; ) {
                if (out.size() + n > maxBytes) {
                    throw new InvalidEventException(413, "body: larger than " + maxBytes
                            + " bytes (sidecar.events.max-body-bytes)");
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // a body shorter than its Content-Length, a client gone or too slow: the caller's fault, not ours
            throw new InvalidEventException(400, "body: could not be read to its end (" + e.getClass().getSimpleName()
                    + "); was it cut short?");
        }
        if (out.size() == 0) {
            throw new InvalidEventException(400, "body: empty");
        }
        try (JsonReader reader = Jsonp.createReader(new ByteArrayInputStream(out.toByteArray()))) {
            return reader.readValue();
        } catch (JsonParsingException e) {
            var where = e.getLocation();
            throw new InvalidEventException(400, "body: not valid JSON"
                    + (where == null ? "" : " (line " + where.getLineNumber() + ", column " + where.getColumnNumber() + ")"));
        } catch (RuntimeException e) {
            throw new InvalidEventException(400, "body: not valid JSON");
        }
    }
}
