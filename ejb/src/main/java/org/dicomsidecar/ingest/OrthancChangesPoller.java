package org.dicomsidecar.ingest;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Follows Orthanc's change log ({@code GET /changes}) and turns every stored instance into an event: one page
 * at a time, the page's NewInstance changes resolved to UIDs ({@code /instances/{id}}, then its series and
 * study, those two cached), the page's events made durable in one journal append, and only then the
 * checkpoint (the page's last sequence number) saved. A failure anywhere leaves the checkpoint where it was,
 * so the same page is read again at the next poll: nothing is dropped (mirroring twice is harmless).
 *
 * <p>Without a checkpoint it starts at Orthanc's current end (the start-up reconciliation covers what was
 * there before). When Orthanc's log ends before the checkpoint, Orthanc's database was replaced: it starts
 * again from 0. Not thread-safe: one thread polls; {@link #lastSeq()} and {@link #lastError()} may be read
 * from any thread.
 */
public final class OrthancChangesPoller {

    /** The source name of the events it produces (journal, status). */
    public static final String SOURCE = "orthanc-changes";
    static final int PAGE_SIZE = 1000;
    private static final int CACHED_RESOURCES = 10_000;
    private static final Logger LOG = Logger.getLogger(OrthancChangesPoller.class.getName());

    /** Orthanc's REST API. */
    public interface Orthanc {
        /** GET of a path ("/changes?..."): the JSON object answered, or empty for 404; IOException otherwise. */
        Optional<JsonObject> get(String path) throws IOException;
    }

    /** Where events go: returns once they are durable. */
    public interface Journal {
        void append(List<StoredEvent> events) throws InterruptedException, ExecutionException, TimeoutException;
    }

    private record SeriesUids(String seriesUid, String studyId) {
    }

    private final Orthanc orthanc;
    private final ChangesPosition checkpoint;
    private final Journal journal;
    private final Map<String, SeriesUids> series = lru();
    private final Map<String, String> studies = lru();
    /** The sequence number read up to; -1 until known. */
    private long since = -1;
    private volatile long lastSeq = -1;
    private volatile String lastError;
    private volatile long skipped;
    private int failedPolls;

    public OrthancChangesPoller(Orthanc orthanc, ChangesPosition checkpoint, Journal journal) {
        this.orthanc = orthanc;
        this.checkpoint = checkpoint;
        this.journal = journal;
    }

    /**
     * Reads and hands on one page. Never throws: a failure is kept as {@link #lastError()} and logged once
     * until a poll works again.
     *
     * @return true when Orthanc has more changes waiting (poll again at once)
     */
    public boolean poll() {
        try {
            boolean more = pollPage();
            if (failedPolls > 0) {
                LOG.log(Level.INFO, "Reading Orthanc''s changes works again, after {0} failed polls",
                        String.valueOf(failedPolls));
            }
            failedPolls = 0;
            lastError = null;
            return more;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (IOException | ExecutionException | TimeoutException | RuntimeException e) {
            lastError = describe(e);
            if (failedPolls++ == 0) {
                LOG.log(Level.WARNING, "Reading Orthanc''s changes failed: {0}. Retrying at every poll; nothing is "
                        + "skipped (logged again only once it works)", lastError);
            }
            return false;
        }
    }

    /**
     * Forgets where it had read to, so that the next poll starts from the saved checkpoint: for a node that takes
     * the feed over from another (or back), whose checkpoint has moved on meanwhile.
     */
    public void resumeFromCheckpoint() {
        since = -1;
    }

    /** The last sequence number read and handed on, or -1 before the first poll worked. */
    public long lastSeq() {
        return lastSeq;
    }

    /** Changes skipped since the start because they were unusable (an odd entry, an unsafe UID), not deleted. */
    public long skipped() {
        return skipped;
    }

    /** Why the last poll failed, or null when it worked. */
    public String lastError() {
        return lastError;
    }

    private boolean pollPage() throws IOException, InterruptedException, ExecutionException, TimeoutException {
        if (since < 0) {
            OptionalLong saved = checkpoint.read();
            if (saved.isPresent()) {
                since = saved.getAsLong();
            } else {
                long end = page("/changes?last").last();
                checkpoint.write(end);
                since = end;
                LOG.log(Level.INFO, "No checkpoint of Orthanc''s changes yet: following them from its current end "
                        + "(seq {0}); the start-up reconciliation covers what it held before", String.valueOf(end));
            }
            lastSeq = since;
        }
        OrthancChangesPage page = page("/changes?since=" + since + "&limit=" + PAGE_SIZE);
        if (page.changes().isEmpty() && page.last() < since) {
            LOG.log(Level.WARNING, "Orthanc''s change log ends at seq {0}, before the checkpoint {1}: its database "
                    + "was replaced. Reading its changes again from the start", new Object[]{String.valueOf(page.last()), String.valueOf(since)});
            since = 0;
            lastSeq = 0;
            return true;
        }
        List<StoredEvent> events = new ArrayList<>();
        int unusable = page.skipped();
        for (String id : page.newInstanceIds()) {
            Resolved r = resolve(id);
            if (r.event() != null) {
                events.add(r.event());
            } else if (r.unusable()) {
                unusable++;
            }
        }
        if (!events.isEmpty()) {
            journal.append(events);
        }
        if (page.last() > since) {
            checkpoint.write(page.last());
            since = page.last();
            lastSeq = since;
        }
        skipped += unusable; // counted once the page is done with: a page read again is not counted twice
        return !page.done() && !page.changes().isEmpty();
    }

    private OrthancChangesPage page(String path) throws IOException {
        JsonObject answer = orthanc.get(path).orElseThrow(() -> new IOException(
                "GET " + path + " answered 404: is sidecar.ingest.orthanc-url Orthanc's REST base URL?"));
        try {
            return OrthancChangesPage.parse(answer);
        } catch (IllegalArgumentException e) {
            throw new IOException("GET " + path + ": " + e.getMessage(), e);
        }
    }

    /** A resolved change: its event, or none because it was deleted meanwhile or is unusable. */
    private record Resolved(StoredEvent event, boolean unusable) {
        static final Resolved DELETED = new Resolved(null, false);
        static final Resolved UNUSABLE = new Resolved(null, true);
    }

    /** The instance's event; none when it was deleted meanwhile, or its UIDs are unsafe (counted as skipped). */
    private Resolved resolve(String instanceId) throws IOException {
        Optional<JsonObject> instance = orthanc.get("/instances/" + instanceId);
        if (instance.isEmpty()) {
            return Resolved.DELETED; // deleted since it was stored
        }
        String seriesId = OrthancChangesPage.text(instance.get(), "ParentSeries");
        if (!OrthancChangesPage.isOrthancId(seriesId)) {
            return Resolved.UNUSABLE;
        }
        Optional<SeriesUids> s = series(seriesId);
        if (s.isEmpty()) {
            return Resolved.DELETED;
        }
        if (!OrthancChangesPage.isOrthancId(s.get().studyId())) {
            return Resolved.UNUSABLE;
        }
        Optional<String> study = study(s.get().studyId());
        if (study.isEmpty()) {
            return Resolved.DELETED;
        }
        try {
            return new Resolved(new StoredEvent(study.get(), s.get().seriesUid(), mainTag(instance.get(), "SOPInstanceUID"),
                    SOURCE), false);
        } catch (InvalidEventException e) {
            LOG.log(Level.WARNING, "Orthanc instance {0} is not mirrored from the changes feed: {1}",
                    new Object[]{instanceId, e.getMessage()});
            return Resolved.UNUSABLE;
        }
    }

    private Optional<SeriesUids> series(String seriesId) throws IOException {
        return cached(series, "series", seriesId, o -> new SeriesUids(mainTag(o, "SeriesInstanceUID"),
                OrthancChangesPage.text(o, "ParentStudy")));
    }

    private Optional<String> study(String studyId) throws IOException {
        // a study without its UID yields "", which the event refuses with a warning
        return cached(studies, "studies", studyId, o -> Objects.requireNonNullElse(mainTag(o, "StudyInstanceUID"), ""));
    }

    /** A series or study from the cache, or else from Orthanc; empty when Orthanc no longer has it. */
    private <V> Optional<V> cached(Map<String, V> cache, String level, String id, Function<JsonObject, V> read)
            throws IOException {
        if (!OrthancChangesPage.isOrthancId(id)) {
            return Optional.empty();
        }
        V hit = cache.get(id);
        if (hit != null) {
            return Optional.of(hit);
        }
        Optional<V> found = orthanc.get("/" + level + "/" + id).map(read);
        found.ifPresent(v -> cache.put(id, v));
        return found;
    }

    /** Orthanc's IDs are hashes of the UIDs: a cached entry never goes stale, at worst it is evicted. */
    private static <V> Map<String, V> lru() {
        return new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > CACHED_RESOURCES;
            }
        };
    }

    private static String mainTag(JsonObject resource, String keyword) {
        JsonValue tags = resource.get("MainDicomTags");
        return tags != null && tags.getValueType() == JsonValue.ValueType.OBJECT
                ? OrthancChangesPage.text(tags.asJsonObject(), keyword) : null;
    }

    private static String describe(Exception e) {
        if (e instanceof ExecutionException || e instanceof TimeoutException) {
            return "the event journal could not store the events: "
                    + (e.getCause() != null ? e.getCause() : e);
        }
        return e instanceof IOException && e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
