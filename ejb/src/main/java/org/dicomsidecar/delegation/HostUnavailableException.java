package org.dicomsidecar.delegation;

/**
 * The host could not be asked: unreachable (502), too slow (504), or every connection to it busy (503).
 * The message says which, and never holds patient data.
 */
public class HostUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    public HostUnavailableException(int status, String code, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
