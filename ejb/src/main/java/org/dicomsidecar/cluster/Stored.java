package org.dicomsidecar.cluster;

/** A document's content as read from CouchDB, with the revision a write over it must carry. */
public record Stored<T>(T value, String rev) {
}
