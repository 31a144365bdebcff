package org.dicomsidecar.mirror;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.dicomsidecar.catalog.SeriesCatalog;


/**
 * How much the mirror holds, from the index's series documents (they count their instances). Not from
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
        catalog.current();
        SeriesCatalog.Counts c = catalog.counts();
        return new Counts(c.instances(), c.series(), c.studies());
    }
}
