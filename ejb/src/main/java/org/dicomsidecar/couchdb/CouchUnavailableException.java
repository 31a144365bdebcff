package org.dicomsidecar.couchdb;

/** CouchDB could not be reached or did not answer; the caller may retry later. */
public class CouchUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CouchUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
