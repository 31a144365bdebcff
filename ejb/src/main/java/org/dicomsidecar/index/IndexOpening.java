package org.dicomsidecar.index;

import java.util.Optional;

/**
 * What opening the index folder found, and so what the caller must do: {@link Action#RESUME} follows CouchDB's
 * changes from {@link #resumeFrom()}; {@link Action#REBUILD} found nothing usable (the folder now holds a fresh,
 * empty index) and reads every document from CouchDB again. {@link #reason()} says why, for the log and the
 * status page.
 */
public record IndexOpening(Action action, String reason, Optional<IndexCheckpoint> resumeFrom) {

    public enum Action { RESUME, REBUILD }

    static IndexOpening resume(IndexCheckpoint checkpoint) {
        return new IndexOpening(Action.RESUME, "index at CouchDB seq " + checkpoint.couchSeq(), Optional.of(checkpoint));
    }

    static IndexOpening rebuild(String reason) {
        return new IndexOpening(Action.REBUILD, reason, Optional.empty());
    }
}
