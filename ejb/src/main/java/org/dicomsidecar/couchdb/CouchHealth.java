package org.dicomsidecar.couchdb;

/** What a live check of CouchDB found. {@code documents} is -1 when unknown. */
public record CouchHealth(boolean reachable, String url, String database, long documents, String error) {
}
