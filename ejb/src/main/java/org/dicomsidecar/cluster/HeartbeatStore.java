package org.dicomsidecar.cluster;

import java.util.List;
import java.util.Optional;

/**
 * What {@link Heartbeats} needs of CouchDB: the node documents, written under their revision and read all at once.
 * Every method throws {@link org.dicomsidecar.couchdb.CouchUnavailableException} when CouchDB cannot be reached and
 * {@link org.dicomsidecar.couchdb.CouchRequestException} when it refuses otherwise.
 */
public interface HeartbeatStore {

    /** The current revision of the node's document; empty when there is none. */
    Optional<String> revision(String node);

    /**
     * Writes the heartbeat over revision {@code rev} (null for a new document). Answers the new revision, or empty
     * when {@code rev} is no longer the current one (nothing written).
     */
    Optional<String> write(NodeHeartbeat heartbeat, String rev);

    /** Every node's heartbeat, with its revision, in name order. */
    List<Stored<NodeHeartbeat>> all();
}
