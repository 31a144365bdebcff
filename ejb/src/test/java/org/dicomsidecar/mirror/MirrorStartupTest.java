package org.dicomsidecar.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class MirrorStartupTest {

    @Test
    void aFailedReconciliationIsRetriedSoonThenLessAndLessOften() {
        assertEquals(Duration.ofSeconds(30), MirrorStartup.retryDelay(1));
        assertEquals(Duration.ofSeconds(60), MirrorStartup.retryDelay(2));
        assertEquals(Duration.ofSeconds(480), MirrorStartup.retryDelay(5));
        assertEquals(Duration.ofMinutes(15), MirrorStartup.retryDelay(6));
        assertEquals(Duration.ofMinutes(15), MirrorStartup.retryDelay(1000));
        assertEquals(Duration.ofSeconds(30), MirrorStartup.retryDelay(0));
    }
}
