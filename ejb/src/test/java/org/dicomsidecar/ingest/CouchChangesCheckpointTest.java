package org.dicomsidecar.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.dicomsidecar.couchdb.CouchUnavailableException;
import org.dicomsidecar.couchdb.RevisedDocuments;
import org.dicomsidecar.json.Jsonp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CouchChangesCheckpointTest {

    private static final String SOURCE = "http://127.0.0.1:18042";
    private static final String ID = "sidecar-checkpoint:orthanc-changes";

    /** Documents by id with CouchDB's revision check; {@code racing} writes that many times first, as another node. */
    private static final class FakeDocuments implements RevisedDocuments {
        final Map<String, JsonObject> docs = new HashMap<>();
        int revisions;
        int racing;
        boolean down;

        @Override
        public Optional<JsonObject> get(String id) {
            if (down) {
                throw new CouchUnavailableException("CouchDB is down", null);
            }
            return Optional.ofNullable(docs.get(id));
        }

        @Override
        public Optional<String> putUnlessConflict(JsonObject doc) {
            if (down) {
                throw new CouchUnavailableException("CouchDB is down", null);
            }
            String id = doc.getString("_id");
            if (racing > 0) {
                racing--;
                store(Jsonp.createObjectBuilder(doc).add("seq", -7).add("node", "other").build());
                return Optional.empty();
            }
            JsonObject current = docs.get(id);
            String expected = current == null ? null : current.getString("_rev");
            if (!java.util.Objects.equals(expected, doc.getString("_rev", null))) {
                return Optional.empty();
            }
            return Optional.of(store(doc));
        }

        private String store(JsonObject doc) {
            String rev = (++revisions) + "-x";
            docs.put(doc.getString("_id"), Jsonp.createObjectBuilder(doc).add("_rev", rev).build());
            return rev;
        }
    }

    private final FakeDocuments couch = new FakeDocuments();

    private CouchChangesCheckpoint checkpoint(Path dir) {
        return new CouchChangesCheckpoint(couch, "orthanc-changes", SOURCE, "node-a",
                new ChangesCheckpointFile(dir.resolve("orthanc-changes.checkpoint"), SOURCE)::read);
    }

    /** The file a single node kept beside its journal. */
    private static void writeFile(Path dir, long seq) throws IOException {
        Files.writeString(dir.resolve("orthanc-changes.checkpoint"), "{\"source\":\"" + SOURCE + "\",\"seq\":" + seq + "}\n");
    }

    @Test
    void writesAndReadsTheSequenceUnderItsRevision(@TempDir Path dir) throws IOException {
        CouchChangesCheckpoint c = checkpoint(dir);
        assertEquals(OptionalLong.empty(), c.read());
        c.write(5);
        c.write(17);
        assertEquals(OptionalLong.of(17), c.read());
        JsonObject doc = couch.docs.get(ID);
        assertEquals("checkpoint", doc.getString("type"));
        assertEquals(SOURCE, doc.getString("source"));
        assertEquals("node-a", doc.getString("node"));
        assertEquals(OptionalLong.of(17), checkpoint(dir).read(), "another node reads the same");
    }

    @Test
    void theFileAnOlderVersionKeptIsReadUntilTheFirstWrite(@TempDir Path dir) throws IOException {
        writeFile(dir, 42);
        CouchChangesCheckpoint c = checkpoint(dir);
        assertEquals(OptionalLong.of(42), c.read());
        c.write(43);
        writeFile(dir, 1);
        assertEquals(OptionalLong.of(43), c.read(), "CouchDB's wins once written");
    }

    @Test
    void aCheckpointWrittenUnderAnotherUrlIsResumedOneWithoutASequenceIsNone(@TempDir Path dir) {
        // another node reaches the same archive under another name
        couch.store(Jsonp.createObjectBuilder().add("_id", ID).add("source", "http://orthanc.example:8042")
                .add("seq", 9).add("node", "node-b").build());
        assertEquals(OptionalLong.of(9), checkpoint(dir).read());
        couch.docs.clear();
        couch.store(Jsonp.createObjectBuilder().add("_id", ID).add("source", SOURCE).add("seq", "9").build());
        assertEquals(OptionalLong.empty(), checkpoint(dir).read());
    }

    @Test
    void aConflictIsReadAgainAndRetried(@TempDir Path dir) throws IOException {
        CouchChangesCheckpoint c = checkpoint(dir);
        c.write(1);
        couch.racing = 2;
        c.write(2);
        assertEquals(OptionalLong.of(2), c.read());
        couch.racing = 5;
        assertThrows(IOException.class, () -> c.write(3), "a write that keeps losing fails: the page is read again");
    }

    @Test
    void couchDbDownFailsTheReadAndTheWrite(@TempDir Path dir) {
        CouchChangesCheckpoint c = checkpoint(dir);
        couch.down = true;
        assertThrows(CouchUnavailableException.class, c::read);
        assertThrows(CouchUnavailableException.class, () -> c.write(1));
    }
}
