package org.dicomsidecar.dicom;

/**
 * The attribute tags the code names, as DICOM JSON keys (eight hex digits, upper case): one place, so that a
 * literal such as "0020000D" is read as what it is.
 */
public final class Tags {

    public static final String SOP_CLASS_UID = "00080016";
    public static final String SOP_INSTANCE_UID = "00080018";
    public static final String ACCESSION_NUMBER = "00080050";
    public static final String MODALITY = "00080060";
    public static final String SERIES_DESCRIPTION = "0008103E";
    public static final String REFERENCED_SOP_INSTANCE_UID = "00081155";
    public static final String PATIENT_NAME = "00100010";
    public static final String PATIENT_ID = "00100020";
    public static final String STUDY_INSTANCE_UID = "0020000D";
    public static final String SERIES_INSTANCE_UID = "0020000E";

    private Tags() {
    }
}
