package org.dicomsidecar.cluster;

import java.time.Instant;

/**
 * A node's two clocks: the wall clock, whose instants go into documents for people to read, and a monotonic
 * clock that every duration is measured by. No decision compares one node's instants with another's, so clock
 * skew between nodes, or a wall clock set back or forward, never makes two holders of a duty.
 */
public interface NodeClock {

    /** The wall-clock time, as written into documents. */
    Instant wallTime();

    /** Milliseconds from an arbitrary origin, never going back: only differences between two readings mean anything. */
    long millis();

    /** The system's clocks. */
    static NodeClock system() {
        return new NodeClock() {
            @Override
            public Instant wallTime() {
                return Instant.now();
            }

            @Override
            public long millis() {
                return System.nanoTime() / 1_000_000L;
            }
        };
    }
}
