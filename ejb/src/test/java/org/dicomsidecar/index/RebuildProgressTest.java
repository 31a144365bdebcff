package org.dicomsidecar.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RebuildProgressTest {

    /** A clock the test moves by hand. */
    private static final class FakeClock implements InstantSource {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final FakeClock clock = new FakeClock();

    @Test
    void beforeAnyProgressThereIsNoRateAndNoEta() {
        RebuildProgress progress = new RebuildProgress(1000, Duration.ofSeconds(30), clock);
        clock.advance(Duration.ofSeconds(5));
        RebuildProgress.Snapshot s = progress.snapshot();
        assertEquals(0, s.done());
        assertEquals(0.0, s.perSecond());
        assertEquals(Optional.empty(), s.eta());
        assertEquals(0.0, s.fraction());
    }

    @Test
    void rateSinceTheStartAndTheTimeLeftAtThatRate() {
        RebuildProgress progress = new RebuildProgress(1000, Duration.ofSeconds(30), clock);
        clock.advance(Duration.ofSeconds(10));
        progress.advance(200);
        RebuildProgress.Snapshot s = progress.snapshot();
        assertEquals(20.0, s.perSecond(), 1e-9);
        assertEquals(Optional.of(Duration.ofSeconds(40)), s.eta());
        assertEquals(0.2, s.fraction(), 1e-9);
    }

    @Test
    void theRateFollowsTheLastWindowNotTheWholeRebuild() {
        RebuildProgress progress = new RebuildProgress(10_000, Duration.ofSeconds(10), clock);
        for (int i = 0; i < 10; i++) { // a fast start: 100 per second
            clock.advance(Duration.ofSeconds(1));
            progress.advance(100);
        }
        for (int i = 0; i < 20; i++) { // then 10 per second
            clock.advance(Duration.ofSeconds(1));
            progress.advance(10);
        }
        RebuildProgress.Snapshot s = progress.snapshot();
        assertEquals(1200, s.done());
        assertEquals(10.0, s.perSecond(), 1e-9);
        assertEquals(Optional.of(Duration.ofSeconds(880)), s.eta());
    }

    @Test
    void aStalledRebuildHasNoEtaOnceItsWindowHoldsNoProgress() {
        RebuildProgress progress = new RebuildProgress(100, Duration.ofSeconds(10), clock);
        clock.advance(Duration.ofSeconds(1));
        progress.advance(10);
        clock.advance(Duration.ofSeconds(60));
        progress.advance(0);
        clock.advance(Duration.ofSeconds(11));
        progress.advance(0);
        RebuildProgress.Snapshot s = progress.snapshot();
        assertEquals(0.0, s.perSecond());
        assertEquals(Optional.empty(), s.eta());
    }

    @Test
    void aFinishedOrEmptyRebuildHasNothingLeft() {
        RebuildProgress empty = new RebuildProgress(0, Duration.ofSeconds(10), clock);
        assertEquals(Optional.of(Duration.ZERO), empty.snapshot().eta());
        assertEquals(1.0, empty.snapshot().fraction());
        RebuildProgress done = new RebuildProgress(5, Duration.ofSeconds(10), clock);
        clock.advance(Duration.ofSeconds(1));
        done.advance(5);
        assertEquals(Optional.of(Duration.ZERO), done.snapshot().eta());
        assertTrue(done.snapshot().perSecond() > 0);
    }

    @Test
    void aNegativeTotalOrAnEmptyWindowIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RebuildProgress(-1, Duration.ofSeconds(1), clock));
        assertThrows(IllegalArgumentException.class, () -> new RebuildProgress(1, Duration.ZERO, clock));
    }
}
