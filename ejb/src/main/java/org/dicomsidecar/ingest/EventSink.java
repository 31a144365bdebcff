package org.dicomsidecar.ingest;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where ingest hands the events it reads. The mirror implements it: it sits above ingest, which therefore
 * names only this interface.
 */
public interface EventSink {

    /** Journals the events (durably) and queues them; completes with their count once they are safe on disk. */
    CompletableFuture<Integer> accept(List<StoredEvent> events);

    /** The event journal's folder: other durable ingest state, such as feed checkpoints, lives there too. */
    Path journalDir();

    /** n items of otherwise good notifications were unusable (an unsafe UID, an odd change) and skipped. */
    void skipped(int n);
}
