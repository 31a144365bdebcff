package org.dicomsidecar.web;

import jakarta.json.JsonValue;
import java.io.InputStream;
import org.dicomsidecar.json.JsonBody;
import org.dicomsidecar.query.QueryException;

/**
 * Reads the JSON body of an API operation (a cohort query, a workflow step or question) under the operation's
 * own limit: too large is 413 naming that limit, malformed is 400 {@code invalid-query} at "body" with the line
 * and column where the JSON breaks.
 */
public final class ApiBodies {

    /** A cohort query: conditions, sort, include and facets fit many times over. */
    public static final long MAX_COHORT_QUERY_BYTES = 256 * 1024;

    /** A workflow step (state, actor, a note of up to 4096 characters) or a workflow question. */
    public static final long MAX_WORKFLOW_BYTES = 64 * 1024;

    /** The largest body any operation but the notification receivers takes: what the body filter lets in. */
    static final long LARGEST_OPERATION_BYTES = Math.max(MAX_COHORT_QUERY_BYTES, MAX_WORKFLOW_BYTES);

    private ApiBodies() {
    }

    /** {@code what} names the body in a message: "a cohort query". */
    public static JsonValue read(InputStream body, long maxBytes, String what) {
        try {
            return JsonBody.read(body, maxBytes, "the most " + what + " may take");
        } catch (JsonBody.RefusedException e) {
            if (e.tooLarge()) {
                throw new BodyTooLargeException("body: " + e.getMessage());
            }
            throw new QueryException("body", e.getMessage());
        }
    }

    /** A request body past its operation's limit: 413. */
    public static final class BodyTooLargeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BodyTooLargeException(String message) {
            super(message);
        }
    }
}
