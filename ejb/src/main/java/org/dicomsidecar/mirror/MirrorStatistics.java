package org.dicomsidecar.mirror;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.dicomsidecar.ingest.JournaledEvent;
import org.dicomsidecar.ingest.OrthancChangesPoller;

/**
 * Counters, and the lag (event received to queryable in the mirror) of the events mirrored recently: the
 * last {@value #LAG_WINDOW_MILLIS} ms (at most {@value #LAG_SAMPLES} events), so that the percentiles
 * recover once an outage is over instead of carrying its lags for hours.
 */
public final class MirrorStatistics {

    private static final int LAG_SAMPLES = 10_000;
    static final long LAG_WINDOW_MILLIS = 5 * 60_000L;
    /** The receivers' source names, always listed (with 0) so that the status keeps one shape. */
    private static final List<String> SOURCES = List.of("webhook", "ups", "wado", "fhir", "stow",
            OrthancChangesPoller.SOURCE);

    private final AtomicLong eventsReceived = new AtomicLong();
    private final Map<String, AtomicLong> eventsBySource = new ConcurrentHashMap<>();
    private final AtomicLong eventsRejected = new AtomicLong();
    private final AtomicLong failedAttempts = new AtomicLong();
    private final AtomicLong eventsNotInArchive = new AtomicLong();
    private final AtomicLong itemsSkipped = new AtomicLong();
    private final AtomicLong seriesMirrored = new AtomicLong();
    private final AtomicLong instancesWritten = new AtomicLong();
    private final long[] lags = new long[LAG_SAMPLES];
    private final long[] lagTimes = new long[LAG_SAMPLES];
    private long lagCount;
    private final LongSupplier clockMillis;

    public MirrorStatistics() {
        this(System::currentTimeMillis);
    }

    /** @param clockMillis the wall clock the lag window is measured on (tests pass their own) */
    MirrorStatistics(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    /** Events accepted (journaled), counted in total and by their source. */
    public void received(List<JournaledEvent> events) {
        eventsReceived.addAndGet(events.size());
        String last = null;
        long run = 0;
        for (JournaledEvent e : events) { // a body's events share their source: count runs, not one by one
            String source = e.event().source();
            if (!source.equals(last)) {
                addBySource(last, run);
                last = source;
                run = 0;
            }
            run++;
        }
        addBySource(last, run);
    }

    private void addBySource(String source, long n) {
        if (source != null && n > 0) {
            eventsBySource.computeIfAbsent(source, s -> new AtomicLong()).addAndGet(n);
        }
    }

    public void rejected(int n) {
        eventsRejected.addAndGet(n);
    }

    /** An attempt to mirror n events failed (they are kept and retried). */
    public void failed(int n) {
        failedAttempts.addAndGet(n);
    }

    /** n events named studies or series the archive does not hold: dropped after one check. */
    public void notInArchive(int n) {
        eventsNotInArchive.addAndGet(n);
    }

    /** n items of otherwise good notifications were unusable (an unsafe UID, an odd change) and skipped. */
    public void skipped(int n) {
        itemsSkipped.addAndGet(n);
    }

    public void mirrored(int written) {
        seriesMirrored.incrementAndGet();
        instancesWritten.addAndGet(written);
    }

    public synchronized void lag(long millis) {
        int slot = (int) (lagCount++ % LAG_SAMPLES);
        lags[slot] = millis;
        lagTimes[slot] = clockMillis.getAsLong();
    }

    public long eventsReceived() {
        return eventsReceived.get();
    }

    /** Events received by source: every receiver's name, then any other source seen. */
    public Map<String, Long> eventsBySource() {
        Map<String, Long> out = new LinkedHashMap<>();
        SOURCES.forEach(s -> out.put(s, 0L));
        eventsBySource.forEach((s, n) -> out.put(s, n.get()));
        return out;
    }

    public long eventsRejected() {
        return eventsRejected.get();
    }

    /** Events counted once per failed attempt, since the start (a series failing 10 times counts 10 times). */
    public long failedAttempts() {
        return failedAttempts.get();
    }

    public long eventsNotInArchive() {
        return eventsNotInArchive.get();
    }

    public long itemsSkipped() {
        return itemsSkipped.get();
    }

    public long seriesMirrored() {
        return seriesMirrored.get();
    }

    public long instancesWritten() {
        return instancesWritten.get();
    }

    /** The p-th percentile (0-100) of the lags in the window in milliseconds, or -1 when none is. */
    public synchronized long lagPercentile(double p) {
        long since = clockMillis.getAsLong() - LAG_WINDOW_MILLIS;
        int stored = (int) Math.min(lagCount, LAG_SAMPLES);
        long[] sorted = new long[stored];
        int n = 0;
        for (int i = 0; i < stored; i++) {
            if (lagTimes[i] > since) {
                sorted[n++] = lags[i];
            }
        }
        if (n == 0) {
            return -1;
        }
        Arrays.sort(sorted, 0, n);
        int index = (int) Math.ceil(p / 100.0 * n) - 1;
        return sorted[Math.max(0, Math.min(n - 1, index))];
    }
}
