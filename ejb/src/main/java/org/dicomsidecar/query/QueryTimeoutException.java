package org.dicomsidecar.query;

import org.dicomsidecar.config.Setting;

/** A query ran past its time budget and was cancelled; answered 503 {@code query-timeout}. */
public class QueryTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public QueryTimeoutException(long budgetMillis) {
        super("the query ran longer than its time budget of " + budgetMillis + " ms ("
                + Setting.QUERY_TIME_BUDGET_MS.key() + ") and was cancelled: narrow it down, or raise the setting");
    }
}
