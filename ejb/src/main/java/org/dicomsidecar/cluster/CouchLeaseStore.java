package org.dicomsidecar.cluster;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.dicomsidecar.couchdb.CouchDatabase;

/** Lease documents in the sidecar's CouchDB database. */
@ApplicationScoped
public class CouchLeaseStore implements LeaseStore {

    @Inject
    CouchDatabase couch;

    @Override
    public Optional<Stored<Lease>> read(String duty) {
        return couch.get(Lease.id(duty)).map(doc -> new Stored<>(Lease.of(doc), doc.getString("_rev")));
    }

    @Override
    public Optional<String> write(Lease lease, String rev) {
        return couch.putOnQuorum(lease.document(rev));
    }
}
