package org.dicomsidecar.mirror;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.dicomsidecar.couchdb.CouchDatabase;

/** How much the mirror holds, from its views (cached briefly: status is polled, views cost). */
@ApplicationScoped
public class MirrorCounts {

    private static final long CACHE_NANOS = 2_000_000_000L;

    @Inject
    CouchDatabase couch;

    public record Counts(long instances, long series, long studies) {
    }

    private volatile Counts cached;
    private volatile long cachedAt;

    public Counts counts() {
        Counts c = cached;
        if (c != null && System.nanoTime() - cachedAt < CACHE_NANOS) {
            return c;
        }
        long instances = 0;
        long series = 0;
        JsonObject byType = couch.query("/_design/types/_view/by_type?group=true&stale=update_after");
        for (JsonValue row : byType.getJsonArray("rows")) {
            JsonObject r = row.asJsonObject();
            if (MirrorDocuments.INSTANCE.equals(r.getString("key"))) {
                instances = r.getJsonNumber("value").longValue();
            } else if (MirrorDocuments.SERIES.equals(r.getString("key"))) {
                series = r.getJsonNumber("value").longValue();
            }
        }
        long studies = couch.query("/_design/mirror/_view/series_by_study?group=true&stale=update_after").getJsonArray("rows").size();
        c = new Counts(instances, series, studies);
        cached = c;
        cachedAt = System.nanoTime();
        return c;
    }
}
