package org.dicomsidecar.ingest;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.dicomsidecar.couchdb.RevisedDocuments;
import org.dicomsidecar.json.Jsonp;

/**
 * The changes feed's checkpoint in CouchDB, {@code sidecar-checkpoint:<feed>}: whichever node holds the feed resumes
 * where the last holder stopped. {@code {"type": "checkpoint", "source": "<the host's URL>", "seq": n, "node": ...}}.
 * The database mirrors one archive, which the nodes may reach under different URLs (a name on one machine, an
 * address on another): a checkpoint written under another URL is resumed from all the same, and said so once. Were
 * it another archive's, its log would end before the checkpoint and the poller starts again from its start, and
 * the start-up reconciliation mirrors what that archive held. Until the first write, a checkpoint file a single node
 * kept before (an upgrade) is read instead.
 */
public final class CouchChangesCheckpoint implements ChangesPosition {

    private static final Logger LOG = Logger.getLogger(CouchChangesCheckpoint.class.getName());
    static final String ID_PREFIX = "sidecar-checkpoint:";

    private final RevisedDocuments couch;
    private final String id;
    private final String source;
    private final String node;
    private final java.util.function.Supplier<OptionalLong> before;
    private volatile boolean toldOtherSource;

    /**
     * @param feed the feed's name ({@code orthanc-changes})
     * @param source the change log's URL, shown without user info
     * @param node the node writing, for people reading the document
     * @param before where a single node kept the checkpoint before (read while CouchDB has none)
     */
    public CouchChangesCheckpoint(RevisedDocuments couch, String feed, String source, String node,
            java.util.function.Supplier<OptionalLong> before) {
        this.couch = couch;
        this.id = ID_PREFIX + feed;
        this.source = source;
        this.node = node;
        this.before = before;
    }

    /** Throws CouchDB's exceptions when it cannot be read: the poll fails and is tried again, nothing is skipped. */
    @Override
    public OptionalLong read() {
        Optional<JsonObject> doc = couch.get(id);
        if (doc.isEmpty()) {
            return before.get();
        }
        JsonObject o = doc.get();
        JsonNumber seq = o.get("seq") instanceof JsonNumber n ? n : null;
        if (seq == null || !seq.isIntegral() || seq.longValue() < 0) {
            LOG.log(Level.WARNING, "The checkpoint {0} has no whole number \"seq\", ignoring it", id);
            return OptionalLong.empty();
        }
        if (!source.equals(o.getString("source", null)) && !toldOtherSource) {
            toldOtherSource = true;
            LOG.log(Level.INFO, "The checkpoint {0} was written by node {1} reaching the archive at {2}; this node "
                    + "reaches it at {3}: resuming from it", new Object[]{id, o.getString("node", "?"),
                            o.getString("source", "?"), source});
        }
        return OptionalLong.of(seq.longValue());
    }

    /** Writes under the current revision; a conflict (another writer in between) is read again and retried. */
    @Override
    public void write(long seq) throws IOException {
        for (int attempt = 0; attempt < 3; attempt++) {
            String rev = couch.get(id).map(d -> d.getString("_rev", null)).orElse(null);
            var doc = Jsonp.createObjectBuilder().add("_id", id);
            if (rev != null) {
                doc.add("_rev", rev);
            }
            doc.add("type", "checkpoint").add("source", source).add("seq", seq).add("node", node)
                    .add("written", Instant.now().toString());
            if (couch.putUnlessConflict(doc.build()).isPresent()) {
                return;
            }
        }
        throw new IOException("the checkpoint " + id + " kept changing under this write");
    }
}
