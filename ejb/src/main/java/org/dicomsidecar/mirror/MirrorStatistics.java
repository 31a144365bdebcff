package org.dicomsidecar.mirror;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.dicomsidecar.ingest.JournaledEvent;
import org.dicomsidecar.ingest.OrthancChangesPoller;

/** Counters and the lag (event received to queryable in the mirror) of the most recent events. */
public final class MirrorStatistics {

    private static final int LAG_SAMPLES = 10_000;
    /** The receivers' source names, always listed (with 0) so that the status keeps one shape. */
    private static final List<String> SOURCES = List.of("webhook", "ups", "wado", "fhir", "stow",
            OrthancChangesPoller.SOURCE);

    private final AtomicLong eventsReceived = new AtomicLong();
    private final Map<String, AtomicLong> eventsBySource = new ConcurrentHashMap<>();
    private final AtomicLong eventsRejected = new AtomicLong();
    private final AtomicLong eventsFailed = new AtomicLong();
    private final AtomicLong seriesMirrored = new AtomicLong();
    private final AtomicLong instancesWritten = new AtomicLong();
    private final long[] lags = new long[LAG_SAMPLES];
    private long lagCount;

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

    public void failed(int n) {
        eventsFailed.addAndGet(n);
    }

    public void mirrored(int written) {
        seriesMirrored.incrementAndGet();
        instancesWritten.addAndGet(written);
    }

    public synchronized void lag(long millis) {
        lags[(int) (lagCount++ % LAG_SAMPLES)] = millis;
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

    public long eventsFailed() {
        return eventsFailed.get();
    }

    public long seriesMirrored() {
        return seriesMirrored.get();
    }

    public long instancesWritten() {
        return instancesWritten.get();
    }

    /** The p-th percentile (0-100) of recent lags in milliseconds, or -1 before the first. */
    public synchronized long lagPercentile(double p) {
        int n = (int) Math.min(lagCount, LAG_SAMPLES);
        if (n == 0) {
            return -1;
        }
        long[] sorted = Arrays.copyOf(lags, n);
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * n) - 1;
        return sorted[Math.max(0, Math.min(n - 1, index))];
    }
}
