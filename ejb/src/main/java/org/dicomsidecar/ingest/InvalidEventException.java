package org.dicomsidecar.ingest;

/**
 * A notification the sidecar refuses; status is the HTTP status to answer (400 malformed, 413 too large, 415 wrong
 * media type).
 *
 * <p>Messages name the field or path and what is wrong with it; they carry UIDs and structure only, never patient
 * data, so that they can be logged and sent back to the caller.
 */
public class InvalidEventException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;

    /** @param status a 4xx HTTP status */
    public InvalidEventException(int status, String message) {
        super(message);
        if (status < 400 || status > 499) {
            throw new IllegalArgumentException("not a client error status: " + status);
        }
        this.status = status;
    }

    public int status() {
        return status;
    }
}
