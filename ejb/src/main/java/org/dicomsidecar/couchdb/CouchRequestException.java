package org.dicomsidecar.couchdb;

/** CouchDB answered, but with an error status (a conflict, a bad request, a missing permission). */
public class CouchRequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    public CouchRequestException(int status, String message) {
        super("CouchDB answered " + status + ": " + message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
