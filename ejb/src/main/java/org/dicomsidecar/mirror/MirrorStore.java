package org.dicomsidecar.mirror;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What {@link SeriesMirror} needs of CouchDB: read a document, look up revisions, write in bulk. */
public interface MirrorStore {

    /** The document with this id, if there is one. */
    Optional<JsonObject> get(String id);

    /** The current revision of each existing (not deleted) document among {@code ids}. */
    Map<String, String> currentRevisions(Collection<String> ids);

    /**
     * Writes the documents (deletions are {@code _deleted} tombstones); one result per document, in order:
     * {id, rev} or {id, error, reason}, a "conflict" leaving that document untouched.
     */
    JsonArray bulkDocs(List<JsonObject> docs);
}
