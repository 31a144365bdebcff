package org.dicomsidecar.cluster;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.time.Instant;
import java.util.List;
import org.dicomsidecar.json.Jsonp;

/**
 * A node's heartbeat, the content of the document {@code sidecar-node:<name>}: the node's name, when it last wrote it
 * by its own clock, the duties it held then, and how many events its journal held not yet mirrored (-1: not
 * reported).
 */
public record NodeHeartbeat(String name, Instant seen, List<String> duties, long journalDepth) {

    /** The documents' {@code type}. */
    public static final String TYPE = "node";
    /** Every node document's id starts so. */
    public static final String ID_PREFIX = "sidecar-node:";

    public NodeHeartbeat {
        duties = List.copyOf(duties);
    }

    /** The id of a node's heartbeat document. */
    public static String id(String name) {
        return ID_PREFIX + name;
    }

    /** The CouchDB document, with the revision it replaces (null for a new one). */
    public JsonObject document(String rev) {
        JsonArrayBuilder held = Jsonp.createArrayBuilder();
        duties.forEach(held::add);
        var doc = ClusterDocuments.start(id(name), rev, TYPE).add("name", name)
                .add("seen", ClusterDocuments.text(seen)).add("duties", held);
        if (journalDepth >= 0) {
            doc.add("journalDepth", journalDepth);
        }
        return doc.build();
    }

    /** The heartbeat a document holds; missing fields read as no duties, the epoch. */
    public static NodeHeartbeat of(JsonObject document) {
        String name = ClusterDocuments.name(document, "name", ID_PREFIX);
        List<String> duties = document.get("duties") instanceof JsonArray a
                ? a.stream().filter(v -> v.getValueType() == JsonValue.ValueType.STRING)
                        .map(v -> ((JsonString) v).getString()).toList()
                : List.of();
        long journalDepth = document.get("journalDepth") instanceof jakarta.json.JsonNumber n && n.isIntegral()
                && n.longValue() >= 0 ? n.longValue() : -1;
        return new NodeHeartbeat(name, ClusterDocuments.instant(document, "seen"), duties, journalDepth);
    }
}
