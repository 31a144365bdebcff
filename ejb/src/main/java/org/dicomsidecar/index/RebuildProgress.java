package org.dicomsidecar.index;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * How far a rebuild has come, for the status page: documents done of the total, the rate over the last
 * {@code window} (since the start while the rebuild is younger than that) and the time left at that rate.
 */
public final class RebuildProgress {

    /** One reading for the status page; {@code eta} is empty while no rate is known yet. */
    public record Snapshot(long done, long total, double perSecond, Optional<Duration> eta) {

        public double fraction() {
            return total <= 0 ? 1.0 : Math.min(1.0, (double) done / total);
        }
    }

    private record Sample(Instant at, long done) {
    }

    private final InstantSource clock;
    private final Duration window;
    private final long total;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private long done;

    public RebuildProgress(long total, Duration window, InstantSource clock) {
        if (total < 0 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("total must be >= 0 and the window positive");
        }
        this.total = total;
        this.window = window;
        this.clock = clock;
        samples.addLast(new Sample(clock.instant(), 0));
    }

    /** Records that {@code count} more documents are done. */
    public synchronized void advance(long count) {
        done += count;
        Instant now = clock.instant();
        samples.addLast(new Sample(now, done));
        // keep one sample at or before the window's start, so the rate always spans the whole window
        while (samples.size() > 2 && !second().at().isAfter(now.minus(window))) {
            samples.removeFirst();
        }
    }

    private Sample second() {
        var iterator = samples.iterator();
        iterator.next();
        return iterator.next();
    }

    public synchronized Snapshot snapshot() {
        Instant now = clock.instant();
        Sample oldest = samples.peekFirst();
        double seconds = Duration.between(oldest.at(), now).toNanos() / 1e9;
        double perSecond = seconds <= 0 ? 0 : (done - oldest.done()) / seconds;
        long left = Math.max(0, total - done);
        Optional<Duration> eta = left == 0 ? Optional.of(Duration.ZERO)
                : perSecond > 0 ? Optional.of(Duration.ofMillis((long) Math.ceil(left / perSecond * 1000)))
                : Optional.empty();
        return new Snapshot(done, total, perSecond, eta);
    }
}
