package org.dicomsidecar.ingest;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.dicomsidecar.json.Jsonp;

/**
 * A write-ahead journal of accepted events on local disk: an event is acknowledged only once it is
 * written and forced to disk, so a crash right after the acknowledgement loses nothing, and events keep
 * being accepted while CouchDB is down. Concurrent appends share one fsync (group commit). Events leave
 * the journal when they are mirrored: a segment file is deleted once all its events are done; at start-up
 * the remaining segments are replayed (re-mirroring is idempotent).
 * Not a CDI bean: the mirror service owns one, so the journal's folder and lifetime are explicit.
 */
public final class EventJournal implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EventJournal.class.getName());
    private static final int EVENTS_PER_SEGMENT = 20_000;

    private record Append(List<StoredEvent> events, CompletableFuture<List<JournaledEvent>> done) {
    }

    private final Path dir;
    private final BlockingQueue<Append> appends = new LinkedBlockingQueue<>();
    private final Map<Long, AtomicInteger> outstanding = new ConcurrentHashMap<>();
    private final Thread writer;
    private FileChannel segment;
    private long segmentId;
    private int segmentEvents;
    private long nextSeq;
    private volatile boolean closed;

    public EventJournal(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the event journal folder " + dir, e);
        }
        this.writer = new Thread(this::writeLoop, "sidecar-event-journal");
        this.writer.setDaemon(true);
    }

    /** Reads what earlier runs left (events accepted but not yet mirrored), then opens a new segment. */
    public List<JournaledEvent> replay() {
        List<JournaledEvent> events = new ArrayList<>();
        for (Path file : segments()) {
            long id = segmentIdOf(file);
            int count = 0;
            try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                for (String line; (line = r.readLine()) != null; ) {
                    JournaledEvent e = parse(line, id);
                    if (e != null) {
                        events.add(e);
                        nextSeq = Math.max(nextSeq, e.seq() + 1);
                        count++;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the event journal " + file, e);
            }
            if (count == 0) {
                delete(file);
            } else {
                outstanding.put(id, new AtomicInteger(count));
            }
            segmentId = Math.max(segmentId, id);
        }
        segmentId++;
        openSegment();
        writer.start();
        return events;
    }

    /** Appends and forces to disk; completes when the events are durable. */
    public CompletableFuture<List<JournaledEvent>> append(List<StoredEvent> events) {
        CompletableFuture<List<JournaledEvent>> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new IllegalStateException("the event journal is closed"));
        } else {
            appends.add(new Append(events, done));
        }
        return done;
    }

    /** These events are mirrored: their segment may go once all its events are. */
    public void complete(List<JournaledEvent> events) {
        for (JournaledEvent e : events) {
            AtomicInteger left = outstanding.get(e.segment());
            if (left != null && left.decrementAndGet() == 0) {
                if (e.segment() != currentSegmentId()) {
                    outstanding.remove(e.segment());
                    delete(segmentFile(e.segment()));
                } else {
                    rollIfIdle(); // everything accepted so far is mirrored: nothing to replay after a restart
                }
            }
        }
    }

    private synchronized void rollIfIdle() {
        AtomicInteger left = outstanding.get(segmentId);
        if ((left == null || left.get() == 0) && segmentEvents > 0 && !closed) {
            try {
                roll();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "Rolling the event journal over failed: {0}", e.toString());
            }
        }
    }

    /** Events accepted and not yet mirrored. */
    public int pending() {
        return outstanding.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    private void writeLoop() {
        List<Append> batch = new ArrayList<>();
        while (!closed || !appends.isEmpty()) {
            try {
                Append first = appends.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                appends.drainTo(batch);
                writeBatch(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | IOException e) {
                LOG.log(Level.SEVERE, "Writing the event journal failed; the events are refused", e);
                batch.forEach(a -> a.done().completeExceptionally(e));
            }
            batch.clear();
        }
    }

    private void writeBatch(List<Append> batch) throws IOException {
        StringBuilder text = new StringBuilder();
        List<List<JournaledEvent>> results = new ArrayList<>();
        long now = System.currentTimeMillis();
        synchronized (this) {
            if (segmentEvents >= EVENTS_PER_SEGMENT) {
                roll();
            }
            for (Append a : batch) {
                List<JournaledEvent> written = new ArrayList<>();
                for (StoredEvent e : a.events()) {
                    JournaledEvent j = new JournaledEvent(nextSeq++, segmentId, e, now);
                    text.append(format(j)).append('\n');
                    written.add(j);
                }
                results.add(written);
                segmentEvents += written.size();
            }
            outstanding.computeIfAbsent(segmentId, k -> new AtomicInteger()).addAndGet(
                    results.stream().mapToInt(List::size).sum());
            ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                segment.write(bytes);
            }
            segment.force(false);
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).done().complete(results.get(i));
        }
    }

    private synchronized long currentSegmentId() {
        return segmentId;
    }

    private void roll() throws IOException {
        segment.close();
        long old = segmentId;
        segmentId++;
        openSegment();
        AtomicInteger left = outstanding.get(old);
        if (left == null || left.get() == 0) {
            outstanding.remove(old);
            delete(segmentFile(old));
        }
    }

    private void openSegment() {
        try {
            segment = FileChannel.open(segmentFile(segmentId), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
            segmentEvents = 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open an event journal segment in " + dir, e);
        }
    }

    private Path segmentFile(long id) {
        return dir.resolve(String.format("events-%012d.jsonl", id));
    }

    private List<Path> segments() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("events-\\d{12}\\.jsonl")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long segmentIdOf(Path file) {
        String name = file.getFileName().toString();
        return Long.parseLong(name.substring(7, 19));
    }

    private static String format(JournaledEvent j) {
        StoredEvent e = j.event();
        JsonObjectBuilder b = Jsonp.createObjectBuilder().add("seq", j.seq()).add("at", j.receivedAtMillis())
                .add("source", e.source()).add("study", e.studyUid());
        if (e.seriesUid() != null) {
            b.add("series", e.seriesUid());
        }
        if (e.sopUid() != null) {
            b.add("sop", e.sopUid());
        }
        return b.build().toString();
    }

    /** A line, or null for a torn last line (a write that was never acknowledged). */
    private static JournaledEvent parse(String line, long segment) {
        try (JsonReader r = Jsonp.createReader(new StringReader(line))) {
            JsonObject o = r.readObject();
            StoredEvent e = new StoredEvent(o.getString("study"), o.getString("series", null),
                    o.getString("sop", null), o.getString("source", "journal"));
            return new JournaledEvent(o.getJsonNumber("seq").longValue(), segment, e,
                    o.getJsonNumber("at").longValue());
        } catch (RuntimeException torn) {
            return null;
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Cannot delete the finished journal segment {0}: {1}", new Object[]{file, e});
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            writer.join(5000);
            synchronized (this) {
                if (segment != null) {
                    segment.close();
                    AtomicInteger left = outstanding.get(segmentId);
                    if (left == null || left.get() == 0) {
                        delete(segmentFile(segmentId)); // all mirrored: a restart has nothing to replay
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Closing the event journal: {0}", e.toString());
        }
    }
}
