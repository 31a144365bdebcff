package org.dicomsidecar.cluster;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import java.time.Instant;

/**
 * A duty's lease, the content of the document {@code sidecar-lease:<duty>}: the node that holds the duty (empty when
 * nobody does), when it last renewed the lease and until when it counts on it, both by the holder's own clock and for
 * people to read, and the seconds a renewal holds. Which node may act is decided by revisions and each node's own
 * clock ({@link LeaseRules}), never by these instants.
 */
public record Lease(String duty, String holder, Instant renewed, Instant expires, long seconds) {

    /** The documents' {@code type}. */
    public static final String TYPE = "lease";
    /** Every lease document's id starts so. */
    public static final String ID_PREFIX = "sidecar-lease:";

    /** The id of a duty's lease document. */
    public static String id(String duty) {
        return ID_PREFIX + duty;
    }

    /** The lease as {@code holder} writes it when it takes or renews it at {@code now}. */
    public static Lease heldBy(String holder, String duty, Instant now, long seconds) {
        return new Lease(duty, holder, now, now.plusSeconds(seconds), seconds);
    }

    /** The lease as its holder leaves it when it lets the duty go: free, for any node to take. */
    public static Lease free(String duty, Instant now, long seconds) {
        return new Lease(duty, "", now, now, seconds);
    }

    public boolean isFree() {
        return holder.isEmpty();
    }

    /** The CouchDB document, with the revision it replaces (null for a new one). */
    public JsonObject document(String rev) {
        return ClusterDocuments.start(id(duty), rev, TYPE).add("duty", duty).add("holder", holder)
                .add("renewed", ClusterDocuments.text(renewed)).add("expires", ClusterDocuments.text(expires))
                .add("seconds", seconds).build();
    }

    /** The lease a document holds; missing fields read as free, 0 seconds, the epoch. */
    public static Lease of(JsonObject document) {
        String duty = ClusterDocuments.name(document, "duty", ID_PREFIX);
        long seconds = document.get("seconds") instanceof JsonNumber n ? n.longValue() : 0;
        return new Lease(duty, document.getString("holder", ""), ClusterDocuments.instant(document, "renewed"),
                ClusterDocuments.instant(document, "expires"), seconds);
    }
}
