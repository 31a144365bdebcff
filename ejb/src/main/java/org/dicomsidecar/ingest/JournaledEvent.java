package org.dicomsidecar.ingest;


/** An event as written to the journal: its sequence number, its segment, and when it was received. */
public record JournaledEvent(long seq, long segment, StoredEvent event, long receivedAtMillis) {
}
