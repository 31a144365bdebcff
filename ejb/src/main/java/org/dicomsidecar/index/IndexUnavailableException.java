package org.dicomsidecar.index;

/** A question came while the index cannot answer: opening, being built from CouchDB, or failed (503). */
public class IndexUnavailableException extends RuntimeException {

    private final MirrorIndex.State state;

    public IndexUnavailableException(MirrorIndex.State state, String message) {
        super(message);
        this.state = state;
    }

    /** The error code of the JSON answer: {@code index-building} while it is built, else {@code index-unavailable}. */
    public String code() {
        return state == MirrorIndex.State.BUILDING ? "index-building" : "index-unavailable";
    }
}
