package org.dicomsidecar.ingest;

import jakarta.json.JsonValue;
import java.io.InputStream;
import org.dicomsidecar.json.JsonBody;

/** Reads a notification body as JSON, refusing bodies over a size limit before parsing them. */
public final class EventBodyReader {

    private EventBodyReader() {
    }

    public static JsonValue read(InputStream in, long maxBytes) {
        try {
            return JsonBody.read(in, maxBytes, "sidecar.events.max-body-bytes");
        } catch (JsonBody.RefusedException e) {
            throw new InvalidEventException(e.tooLarge() ? 413 : 400, "body: " + e.getMessage());
        }
    }
}
