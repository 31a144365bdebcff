package org.dicomsidecar.cluster;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import org.dicomsidecar.json.Jsonp;

/** What the lease and node documents share: their id, revision and type, and instants written as ISO text. */
final class ClusterDocuments {

    private ClusterDocuments() {
    }

    /** A document's start: {@code _id}, {@code _rev} when it replaces one (null for a new document), {@code type}. */
    static JsonObjectBuilder start(String id, String rev, String type) {
        JsonObjectBuilder doc = Jsonp.createObjectBuilder().add("_id", id);
        if (rev != null) {
            doc.add("_rev", rev);
        }
        return doc.add("type", type);
    }

    /** The text under {@code key}; when missing, what the document's id holds after {@code idPrefix}. */
    static String name(JsonObject doc, String key, String idPrefix) {
        String id = doc.getString("_id", "");
        return doc.getString(key, id.startsWith(idPrefix) ? id.substring(idPrefix.length()) : id);
    }

    /** An instant as people read it, to the millisecond. */
    static String text(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    /** The instant under {@code key}; the epoch when it is missing or not an ISO instant (no decision reads it). */
    static Instant instant(JsonObject doc, String key) {
        try {
            return Instant.parse(doc.getString(key, ""));
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }
}
