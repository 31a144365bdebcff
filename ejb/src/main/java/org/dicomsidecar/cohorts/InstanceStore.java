package org.dicomsidecar.cohorts;

import jakarta.json.JsonObject;
import java.util.List;

/** What {@link CohortService} reads of the mirror beyond the catalog: instance documents by SOP Instance UID. */
public interface InstanceStore {

    /** The instance documents of these SOP Instance UIDs that the mirror holds. */
    List<JsonObject> instanceDocuments(List<String> sopUids);
}
