package org.dicomsidecar.delegation;

/**
 * A DICOMweb request the sidecar answers itself, without asking the host: its path or query is malformed
 * (400) or names no DICOMweb resource (404). The message says what is wrong and never quotes the caller's input.
 */
public class RefusedRequestException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String error;

    public RefusedRequestException(int status, String error, String message) {
        super(message, null, false, false);
        this.status = status;
        this.error = error;
    }

    public int status() {
        return status;
    }

    /** The JSON error code: invalid-path, invalid-uid, invalid-query or not-a-dicomweb-resource. */
    public String error() {
        return error;
    }
}
