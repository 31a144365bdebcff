package org.dicomsidecar.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChangesCheckpointTest {

    private static final String ORTHANC = "http://127.0.0.1:18042";

    @TempDir
    Path dir;

    @Test
    void noFileIsNoCheckpoint() {
        assertEquals(OptionalLong.empty(), new ChangesCheckpoint(dir.resolve("cp"), ORTHANC).read());
    }

    @Test
    void writtenThenReadBackByAnotherInstance() throws IOException {
        Path file = dir.resolve("journal/cp"); // the folder is created on the first write
        new ChangesCheckpoint(file, ORTHANC).write(42);
        assertEquals(OptionalLong.of(42), new ChangesCheckpoint(file, ORTHANC).read());
        new ChangesCheckpoint(file, ORTHANC).write(1_000_000_000_000L);
        assertEquals(OptionalLong.of(1_000_000_000_000L), new ChangesCheckpoint(file, ORTHANC).read());
    }

    @Test
    void replacesTheOldFileAndLeavesNoTemporaryFile() throws IOException {
        ChangesCheckpoint cp = new ChangesCheckpoint(dir.resolve("cp"), ORTHANC);
        for (long seq = 0; seq < 20; seq++) {
            cp.write(seq);
        }
        assertEquals(OptionalLong.of(19), cp.read());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(java.util.List.of(dir.resolve("cp")), files.toList());
        }
    }

    @Test
    void aTemporaryFileLeftByACrashIsIgnoredAndOverwritten() throws IOException {
        ChangesCheckpoint cp = new ChangesCheckpoint(dir.resolve("cp"), ORTHANC);
        cp.write(7);
        Files.writeString(dir.resolve("cp.tmp"), "{\"source\": \"" + ORTHANC + "\", \"se"); // torn, never renamed
        assertEquals(OptionalLong.of(7), cp.read());
        cp.write(8);
        assertEquals(OptionalLong.of(8), cp.read());
        assertFalse(Files.exists(dir.resolve("cp.tmp")));
    }

    @Test
    void aCheckpointOfAnotherOrthancCountsAsNone() throws IOException {
        new ChangesCheckpoint(dir.resolve("cp"), "http://127.0.0.1:8042").write(500);
        assertEquals(OptionalLong.empty(), new ChangesCheckpoint(dir.resolve("cp"), ORTHANC).read());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "42", "{", "[]", "{\"source\": \"" + ORTHANC + "\"}",
            "{\"source\": \"" + ORTHANC + "\", \"seq\": -1}", "{\"source\": \"" + ORTHANC + "\", \"seq\": 1.5}",
            "{\"source\": \"" + ORTHANC + "\", \"seq\": \"3\"}"})
    void anUnreadableFileCountsAsNone(String content) throws IOException {
        Files.writeString(dir.resolve("cp"), content);
        assertEquals(OptionalLong.empty(), new ChangesCheckpoint(dir.resolve("cp"), ORTHANC).read());
        new ChangesCheckpoint(dir.resolve("cp"), ORTHANC).write(3); // and is replaced by the next write
        assertTrue(Files.readString(dir.resolve("cp")).contains("\"seq\":3"));
    }
}
