package org.dicomsidecar.catalog;

import jakarta.json.JsonObject;
import java.util.Collection;
import java.util.List;

/**
 * What the {@link SeriesCatalog} reads of the mirror's database beside the index: the instance documents of some
 * series, where a question needs their whole datasets. Narrow so that callers can be tested over a fake.
 */
public interface CatalogStore {

    /** The instance documents of these series (by Series Instance UID). */
    List<JsonObject> instanceDocumentsOfSeries(Collection<String> seriesUids);
}
