package org.dicomsidecar.query;

import java.util.List;

/**
 * A parsed cohort query.
 *
 * @param level   what the answer lists: studies, series or instances
 * @param where   the condition
 * @param sort    sort keys (then by UID, so pages are stable)
 * @param limit   page size
 * @param cursor  where the previous page ended, or null for the first page
 * @param facets  value counts or histograms wanted, under the same condition
 * @param include attributes to return for each result, besides the UIDs
 */
public record CohortQuery(Level level, Condition where, List<SortKey> sort, int limit, String cursor,
                          List<Facet> facets, List<AttributePath> include) {

    public enum Level { STUDY, SERIES, INSTANCE }

    public record SortKey(AttributePath path, boolean descending) {
    }

    /** {@code bins} > 0: a histogram of a numeric attribute; otherwise the most frequent values, at most {@code limit}. */
    public record Facet(AttributePath path, int bins, int limit) {
    }
}
