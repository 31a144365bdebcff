package org.dicomsidecar.ingest;

import java.io.IOException;
import java.util.OptionalLong;

/** How far a change log has been read and handed on: the sequence number to resume after. */
public interface ChangesPosition {

    /** The saved sequence number; empty when there is none (or it is for another source, or unreadable). */
    OptionalLong read();

    /** Saves the sequence number durably (returns once it is stored). */
    void write(long seq) throws IOException;
}
