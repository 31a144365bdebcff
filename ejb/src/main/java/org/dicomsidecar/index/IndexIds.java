package org.dicomsidecar.index;

/** The id fields every index document carries (StringFields): what the store replaces and deletes by. */
final class IndexIds {

    /** The CouchDB document id (stored). */
    static final String ID = "_id";
    /** {@code instance}, {@code series} or {@code study}. */
    static final String KIND = "_kind";
    /** StudyInstanceUID. */
    static final String STUDY = "_study";
    /** SeriesInstanceUID. */
    static final String SERIES = "_series";

    private IndexIds() {
    }
}
