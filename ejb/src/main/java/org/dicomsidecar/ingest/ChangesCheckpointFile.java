package org.dicomsidecar.ingest;

import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.dicomsidecar.json.Jsonp;

/**
 * How far a single node had read a host's change log when it kept that in a file beside its journal, one small
 * JSON object {@code {"source": "<the host's URL>", "seq": n}}: read, never written, as where to resume until the
 * checkpoint in CouchDB ({@link CouchChangesCheckpoint}) is first written. A checkpoint written for another URL
 * counts as none: a different archive's sequence numbers mean nothing here.
 */
public final class ChangesCheckpointFile {

    private static final Logger LOG = Logger.getLogger(ChangesCheckpointFile.class.getName());

    private final Path file;
    private final String source;
    private volatile boolean toldOtherSource;

    /**
     * @param file where the checkpoint lives
     * @param source the URL of the change log, shown without user info
     */
    public ChangesCheckpointFile(Path file, String source) {
        this.file = file;
        this.source = source;
    }

    /** The saved sequence number; empty when there is none, it is for another source, or unreadable. */
    public OptionalLong read() {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Cannot read the checkpoint {0}, ignoring it: {1}", new Object[]{file, e});
            return OptionalLong.empty();
        }
        try (JsonReader r = Jsonp.createReader(new StringReader(text))) {
            JsonObject o = r.readObject();
            JsonNumber seq = o.getJsonNumber("seq");
            if (!source.equals(o.getString("source", null))) {
                if (!toldOtherSource) { // read again at every poll until CouchDB has one: say it once
                    toldOtherSource = true;
                    LOG.log(Level.INFO, "The checkpoint {0} is for {1}, not {2}: ignoring it",
                            new Object[]{file, o.getString("source", "?"), source});
                }
                return OptionalLong.empty();
            }
            if (seq == null || !seq.isIntegral() || seq.longValue() < 0) {
                throw new JsonException("no whole number \"seq\"");
            }
            return OptionalLong.of(seq.longValue());
        } catch (JsonException | ClassCastException e) {
            LOG.log(Level.WARNING, "The checkpoint {0} is unreadable, ignoring it: {1}", new Object[]{file, e.getMessage()});
            return OptionalLong.empty();
        }
    }
}
