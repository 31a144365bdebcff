package org.dicomsidecar.index;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a commit of the index says about itself: the CouchDB update sequence every change up to which it holds
 * (an opaque string in CouchDB 2+/3 clusters, a number in pouchdb-server: kept as text), the schema version of
 * its documents, when it was committed, and which database the sequence belongs to (a sequence means nothing
 * in another database, or in the same one deleted and created again). Stored in the commit's user data, so it is durable exactly when the
 * documents are.
 */
public record IndexCheckpoint(String couchSeq, int schemaVersion, Instant committedAt, String database) {

    static final String SEQ = "couchdb.seq";
    static final String DATABASE = "couchdb.database";
    static final String SCHEMA_VERSION = "schema.version";
    static final String COMMITTED_AT = "committed.at";

    public IndexCheckpoint {
        Objects.requireNonNull(couchSeq, "couchSeq");
        Objects.requireNonNull(committedAt, "committedAt");
        database = database == null ? "" : database;
    }

    /** A checkpoint that does not name its database (the sequence is all that counts). */
    public IndexCheckpoint(String couchSeq, int schemaVersion, Instant committedAt) {
        this(couchSeq, schemaVersion, committedAt, "");
    }

    Map<String, String> toUserData() {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(SEQ, couchSeq);
        data.put(SCHEMA_VERSION, Integer.toString(schemaVersion));
        data.put(COMMITTED_AT, committedAt.toString());
        data.put(DATABASE, database);
        return data;
    }

    /** The checkpoint of a commit, or empty when the commit has none (a fresh index, or one this code did not write). */
    static Optional<IndexCheckpoint> fromUserData(Map<String, String> data) {
        String seq = data.get(SEQ);
        Optional<Integer> version = schemaVersionOf(data);
        if (seq == null || version.isEmpty()) {
            return Optional.empty();
        }
        Instant at;
        try {
            at = Instant.parse(data.getOrDefault(COMMITTED_AT, ""));
        } catch (DateTimeParseException e) {
            at = Instant.EPOCH;
        }
        return Optional.of(new IndexCheckpoint(seq, version.get(), at, data.getOrDefault(DATABASE, "")));
    }

    static Optional<Integer> schemaVersionOf(Map<String, String> data) {
        try {
            return Optional.of(Integer.parseInt(data.getOrDefault(SCHEMA_VERSION, "")));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
