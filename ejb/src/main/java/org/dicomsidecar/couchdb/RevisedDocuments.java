package org.dicomsidecar.couchdb;

import jakarta.json.JsonObject;
import java.util.Optional;

/**
 * Documents read by id and written under the revision read, as {@link CouchDatabase} does: narrow, so that what
 * keeps a small document of its own (a checkpoint) is tested over an in-memory map.
 */
public interface RevisedDocuments {

    /** The document with this id, if there is one. */
    Optional<JsonObject> get(String id);

    /**
     * Writes a document under the revision it carries (none for a new document): its new revision, or empty when that
     * revision is no longer the current one (another writer was first, and nothing was written).
     */
    Optional<String> putUnlessConflict(JsonObject doc);
}
