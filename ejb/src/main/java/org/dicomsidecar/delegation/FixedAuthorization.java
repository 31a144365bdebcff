package org.dicomsidecar.delegation;

import java.util.Optional;

/** The same header (or none) on every call; a 401 is final. No toString: the header holds a password. */
final class FixedAuthorization implements HostAuthorization {

    private final String header;
    private final HostAuthStatus status;

    FixedAuthorization(String header, HostAuthStatus status) {
        this.header = header;
        this.status = status;
    }

    @Override
    public Optional<String> header() {
        return Optional.ofNullable(header);
    }

    @Override
    public boolean refused(String header) {
        return false;
    }

    @Override
    public HostAuthStatus status() {
        return status;
    }
}
