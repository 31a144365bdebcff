package org.dicomsidecar.workflow;

/** An update based on a version that is no longer current (If-Match did not match): HTTP 412. */
public class StaleUpdateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String currentEtag;

    public StaleUpdateException(String message, String currentEtag) {
        super(message);
        this.currentEtag = currentEtag;
    }

    public String currentEtag() {
        return currentEtag;
    }
}
