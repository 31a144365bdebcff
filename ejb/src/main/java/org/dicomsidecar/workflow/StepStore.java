package org.dicomsidecar.workflow;

import jakarta.json.JsonObject;
import java.util.List;
import java.util.Optional;

/** What {@link WorkflowService} needs of CouchDB: step documents read, written under their revision, listed. */
public interface StepStore {

    /** The document with this id, with its {@code _rev}, if there is one. */
    Optional<JsonObject> get(String id);

    /**
     * Writes a document: a new one without {@code _rev}, an update with the revision it replaces. Answers the
     * new revision, or empty when that revision is no longer the current one (someone else wrote first).
     */
    Optional<String> put(JsonObject doc);

    /** Every document whose id lies between {@code fromId} and {@code toId} (inclusive), in id order. */
    List<JsonObject> range(String fromId, String toId);
}
