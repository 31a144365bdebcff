package org.dicomsidecar.cluster;

import java.time.Duration;
import java.time.Instant;

/**
 * Time as a test runs it: it passes only when the test says so, for every node at once. Each node's clocks read it
 * with offsets of their own: a wall clock hours away from the others', a monotonic clock from another origin.
 */
final class TestTime {

    static final Instant START = Instant.parse("2025-03-01T08:00:00Z");

    private long elapsedMillis;

    void advance(Duration d) {
        elapsedMillis += d.toMillis();
    }

    void advanceSeconds(double seconds) {
        elapsedMillis += Math.round(seconds * 1000);
    }

    /** A node's clocks: its wall clock {@code wallOffset} away from the true time, its monotonic clock from {@code origin}. */
    NodeClock clock(Duration wallOffset, long origin) {
        return new NodeClock() {
            @Override
            public Instant wallTime() {
                return START.plus(wallOffset).plusMillis(elapsedMillis);
            }

            @Override
            public long millis() {
                return origin + elapsedMillis;
            }
        };
    }

    /** A node's clocks, in time with the true time. */
    NodeClock clock() {
        return clock(Duration.ZERO, 0);
    }
}
