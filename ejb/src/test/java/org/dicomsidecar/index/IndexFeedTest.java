package org.dicomsidecar.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.TermQuery;
import org.dicomsidecar.json.Jsonp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index follows an in-memory CouchDB's changes: updates, deletions, restarts, and rebuilds. */
class IndexFeedTest {

    private static final Duration A_MINUTE = Duration.ofMinutes(1);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path folder;

    /** A database with a changes feed: every write gets the next sequence; a deletion too. */
    static final class InMemoryCouch implements IndexFeed.Source {
        private final List<Map.Entry<String, Boolean>> log = new ArrayList<>(); // (id, deleted) by seq - 1
        private final Map<String, JsonObject> documents = new LinkedHashMap<>();
        int pagesRead;

        void put(JsonObject doc) {
            documents.put(doc.getString("_id"), doc);
            log.add(Map.entry(doc.getString("_id"), false));
        }

        void delete(String id) {
            documents.remove(id);
            log.add(Map.entry(id, true));
        }

        @Override
        public Changes changesSince(String since, int limit) {
            pagesRead++;
            int from = Integer.parseInt(since);
            List<Change> page = new ArrayList<>();
            int seq = from;
            for (int i = from; i < log.size() && page.size() < limit; i++) {
                page.add(new Change(log.get(i).getKey(), log.get(i).getValue()));
                seq = i + 1;
            }
            return new Changes(page, Integer.toString(seq));
        }

        @Override
        public List<JsonObject> documents(Collection<String> ids) {
            return ids.stream().filter(documents::containsKey).map(documents::get).toList();
        }
    }

    static JsonObject instance(String study, String series, String sop, String modality) {
        JsonObject dicom = Jsonp.createObjectBuilder()
                .add("0020000D", element("UI", study))
                .add("0020000E", element("UI", series))
                .add("00080018", element("UI", sop))
                .add("00080060", element("CS", modality))
                .build();
        return Jsonp.createObjectBuilder().add("_id", "instance:" + sop).add("type", "instance")
                .add("study", study).add("series", series).add("sop", sop).add("dicom", dicom).build();
    }

    private static JsonObject element(String vr, String value) {
        return Jsonp.createObjectBuilder().add("vr", vr).add("Value", Jsonp.createArrayBuilder().add(value)).build();
    }

    private static int count(IndexStore store, String field, String value) throws IOException {
        store.refresh();
        return store.search(s -> {
            try {
                return s.count(new TermQuery(new Term(field, value)));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void changesBecomeDocumentsAndDeletionsLeaveTheIndex() throws IOException {
        InMemoryCouch couch = new InMemoryCouch();
        for (int i = 1; i <= 25; i++) {
            couch.put(instance("1.2.1", "1.2.1.1", "1.2.1.1." + i, i % 5 == 0 ? "SEG" : "CT"));
        }
        couch.put(Jsonp.createObjectBuilder().add("_id", "_design/mirror").add("views", "{}").build());
        try (IndexStore store = IndexStore.open(folder, 1)) {
            IndexFeed feed = new IndexFeed(couch, store, 10, A_MINUTE, CLOCK);
            assertEquals(26, feed.catchUp());
            assertEquals(25, count(store, IndexFields.KIND, IndexFields.INSTANCE), "the design document is not indexed");
            assertEquals(5, count(store, "t.00080060", "SEG"));
            assertEquals("26", store.checkpoint().orElseThrow().couchSeq(), "committed with the sequence reached");

            couch.put(instance("1.2.1", "1.2.1.1", "1.2.1.1.1", "SEG")); // an instance changed
            couch.delete("instance:1.2.1.1.5");
            assertEquals(2, feed.step());
            assertEquals(25 - 1, count(store, IndexFields.KIND, IndexFields.INSTANCE));
            assertEquals(5, count(store, "t.00080060", "SEG"), "one SEG more, one less");
            assertEquals(0, feed.step(), "caught up");
        }
    }

    @Test
    void aRestartResumesFromTheLastCommitAndMissesNothingWrittenMeanwhile() throws IOException {
        InMemoryCouch couch = new InMemoryCouch();
        for (int i = 1; i <= 10; i++) {
            couch.put(instance("1.2.2", "1.2.2.1", "1.2.2.1." + i, "MR"));
        }
        try (IndexStore store = IndexStore.open(folder, 1)) {
            IndexFeed feed = new IndexFeed(couch, store, 100, A_MINUTE, CLOCK);
            feed.catchUp();
            couch.put(instance("1.2.2", "1.2.2.1", "1.2.2.1.11", "MR"));
            feed.step(); // applied, searchable, but not committed: the minute has not passed
            assertEquals("10", store.checkpoint().orElseThrow().couchSeq());
        } // a crash-like stop: close does not commit
        couch.put(instance("1.2.2", "1.2.2.1", "1.2.2.1.12", "MR")); // written while the sidecar was down
        couch.delete("instance:1.2.2.1.3");
        try (IndexStore store = IndexStore.open(folder, 1)) {
            assertEquals(IndexOpening.Action.RESUME, store.opening().action());
            IndexFeed feed = new IndexFeed(couch, store, 100, A_MINUTE, CLOCK);
            assertEquals("10", feed.appliedSequence(), "resumes from the commit, not from the start");
            couch.pagesRead = 0;
            assertEquals(3, feed.catchUp(), "replays only what came after the commit");
            assertEquals(11, count(store, "t.00080060", "MR"));
            assertEquals(0, count(store, IndexFields.ID, "instance:1.2.2.1.3"));
            assertEquals(1, count(store, IndexFields.ID, "instance:1.2.2.1.12"));
        }
    }

    @Test
    void aDeletedIndexFolderIsRebuiltFromTheFeed() throws IOException {
        InMemoryCouch couch = new InMemoryCouch();
        for (int i = 1; i <= 30; i++) {
            couch.put(instance("1.2.3", "1.2.3." + (i % 3), "1.2.3.9." + i, "CT"));
        }
        couch.delete("instance:1.2.3.9.7");
        try (IndexStore store = IndexStore.open(folder, 1)) {
            new IndexFeed(couch, store, 7, A_MINUTE, CLOCK).catchUp();
        }
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        try (IndexStore store = IndexStore.open(folder, 1)) {
            assertEquals(IndexOpening.Action.REBUILD, store.opening().action());
            IndexFeed feed = new IndexFeed(couch, store, 7, A_MINUTE, CLOCK);
            assertEquals(IndexFeed.FROM_THE_START, feed.appliedSequence());
            feed.catchUp();
            assertEquals(29, count(store, IndexFields.KIND, IndexFields.INSTANCE));
            assertEquals("31", store.checkpoint().orElseThrow().couchSeq());
        }
    }
}
