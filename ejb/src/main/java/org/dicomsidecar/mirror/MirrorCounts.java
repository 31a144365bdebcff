package org.dicomsidecar.mirror;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.dicomsidecar.catalog.SeriesCatalog;


/**
 * How much the mirror holds, from the series catalog (series documents list their instances). Not from
 * views: querying a view makes CouchDB index every document written since, which under ingest or a backfill
 * cost pouchdb-server several times the CPU of the writes themselves.
 */
@ApplicationScoped
public class MirrorCounts {

    @Inject
    SeriesCatalog catalog;

    public record Counts(long instances, long series, long studies) {
    }

    public Counts counts() {
        int series = catalog.current().size();
        return new Counts(catalog.instanceCount(), series, catalog.studyCount());
    }
}
