package org.dicomsidecar.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChangesCheckpointFileTest {

    private static final String ORTHANC = "http://127.0.0.1:18042";

    @TempDir
    Path dir;

    /** What a single node wrote beside its journal: {"source": ..., "seq": n} and a newline. */
    private Path written(String source, long seq) throws IOException {
        return Files.writeString(dir.resolve("cp"), "{\"source\":\"" + source + "\",\"seq\":" + seq + "}\n");
    }

    @Test
    void noFileIsNoCheckpoint() {
        assertEquals(OptionalLong.empty(), new ChangesCheckpointFile(dir.resolve("cp"), ORTHANC).read());
    }

    @Test
    void readsWhatASingleNodeWrote() throws IOException {
        assertEquals(OptionalLong.of(42), new ChangesCheckpointFile(written(ORTHANC, 42), ORTHANC).read());
        assertEquals(OptionalLong.of(1_000_000_000_000L),
                new ChangesCheckpointFile(written(ORTHANC, 1_000_000_000_000L), ORTHANC).read());
    }

    @Test
    void aCheckpointOfAnotherOrthancCountsAsNone() throws IOException {
        Path file = written("http://127.0.0.1:8042", 500);
        assertEquals(OptionalLong.empty(), new ChangesCheckpointFile(file, ORTHANC).read());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "42", "{", "[]", "{\"source\": \"" + ORTHANC + "\"}",
            "{\"source\": \"" + ORTHANC + "\", \"seq\": -1}", "{\"source\": \"" + ORTHANC + "\", \"seq\": 1.5}",
            "{\"source\": \"" + ORTHANC + "\", \"seq\": \"3\"}"})
    void anUnreadableFileCountsAsNone(String content) throws IOException {
        Files.writeString(dir.resolve("cp"), content);
        assertEquals(OptionalLong.empty(), new ChangesCheckpointFile(dir.resolve("cp"), ORTHANC).read());
    }
}
