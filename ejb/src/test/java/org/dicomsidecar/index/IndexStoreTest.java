package org.dicomsidecar.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.LockObtainFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexStoreTest {

    private static final int SCHEMA = 3;
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);

    @TempDir
    Path temp;

    private Path folder() {
        return temp.resolve("index");
    }

    private IndexStore open() throws IOException {
        return IndexStore.open(folder(), SCHEMA, CLOCK);
    }

    static Document doc(String id, String kind, String study, String series) {
        Document doc = new Document();
        doc.add(new StringField(IndexFields.ID, id, Field.Store.YES));
        doc.add(new StringField(IndexFields.KIND, kind, Field.Store.YES));
        doc.add(new StringField(IndexFields.STUDY, study, Field.Store.YES));
        doc.add(new StringField(IndexFields.SERIES, series, Field.Store.YES));
        return doc;
    }

    static int count(IndexStore store) {
        return store.search(s -> {
            try {
                return s.count(new MatchAllDocsQuery());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static int count(IndexStore store, String field, String value) {
        return store.search(s -> {
            try {
                return s.count(new TermQuery(new Term(field, value)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** A committed index of three documents of one study at seq "7-abc". */
    private void committedIndex() throws IOException {
        try (IndexStore store = open()) {
            store.replace("st1", doc("st1", "study", "1.2", ""));
            store.replace("se1", doc("se1", "series", "1.2", "1.2.3"));
            store.replace("in1", doc("in1", "instance", "1.2", "1.2.3"));
            store.commit("7-abc");
        }
    }

    @Test
    void aNewFolderIsRebuiltThenACommitIsResumedFromItsCheckpoint() throws IOException {
        try (IndexStore store = open()) {
            assertEquals(IndexOpening.Action.REBUILD, store.opening().action());
            assertEquals("no index folder", store.opening().reason());
            assertTrue(store.checkpoint().isEmpty());
        }
        committedIndex();
        try (IndexStore store = open()) {
            assertEquals(IndexOpening.Action.RESUME, store.opening().action(), store.opening().reason());
            IndexCheckpoint expected = new IndexCheckpoint("7-abc", SCHEMA, CLOCK.instant());
            assertEquals(expected, store.opening().resumeFrom().orElseThrow());
            assertEquals(expected, store.checkpoint().orElseThrow());
            assertEquals(3, count(store));
        }
    }

    @Test
    void uncommittedUpdatesAreSearchableWithinASecondButGoneAfterAReopenWithoutCommit() throws Exception {
        committedIndex();
        try (IndexStore store = open()) {
            store.replace("in2", doc("in2", "instance", "1.2", "1.2.3"));
            store.delete("in1");
            long start = System.nanoTime();
            while (count(store, IndexFields.ID, "in2") == 0 && System.nanoTime() - start < 10_000_000_000L) {
                Thread.sleep(10);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            // 1 s is the contract; the margin is for a loaded machine
            assertTrue(millis < 3000, "searchable after " + millis + " ms without a refresh or commit");
            assertEquals(0, count(store, IndexFields.ID, "in1"));
        }
        try (IndexStore store = open()) {
            assertEquals(IndexOpening.Action.RESUME, store.opening().action());
            assertEquals("7-abc", store.checkpoint().orElseThrow().couchSeq());
            assertEquals(0, count(store, IndexFields.ID, "in2"), "uncommitted addition is gone");
            assertEquals(1, count(store, IndexFields.ID, "in1"), "uncommitted deletion is gone");
        }
    }

    @Test
    void aCopyTakenWhileUncommittedSegmentsLieOnDiskResumesFromTheLastCommit() throws IOException {
        committedIndex();
        Path crashed = temp.resolve("crashed");
        try (IndexStore store = open()) {
            store.replace("in2", doc("in2", "instance", "1.2", "1.2.3"));
            store.refresh(); // flushes a segment that no commit references
            Files.createDirectories(crashed);
            try (Stream<Path> files = Files.list(folder())) {
                for (Path f : files.toList()) {
                    Files.copy(f, crashed.resolve(f.getFileName()));
                }
            }
        }
        try (IndexStore store = IndexStore.open(crashed, SCHEMA, CLOCK)) {
            assertEquals(IndexOpening.Action.RESUME, store.opening().action(), store.opening().reason());
            assertEquals("7-abc", store.checkpoint().orElseThrow().couchSeq());
            assertEquals(0, count(store, IndexFields.ID, "in2"));
            assertEquals(3, count(store));
        }
    }

    @Test
    void aDeletedIndexFolderIsRebuilt() throws IOException {
        committedIndex();
        deleteTree(folder());
        try (IndexStore store = open()) {
            assertEquals(IndexOpening.Action.REBUILD, store.opening().action());
            assertEquals(0, count(store));
        }
    }

    @Test
    void anEmptyFolderOrAFolderOfForeignFilesIsRebuiltAndTheForeignFilesAreLeftAlone() throws IOException {
        Files.createDirectories(folder());
        try (IndexStore store = open()) {
            assertEquals(IndexOpening.Action.REBUILD, store.opening().action());
            assertEquals("the index folder is empty", store.opening().reason());
        }
        deleteTree(folder());
        Files.createDirectories(folder().resolve("sub"));
        Files.writeString(folder().resolve("notes.txt"), "keep me");
        Files.writeString(folder().resolve("sub").resolve("_0.cfs"), "keep me too");
        try (IndexStore store = open()) {
            assertEquals(IndexOpening.Action.REBUILD, store.opening().action());
            assertEquals("the folder holds no Lucene index commit", store.opening().reason());
        }
        assertEquals("keep me", Files.readString(folder().resolve("notes.txt")));
        assertEquals("keep me too", Files.readString(folder().resolve("sub").resolve("_0.cfs")));
    }

    @Test
    void everyTruncatedOrGarbledIndexFileLeadsToARebuildNeverToAnException() throws IOException {
        committedIndex();
        List<String> files = luceneFiles();
        assertFalse(files.isEmpty());
        for (String name : files) {
            for (boolean truncate : new boolean[] {true, false}) {
                deleteTree(folder());
                committedIndex();
                Path file = folder().resolve(name);
                if (truncate) {
                    try (var channel = Files.newByteChannel(file, StandardOpenOption.WRITE)) {
                        channel.truncate(Files.size(file) / 2);
                    }
                } else {
                    byte[] bytes = Files.readAllBytes(file);
                    bytes[bytes.length / 2] = (byte) ~bytes[bytes.length / 2];
                    Files.write(file, bytes);
                }
                try (IndexStore store = open()) {
                    assertEquals(IndexOpening.Action.REBUILD, store.opening().action(),
                            name + (truncate ? " truncated" : " garbled"));
                    assertEquals(0, count(store));
                }
            }
        }
    }

    @Test
    void aMissingSegmentFileLeadsToARebuild() throws IOException {
        committedIndex();
        String segmentFile = luceneFiles().stream().filter(n -> n.startsWith("_")).findFirst().orElseThrow();
        Files.delete(folder().resolve(segmentFile));
        try (IndexStore store = open()) {
            assertEquals(IndexOpening.Action.REBUILD, store.opening().action());
            assertTrue(store.opening().reason().contains("damaged"), store.opening().reason());
        }
    }

    @Test
    void anotherSchemaVersionLeadsToARebuild() throws IOException {
        committedIndex();
        try (IndexStore store = IndexStore.open(folder(), SCHEMA + 1, CLOCK)) {
            assertEquals(IndexOpening.Action.REBUILD, store.opening().action());
            assertEquals("the index has schema version 3, the current one is 4", store.opening().reason());
            assertEquals(0, count(store));
            assertTrue(store.checkpoint().isEmpty());
        }
    }

    @Test
    void aRebuildInterruptedBeforeItsFirstCommitIsRebuiltAgain() throws IOException {
        committedIndex();
        try (IndexStore store = IndexStore.open(folder(), SCHEMA + 1, CLOCK)) {
            store.replace("in1", doc("in1", "instance", "1.2", "1.2.3"));
        }
        try (IndexStore store = IndexStore.open(folder(), SCHEMA + 1, CLOCK)) {
            assertEquals(IndexOpening.Action.REBUILD, store.opening().action(), store.opening().reason());
        }
    }

    @Test
    void replaceByIdLeavesOneDocument() throws IOException {
        try (IndexStore store = open()) {
            store.replace("in1", doc("in1", "instance", "1.2", "1.2.3"));
            store.replace("in1", doc("in1", "instance", "1.2", "1.2.4"));
            store.refresh();
            assertEquals(1, count(store, IndexFields.ID, "in1"));
            assertEquals(1, count(store, IndexFields.SERIES, "1.2.4"));
            assertThrows(IllegalArgumentException.class, () -> store.replace("in2", doc("in1", "instance", "1.2", "1.2.3")));
        }
    }

    @Test
    void deleteStudyRemovesTheStudysEveryDocumentAndNoOther() throws IOException {
        committedIndex();
        try (IndexStore store = open()) {
            store.replace("in9", doc("in9", "instance", "9.9", "9.9.9"));
            store.deleteStudy("1.2");
            store.refresh();
            assertEquals(0, count(store, IndexFields.STUDY, "1.2"));
            assertEquals(1, count(store));
        }
    }

    @Test
    void theRefresherStopsOnClose() throws IOException {
        IndexStore store = open();
        assertTrue(refresherAlive(), "the refresher runs while the store is open");
        store.close();
        assertFalse(refresherAlive(), "no refresher thread after close");
    }

    @Test
    void aSecondStoreOnTheSameFolderFailsClearlyAndWipesNothing() throws IOException {
        committedIndex();
        try (IndexStore first = open()) {
            LockObtainFailedException e = assertThrows(LockObtainFailedException.class, () -> open());
            assertTrue(e.getMessage().contains("in use by another index store"), e.getMessage());
            assertEquals(3, count(first));
        }
        try (IndexStore again = open()) {
            assertEquals(IndexOpening.Action.RESUME, again.opening().action());
            assertEquals(3, count(again));
        }
    }

    private static boolean refresherAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals(IndexStore.REFRESHER_THREAD) && t.isAlive());
    }

    private List<String> luceneFiles() throws IOException {
        try (Stream<Path> files = Files.list(folder())) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> IndexFolder.isLuceneFile(n) && !n.equals("write.lock")).sorted().toList();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
