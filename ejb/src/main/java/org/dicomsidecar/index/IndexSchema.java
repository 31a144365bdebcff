package org.dicomsidecar.index;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.dicomsidecar.json.Jsonp;

/**
 * The version of the mapping from documents to fields ({@code index/schema.json}): raise it with every change
 * of {@link IndexFields} or {@link DocumentMapper}, so that the store rebuilds an index written by another one.
 */
public final class IndexSchema {

    static final String RESOURCE = "/index/schema.json";

    private static final int VERSION = read();

    private IndexSchema() {
    }

    public static int version() {
        return VERSION;
    }

    private static int read() {
        try (InputStream in = IndexSchema.class.getResourceAsStream(RESOURCE);
             JsonReader reader = in == null ? null : Jsonp.createReader(in)) {
            if (reader == null) {
                throw new IllegalStateException(RESOURCE + " is missing");
            }
            JsonObject schema = reader.readObject();
            if (!(schema.get("version") instanceof JsonNumber n) || !n.isIntegral() || n.longValue() < 1
                    || n.longValue() > Integer.MAX_VALUE) {
                throw new IllegalStateException(RESOURCE + ": \"version\" must be a positive whole number");
            }
            return n.intValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
