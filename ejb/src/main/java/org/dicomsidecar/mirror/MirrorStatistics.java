package org.dicomsidecar.mirror;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/** Counters and the lag (event received to queryable in the mirror) of the most recent events. */
public final class MirrorStatistics {

    private static final int LAG_SAMPLES = 10_000;

    private final AtomicLong eventsReceived = new AtomicLong();
    private final AtomicLong eventsRejected = new AtomicLong();
    private final AtomicLong eventsFailed = new AtomicLong();
    private final AtomicLong seriesMirrored = new AtomicLong();
    private final AtomicLong instancesWritten = new AtomicLong();
    private final long[] lags = new long[LAG_SAMPLES];
    private long lagCount;

    public void received(int n) {
        eventsReceived.addAndGet(n);
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
