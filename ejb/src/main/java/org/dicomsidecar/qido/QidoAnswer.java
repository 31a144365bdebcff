package org.dicomsidecar.qido;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.List;
import java.util.SortedMap;
import org.dicomsidecar.json.JsonMembers;
import org.dicomsidecar.json.Jsonp;

/**
 * A QIDO-RS answer: its rows, each a DICOM JSON dataset as elements by tag, each element's value as JSON text
 * (stored text spliced in, not parsed), written out as one DICOM JSON array.
 */
public record QidoAnswer(List<SortedMap<String, String>> rows) {

    public int size() {
        return rows.size();
    }

    /** Writes the answer as a DICOM JSON array. */
    public void writeTo(Writer w) {
        try {
            w.write('[');
            for (int r = 0; r < rows.size(); r++) {
                if (r > 0) {
                    w.write(',');
                }
                w.write('{');
                boolean first = true;
                for (var e : rows.get(r).entrySet()) {
                    if (!first) {
                        w.write(',');
                    }
                    first = false;
                    JsonMembers.writeQuoted(w, e.getKey());
                    w.write(':');
                    w.write(e.getValue());
                }
                w.write('}');
            }
            w.write(']');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The answer as JSON-P values (for comparing it with another answer). */
    public JsonArray toJsonArray() {
        JsonArrayBuilder out = Jsonp.createArrayBuilder();
        rows.forEach(r -> out.add(JsonMembers.toObject(r)));
        return out.build();
    }

    @Override
    public String toString() {
        StringWriter w = new StringWriter();
        writeTo(w);
        return w.toString();
    }
}
