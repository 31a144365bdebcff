package org.dicomsidecar.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OrthancChangesPollerTest {

    private static final String URL = "http://127.0.0.1:18042";
    private static final String ROOT = "1.2.826.0.1.3680043.8.498.";

    /** Orthanc's REST API as far as the feed uses it, with Orthanc's /changes semantics. */
    static final class FakeOrthanc implements OrthancChangesPoller.Orthanc {
        record Change(long seq, String type, String resourceType, String id) {
        }

        final List<Change> changes = new ArrayList<>();
        final Map<String, JsonObject> resources = new HashMap<>();
        final List<String> requests = new ArrayList<>();
        boolean down;
        long lastSeq;

        /** Stores an instance the way Orthanc logs it: NewInstance, then NewSeries/NewStudy the first time. */
        String store(String studyUid, String seriesUid, String sopUid) {
            String study = id("st" + studyUid);
            String series = id("se" + seriesUid);
            String instance = id("in" + sopUid);
            resources.put("/instances/" + instance, Json.createObjectBuilder().add("ID", instance)
                    .add("MainDicomTags", Json.createObjectBuilder().add("SOPInstanceUID", sopUid)
                            .add("InstanceNumber", "1"))
                    .add("ParentSeries", series).add("Type", "Instance").build());
            change("NewInstance", "Instance", instance);
            if (resources.put("/series/" + series, Json.createObjectBuilder().add("ID", series)
                    .add("MainDicomTags", Json.createObjectBuilder().add("SeriesInstanceUID", seriesUid)
                            .add("Modality", "CT"))
                    .add("ParentStudy", study).add("Type", "Series").build()) == null) {
                change("NewSeries", "Series", series);
            }
            if (resources.put("/studies/" + study, Json.createObjectBuilder().add("ID", study)
                    .add("MainDicomTags", Json.createObjectBuilder().add("StudyInstanceUID", studyUid))
                    .add("Type", "Study").build()) == null) {
                change("NewStudy", "Study", study);
            }
            return instance;
        }

        void change(String type, String resourceType, String id) {
            changes.add(new Change(++lastSeq, type, resourceType, id));
        }

        /** Orthanc-like IDs: five groups of 8 hex digits, from a name. */
        static String id(String name) {
            String hex = String.format("%040x", new java.math.BigInteger(1,
                    name.getBytes(java.nio.charset.StandardCharsets.UTF_8)).mod(java.math.BigInteger.TWO.pow(160)));
            return String.join("-", hex.substring(0, 8), hex.substring(8, 16), hex.substring(16, 24),
                    hex.substring(24, 32), hex.substring(32, 40));
        }

        @Override
        public Optional<JsonObject> get(String path) throws IOException {
            requests.add(path);
            if (down) {
                throw new IOException("cannot reach Orthanc at " + URL + " (Connection refused)");
            }
            if (path.equals("/changes?last")) {
                return Optional.of(page(changes.isEmpty() ? List.of() : List.of(changes.get(changes.size() - 1)),
                        true, lastSeq));
            }
            Matcher m = Pattern.compile("/changes\\?since=(\\d+)&limit=(\\d+)").matcher(path);
            if (m.matches()) {
                long since = Long.parseLong(m.group(1));
                int limit = Integer.parseInt(m.group(2));
                List<Change> after = changes.stream().filter(c -> c.seq() > since).toList();
                List<Change> listed = after.subList(0, Math.min(limit, after.size()));
                long last = listed.isEmpty() ? lastSeq : listed.get(listed.size() - 1).seq();
                return Optional.of(page(listed, listed.size() == after.size(), last));
            }
            return Optional.ofNullable(resources.get(path));
        }

        private static JsonObject page(List<Change> listed, boolean done, long last) {
            JsonArrayBuilder a = Json.createArrayBuilder();
            listed.forEach(c -> a.add(Json.createObjectBuilder().add("ChangeType", c.type()).add("Date", "20250101T000000")
                    .add("ID", c.id()).add("Path", "/x/" + c.id()).add("ResourceType", c.resourceType()).add("Seq", c.seq())));
            return Json.createObjectBuilder().add("Changes", a).add("Done", done).add("Last", last).build();
        }

        long count(String prefix) {
            return requests.stream().filter(r -> r.startsWith(prefix)).count();
        }
    }

    /** The journal: what was appended, page by page; can be made to fail. */
    static final class FakeJournal implements OrthancChangesPoller.Journal {
        final List<List<StoredEvent>> appends = new ArrayList<>();
        boolean failing;

        @Override
        public void append(List<StoredEvent> events) throws ExecutionException {
            if (failing) {
                throw new ExecutionException(new IOException("No space left on device"));
            }
            appends.add(List.copyOf(events));
        }

        List<StoredEvent> all() {
            return appends.stream().flatMap(List::stream).toList();
        }
    }


    private final FakeOrthanc orthanc = new FakeOrthanc();
    private final FakeJournal journal = new FakeJournal();
    private final List<LogRecord> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logged.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final Logger log = Logger.getLogger(OrthancChangesPoller.class.getName());

    @BeforeEach
    void captureLog() {
        log.addHandler(capture);
    }

    @AfterEach
    void releaseLog() {
        log.removeHandler(capture);
    }

    /** Where the poller keeps its position: shared by every poller of a test, as CouchDB is by every node. */
    private final ChangesPosition position = new ChangesPosition() {
        private OptionalLong seq = OptionalLong.empty();

        @Override
        public synchronized OptionalLong read() {
            return seq;
        }

        @Override
        public synchronized void write(long value) {
            seq = OptionalLong.of(value);
        }
    };

    private ChangesPosition checkpoint() {
        return position;
    }

    private OrthancChangesPoller poller() {
        return new OrthancChangesPoller(orthanc, checkpoint(), journal);
    }

    /** Polls like the feed does: again at once while Orthanc has more. */
    private static void pollAll(OrthancChangesPoller p) {
        for (int pages = 0; p.poll(); pages++) {
            assertTrue(pages < 1000, "stops");
        }
    }

    private static StoredEvent event(int study, int series, int sop) {
        return new StoredEvent(ROOT + study, ROOT + study + "." + series, ROOT + study + "." + series + "." + sop,
                OrthancChangesPoller.SOURCE);
    }

    private void store(StoredEvent e) {
        orthanc.store(e.studyUid(), e.seriesUid(), e.sopUid());
    }

    private long warnings() {
        return logged.stream().filter(r -> r.getLevel() == Level.WARNING).count();
    }

    @Test
    void firstStartBeginsAtOrthancsCurrentEndAndSavesIt() {
        store(event(1, 1, 1));
        store(event(1, 1, 2));
        OrthancChangesPoller p = poller();
        pollAll(p);
        assertEquals(List.of(), journal.all(), "what Orthanc held before is the reconciliation's");
        assertEquals(OptionalLong.of(orthanc.lastSeq), checkpoint().read());
        assertEquals(orthanc.lastSeq, p.lastSeq());
        assertNull(p.lastError());

        store(event(1, 1, 3));
        pollAll(p);
        assertEquals(List.of(event(1, 1, 3)), journal.all());
    }

    @Test
    void aPagesInstancesGoToTheJournalInOneAppendWithTheirUids() {
        OrthancChangesPoller p = poller();
        pollAll(p);
        List<StoredEvent> stored = new ArrayList<>();
        for (int series = 1; series <= 3; series++) {
            for (int sop = 1; sop <= 50; sop++) {
                stored.add(event(7, series, sop));
            }
        }
        stored.forEach(this::store);
        pollAll(p);
        assertEquals(List.of(stored), journal.appends, "one append, in Orthanc's order");
        assertEquals(150, orthanc.count("/instances/"));
        assertEquals(3, orthanc.count("/series/"), "series looked up once each");
        assertEquals(1, orthanc.count("/studies/"), "the study once");
        assertEquals(OptionalLong.of(orthanc.lastSeq), checkpoint().read());
    }

    @Test
    void aLongLogIsReadPageByPageUntilDone() {
        OrthancChangesPoller p = poller();
        pollAll(p);
        List<StoredEvent> stored = new ArrayList<>();
        for (int sop = 1; sop <= 2500; sop++) {
            stored.add(event(3, 1, sop));
        }
        stored.forEach(this::store);
        assertTrue(p.poll(), "more after the first page");
        // a page is 1,000 changes: here the first instance's NewSeries and NewStudy, and 998 NewInstance
        assertEquals(OrthancChangesPoller.PAGE_SIZE - 2, journal.all().size());
        assertEquals(OptionalLong.of(OrthancChangesPoller.PAGE_SIZE), checkpoint().read());
        pollAll(p);
        assertEquals(stored, journal.all());
        assertEquals(3, journal.appends.size());
    }

    @Test
    void instancesDeletedMeanwhileAreSkipped() {
        OrthancChangesPoller p = poller();
        pollAll(p);
        store(event(2, 1, 1));
        String gone = orthanc.store(ROOT + 2, ROOT + "2.1", ROOT + "2.1.2");
        store(event(2, 1, 3));
        String goneSeriesInstance = orthanc.store(ROOT + 2, ROOT + "2.9", ROOT + "2.9.1");
        orthanc.resources.remove("/instances/" + gone);
        orthanc.resources.remove("/series/" + FakeOrthanc.id("se" + ROOT + "2.9"));
        assertTrue(orthanc.resources.containsKey("/instances/" + goneSeriesInstance));
        pollAll(p);
        assertEquals(List.of(event(2, 1, 1), event(2, 1, 3)), journal.all());
        assertNull(p.lastError());
        assertEquals(OptionalLong.of(orthanc.lastSeq), checkpoint().read());
        assertEquals(0, p.skipped(), "deleted is not unusable");
    }

    @Test
    void instancesWithInvalidUidsAreSkippedWithAWarning() {
        OrthancChangesPoller p = poller();
        pollAll(p);
        store(event(4, 1, 1));
        orthanc.store(ROOT + 4, ROOT + "4.1", "not-a-uid");
        pollAll(p);
        assertEquals(List.of(event(4, 1, 1)), journal.all());
        assertEquals(1, warnings());
        assertNull(p.lastError());
        assertEquals(1, p.skipped());
    }

    @Test
    void realWorldUidsWithLeadingZerosAndEmptyComponentsGoToTheJournalAtOnce() {
        OrthancChangesPoller p = poller();
        pollAll(p);
        String study = "1.2.826.0.1.3680043.2.1125.01.7";
        orthanc.store(study, study + ".01", study + ".01.001");
        orthanc.store(study, study + ".01", study + "..002");
        pollAll(p);
        assertEquals(List.of(new StoredEvent(study, study + ".01", study + ".01.001", OrthancChangesPoller.SOURCE),
                new StoredEvent(study, study + ".01", study + "..002", OrthancChangesPoller.SOURCE)), journal.all());
        assertEquals(0, warnings());
        assertEquals(0, p.skipped());
    }

    @Test
    void theCheckpointMovesOnlyOnceThePageIsJournaled() {
        OrthancChangesPoller p = poller();
        pollAll(p);
        long before = orthanc.lastSeq;
        store(event(5, 1, 1));
        store(event(5, 1, 2));
        journal.failing = true;
        assertFalse(p.poll());
        assertFalse(p.poll());
        assertEquals(OptionalLong.of(before), checkpoint().read(), "not moved");
        assertEquals(before, p.lastSeq());
        assertTrue(p.lastError().contains("No space left on device"), p.lastError());

        journal.failing = false;
        pollAll(p);
        assertEquals(List.of(event(5, 1, 1), event(5, 1, 2)), journal.all(), "the same page again");
        assertEquals(OptionalLong.of(orthanc.lastSeq), checkpoint().read());
        assertNull(p.lastError());
    }

    @Test
    void anOutageIsLoggedOnceAndLosesNothing() {
        OrthancChangesPoller p = poller();
        pollAll(p);
        store(event(6, 1, 1));
        orthanc.down = true;
        for (int i = 0; i < 5; i++) {
            assertFalse(p.poll());
        }
        assertEquals(1, warnings(), "once per outage");
        assertTrue(p.lastError().contains("Connection refused"), p.lastError());
        orthanc.down = false;
        store(event(6, 1, 2));
        pollAll(p);
        assertNull(p.lastError());
        assertEquals(List.of(event(6, 1, 1), event(6, 1, 2)), journal.all());
        orthanc.down = true;
        p.poll();
        p.poll();
        assertEquals(2, warnings(), "a new outage, a new warning");
    }

    @Test
    void aRestartContinuesFromTheCheckpoint() {
        pollAll(poller());
        store(event(8, 1, 1));
        pollAll(poller()); // stored while no sidecar ran: picked up from the checkpoint
        store(event(8, 1, 2));
        pollAll(poller());
        assertEquals(List.of(event(8, 1, 1), event(8, 1, 2)), journal.all());
    }

    @Test
    void orthancWithANewDatabaseIsReadFromTheStart() {
        OrthancChangesPoller p = poller();
        for (int sop = 1; sop <= 10; sop++) {
            store(event(9, 1, sop));
        }
        pollAll(p);
        // Orthanc restarted on an empty database; two instances stored since
        orthanc.changes.clear();
        orthanc.resources.clear();
        orthanc.lastSeq = 0;
        store(event(10, 1, 1));
        store(event(10, 1, 2));
        pollAll(p);
        assertEquals(List.of(event(10, 1, 1), event(10, 1, 2)), journal.all());
        assertEquals(OptionalLong.of(orthanc.lastSeq), checkpoint().read());
        assertEquals(1, warnings());
    }

    @Test
    void aUrlThatIsNotOrthancsRestBaseIsReportedNotRetriedSilently() {
        OrthancChangesPoller p = new OrthancChangesPoller(path -> Optional.empty(), checkpoint(), journal);
        assertFalse(p.poll());
        assertTrue(p.lastError().contains("sidecar.ingest.orthanc-url"), p.lastError());
        assertEquals(-1, p.lastSeq());
    }
}
