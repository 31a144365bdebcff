package org.dicomsidecar.cluster;

import java.util.List;
import java.util.Optional;
import org.dicomsidecar.couchdb.CouchUnavailableException;
import org.dicomsidecar.couchdb.InMemoryDocuments;

/** The lease and node documents of one CouchDB in memory, shared by every node of a test; can be made unreachable. */
final class InMemoryClusterStore implements LeaseStore, HeartbeatStore {

    final InMemoryDocuments docs = new InMemoryDocuments();
    /** While true, every call fails as an unreachable CouchDB does. */
    boolean down;
    /** Runs once, just before the next write (another node getting in between a read and a write). */
    Runnable beforeNextWrite;
    int writes;

    @Override
    public Optional<Stored<Lease>> read(String duty) {
        reachable();
        return docs.get(Lease.id(duty)).map(d -> new Stored<>(Lease.of(d), d.getString("_rev")));
    }

    @Override
    public Optional<String> write(Lease lease, String rev) {
        return write(() -> docs.write(lease.document(rev)));
    }

    @Override
    public Optional<String> revision(String node) {
        reachable();
        return docs.get(NodeHeartbeat.id(node)).map(d -> d.getString("_rev"));
    }

    @Override
    public Optional<String> write(NodeHeartbeat heartbeat, String rev) {
        return write(() -> docs.write(heartbeat.document(rev)));
    }

    @Override
    public List<Stored<NodeHeartbeat>> all() {
        reachable();
        return docs.range(NodeHeartbeat.ID_PREFIX, NodeHeartbeat.ID_PREFIX + "\ufff0").stream()
                .map(d -> new Stored<>(NodeHeartbeat.of(d), d.getString("_rev"))).toList();
    }

    /** The lease of a duty as stored. */
    Optional<Lease> lease(String duty) {
        return docs.get(Lease.id(duty)).map(Lease::of);
    }

    private Optional<String> write(java.util.function.Supplier<Optional<String>> write) {
        if (beforeNextWrite != null) {
            Runnable r = beforeNextWrite;
            beforeNextWrite = null;
            r.run();
        }
        reachable();
        writes++;
        return write.get();
    }

    private void reachable() {
        if (down) {
            throw new CouchUnavailableException("CouchDB request failed: Connection refused", null);
        }
    }
}
