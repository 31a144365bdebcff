package org.dicomsidecar.ingest;

import org.dicomsidecar.dicom.DicomUid;

/**
 * One notification that instances were stored in the host. seriesUid and sopUid may be null (then the whole study /
 * series is meant). source: "ups", "wado", "fhir", "webhook", "stow".
 *
 * @param studyUid Study Instance UID, required
 * @param seriesUid Series Instance UID, or null for the whole study
 * @param sopUid SOP Instance UID, or null for the whole series (or study); requires seriesUid
 * @param source where the notification came from; required (not checked against a list)
 * @throws InvalidEventException (400) when a UID is missing, invalid, or a sopUid comes without a seriesUid
 */
public record StoredEvent(String studyUid, String seriesUid, String sopUid, String source) {

    public StoredEvent {
        if (source == null) {
            throw new IllegalArgumentException("source is required");
        }
        check(studyUid, "studyUid");
        if (seriesUid != null) {
            check(seriesUid, "seriesUid");
        }
        if (sopUid != null) {
            if (seriesUid == null) {
                throw new InvalidEventException(400, "sopUid: given without seriesUid");
            }
            check(sopUid, "sopUid");
        }
    }

    private static void check(String uid, String field) {
        String problem = DicomUid.problem(uid, field);
        if (problem != null) {
            throw new InvalidEventException(400, problem);
        }
    }
}
