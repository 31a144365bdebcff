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
