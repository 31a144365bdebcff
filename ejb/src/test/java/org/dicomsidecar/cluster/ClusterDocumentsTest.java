package org.dicomsidecar.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Instant;
import java.util.List;
import org.dicomsidecar.json.Jsonp;
import org.junit.jupiter.api.Test;

/** The lease and node documents as CouchDB stores them and people read them. */
class ClusterDocumentsTest {

    private static final Instant NOW = Instant.parse("2025-03-01T08:00:00.123456Z");

    private static JsonObject parse(String json) {
        return Jsonp.createReader(new StringReader(json)).readObject();
    }

    @Test
    void aLeaseDocumentSaysWhoHoldsWhichDutyUntilWhen() {
        JsonObject doc = Lease.heldBy("node-a", "orthanc-changes", NOW, 30).document("7-abc");
        assertEquals(parse("""
                {"_id": "sidecar-lease:orthanc-changes", "_rev": "7-abc", "type": "lease", "duty": "orthanc-changes",
                 "holder": "node-a", "renewed": "2025-03-01T08:00:00.123Z", "expires": "2025-03-01T08:00:30.123Z",
                 "seconds": 30}"""), doc);
        assertFalse(Lease.heldBy("node-a", "reconcile", NOW, 30).document(null).containsKey("_rev"), "a new document");
        Lease read = Lease.of(doc);
        assertEquals(new Lease("orthanc-changes", "node-a", Instant.parse("2025-03-01T08:00:00.123Z"),
                Instant.parse("2025-03-01T08:00:30.123Z"), 30), read);
    }

    @Test
    void aFreeLeaseHasNoHolder() {
        Lease free = Lease.of(Lease.free("reconcile", NOW, 30).document("8-abc"));
        assertTrue(free.isFree());
        assertEquals("", free.holder());
    }

    @Test
    void aMalformedLeaseDocumentReadsAsFreeAndUndated() {
        Lease lease = Lease.of(parse("""
                {"_id": "sidecar-lease:reconcile", "type": "lease", "holder": null, "renewed": "yesterday",
                 "seconds": "30"}"""));
        assertEquals(new Lease("reconcile", "", Instant.EPOCH, Instant.EPOCH, 0), lease);
    }

    @Test
    void aNodeDocumentSaysWhenItWasSeenAndWhatItHeld() {
        JsonObject doc = new NodeHeartbeat("node-b", NOW, List.of("reconcile"), -1).document(null);
        assertEquals(parse("""
                {"_id": "sidecar-node:node-b", "type": "node", "name": "node-b", "seen": "2025-03-01T08:00:00.123Z",
                 "duties": ["reconcile"]}"""), doc);
        assertEquals(new NodeHeartbeat("node-b", Instant.parse("2025-03-01T08:00:00.123Z"), List.of("reconcile"), -1),
                NodeHeartbeat.of(doc));
        assertEquals(new NodeHeartbeat("node-c", Instant.EPOCH, List.of(), -1),
                NodeHeartbeat.of(parse("{\"_id\": \"sidecar-node:node-c\", \"duties\": [1, null]}")));
        JsonObject withJournal = new NodeHeartbeat("node-d", NOW, List.of(), 7).document("3-x");
        assertEquals(7, withJournal.getInt("journalDepth"));
        assertEquals(7, NodeHeartbeat.of(withJournal).journalDepth());
        assertEquals(-1, NodeHeartbeat.of(parse("{\"_id\": \"sidecar-node:e\", \"journalDepth\": -5}"))
                .journalDepth(), "a depth that is no count is not reported");
    }
}
