package org.dicomsidecar.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.dicomsidecar.couchdb.CouchRequestException;
import org.dicomsidecar.couchdb.CouchUnavailableException;

/**
 * This node's heartbeat and what it knows of the others'. Every {@link #beat(List, long)} writes this node's document
 * ({@code sidecar-node:<name>}: the time and the duties it holds) under its revision, a conflict being retried at the
 * next beat, then reads every node's. A node counts as seen while its document changed within the last three lease
 * times by this node's own clock (its {@code seen} instant, written by that node's clock, is for people to read); a
 * document this node has not yet seen change counts only once it does, as it may have stood for days.
 */
public final class Heartbeats {

    private static final Logger LOG = Logger.getLogger(Heartbeats.class.getName());
    /** How many lease times a node stays among the nodes seen after its last heartbeat. */
    static final int SEEN_FOR_LEASES = 3;
    private static final long NEVER = Long.MIN_VALUE;

    private final HeartbeatStore store;
    private final NodeClock clock;
    private final String node;
    private final long seconds;
    /** The revision of this node's document, when {@link #ownRevKnown} (null: there is none); beat thread only. */
    private String ownRev;
    private boolean ownRevKnown;
    /** Each node's document's revision as last read, by name, and since when it stands (beat thread only). */
    private Map<String, SeenRevision> seen = new HashMap<>();
    private volatile List<Observed> observed = List.of();
    /** Why the last beat failed (logged once per change); null after a good one. */
    private String failure;

    /** A node's last heartbeat as read, and since when (this node's clock; {@link #NEVER}: unknown) it stands. */
    private record Observed(NodeHeartbeat heartbeat, long sinceMillis) {
    }

    /**
     * @param store where the node documents are
     * @param clock this node's clocks
     * @param node this node's name
     * @param seconds the lease time: a node not heard from for three of them is no longer listed
     */
    public Heartbeats(HeartbeatStore store, NodeClock clock, String node, long seconds) {
        this.store = store;
        this.clock = clock;
        this.node = node;
        this.seconds = seconds;
    }

    /**
     * Writes this node's heartbeat with the duties it holds and its journal's depth (-1: not reported), then reads
     * every node's. Never throws on CouchDB trouble.
     */
    public synchronized void beat(List<String> duties, long journalDepth) {
        try {
            write(new NodeHeartbeat(node, clock.wallTime(), duties, journalDepth));
            read();
            if (failure != null) {
                LOG.info("Heartbeats written and read again");
                failure = null;
            }
        } catch (CouchUnavailableException | CouchRequestException e) {
            if (!Objects.equals(e.getMessage(), failure)) {
                LOG.log(Level.WARNING, "Cannot write or read the nodes'' heartbeats: {0}", e.getMessage());
            }
            failure = e.getMessage();
        }
    }

    /** The nodes seen within the last three lease times by this node's clock, this one included, in name order. */
    public List<NodeHeartbeat> recent() {
        long now = clock.millis();
        long window = SEEN_FOR_LEASES * seconds * 1000L;
        return observed.stream().filter(o -> o.sinceMillis() != NEVER && now - o.sinceMillis() < window)
                .map(Observed::heartbeat).toList();
    }

    private void write(NodeHeartbeat heartbeat) {
        if (!ownRevKnown) {
            ownRev = store.revision(node).orElse(null);
            ownRevKnown = true;
        }
        ownRevKnown = false; // until the write answers (it may be written even if no answer comes)
        Optional<String> written = store.write(heartbeat, ownRev);
        if (written.isPresent()) { // else a conflict: the revision is read again at the next beat
            ownRev = written.get();
            ownRevKnown = true;
            seen.put(node, new SeenRevision(ownRev, clock.millis()));
        }
    }

    private void read() {
        long now = clock.millis();
        Map<String, SeenRevision> next = new HashMap<>();
        List<Observed> read = new ArrayList<>();
        for (Stored<NodeHeartbeat> s : store.all()) {
            String name = s.value().name();
            SeenRevision last = seen.get(name);
            // a document read for the first time may have stood unchanged for days: seen only once it changes
            SeenRevision current = last == null ? new SeenRevision(s.rev(), NEVER) : SeenRevision.next(last, s.rev(), now);
            next.put(name, current);
            read.add(new Observed(s.value(), current.firstSeenMillis()));
        }
        seen = next;
        observed = List.copyOf(read);
    }
}
