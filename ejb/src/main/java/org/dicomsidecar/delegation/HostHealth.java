package org.dicomsidecar.delegation;

/** What a live check of the host's DICOMweb service found; {@code httpStatus} is 0 when it did not answer. */
public record HostHealth(boolean reachable, String dicomwebUrl, int httpStatus, long latencyMillis, String error) {
}
