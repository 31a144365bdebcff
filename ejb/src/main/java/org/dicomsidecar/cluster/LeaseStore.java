package org.dicomsidecar.cluster;

import java.util.Optional;

/**
 * What {@link Duties} needs of CouchDB: a duty's lease read with its revision, and written under the revision read.
 * Both throw {@link org.dicomsidecar.couchdb.CouchUnavailableException} when CouchDB cannot be reached and
 * {@link org.dicomsidecar.couchdb.CouchRequestException} when it refuses otherwise.
 */
public interface LeaseStore {

    /** The duty's lease with its revision; empty when there is no lease document. */
    Optional<Stored<Lease>> read(String duty);

    /**
     * Writes the lease over revision {@code rev} (null for a new document). Answers the new revision, or empty when
     * {@code rev} is no longer the current one (another node wrote first, and this write changed nothing) or when
     * too few of CouchDB's copies took the write to rule out a conflicting one: either way this node does not hold
     * the lease by this write.
     */
    Optional<String> write(Lease lease, String rev);
}
