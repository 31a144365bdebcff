package org.dicomsidecar.ingest;

import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.dicomsidecar.json.Jsonp;

/**
 * How far the sidecar has read a host's change log: one small JSON file,
 * {@code {"source": "<the host's URL>", "seq": n}}. Written to a temporary file, forced to disk and renamed
 * over the old one (and the folder forced), so a crash leaves either the old or the new checkpoint, never a
 * torn one. A checkpoint written for another URL counts as none: a different archive's sequence numbers mean
 * nothing here.
 */
public final class ChangesCheckpoint implements ChangesPosition {

    private static final Logger LOG = Logger.getLogger(ChangesCheckpoint.class.getName());

    private final Path file;
    private final String source;
    private volatile boolean toldOtherSource;

    /**
     * @param file where the checkpoint lives (its folder is created on the first write)
     * @param source the URL of the change log, shown without user info
     */
    public ChangesCheckpoint(Path file, String source) {
        this.file = file;
        this.source = source;
    }

    public Path file() {
        return file;
    }

    /** The saved sequence number; empty when there is none, it is for another source, or unreadable. */
    @Override
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
                if (!toldOtherSource) { // read again at every poll until the first write: say it once
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

    /** Saves the sequence number durably (returns once it is on disk). */
    @Override
    public void write(long seq) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = dir.resolve(file.getFileName() + ".tmp");
        byte[] bytes = (Jsonp.createObjectBuilder().add("source", source).add("seq", seq).build() + "\n")
                .getBytes(StandardCharsets.UTF_8);
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        forceFolder(dir);
    }

    /** The rename is durable once the folder is: possible on Linux, not everywhere. */
    private static void forceFolder(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not supported on this platform: the rename is as durable as the platform makes it
        }
    }
}
