package org.dicomsidecar.workflow;

import org.dicomsidecar.query.QueryException;

/**
 * The parameters of {@code GET /api/workflow/changes}, checked: {@code since} a change-feed token from an
 * earlier answer (null: from now), {@code timeout} the wait in milliseconds (default 30000; longer than
 * {@link WorkflowLongPolls#MAX_TIMEOUT_MS} is shortened to it).
 */
public record ChangesRequest(String since, long timeoutMs) {

    public static final long DEFAULT_TIMEOUT_MS = 30_000;
    private static final int MAX_TOKEN_LENGTH = 1024;

    public static ChangesRequest parse(String since, String timeout) {
        return new ChangesRequest(token(since), timeout(timeout));
    }

    private static String token(String since) {
        if (since == null) {
            return null;
        }
        // pouchdb's tokens are numbers, CouchDB's "<n>-<base64url>": nothing else is sent back to CouchDB
        if (since.isEmpty() || since.length() > MAX_TOKEN_LENGTH || !since.matches("[A-Za-z0-9_-]+")) {
            throw new QueryException("since", "must be the \"next\" token of an earlier answer");
        }
        return since;
    }

    private static long timeout(String timeout) {
        if (timeout == null || timeout.isEmpty()) {
            return DEFAULT_TIMEOUT_MS;
        }
        if (!timeout.matches("[0-9]+")) {
            throw new QueryException("timeout", "must be a whole number of milliseconds, 0 to "
                    + WorkflowLongPolls.MAX_TIMEOUT_MS);
        }
        // any longer wait is shortened to the most a long-poll waits (also values beyond a long)
        return timeout.length() > 6 ? WorkflowLongPolls.MAX_TIMEOUT_MS
                : Math.min(Long.parseLong(timeout), WorkflowLongPolls.MAX_TIMEOUT_MS);
    }
}
