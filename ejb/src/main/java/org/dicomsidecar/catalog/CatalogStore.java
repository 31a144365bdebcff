package org.dicomsidecar.catalog;

import jakarta.json.JsonObject;
import java.util.Collection;
import java.util.List;

/**
 * What the {@link SeriesCatalog} reads of the mirror's database: the series documents, the changes since a
 * sequence and the instance documents of some series. Narrow so that the catalog's logic can be tested over
 * an in-memory store.
 */
public interface CatalogStore {

    /** A document changed since a sequence: its id, and whether it was deleted. */
    record Change(String id, boolean deleted) {
    }

    /** A page of changes, in order, and the sequence to ask from next. */
    record Changes(List<Change> results, String lastSequence) {
    }

    /** The current update sequence, as a token for {@link #changesSince}. */
    String updateSequence();

    /** At most {@code limit} series documents, in id order, from the one with id {@code firstId} on. */
    List<JsonObject> seriesDocumentsFrom(String firstId, int limit);

    /** At most {@code limit} changes after the sequence {@code since}. */
    Changes changesSince(String since, int limit);

    /** The documents with these ids that exist (missing and deleted ones left out). */
    List<JsonObject> documents(Collection<String> ids);

    /** The instance documents of these series (by Series Instance UID). */
    List<JsonObject> instanceDocumentsOfSeries(Collection<String> seriesUids);
}
