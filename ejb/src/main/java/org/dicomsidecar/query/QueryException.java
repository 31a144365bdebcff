package org.dicomsidecar.query;

/** A cohort query the sidecar cannot run; {@code where} points at the part of the query that is wrong. */
public class QueryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String where;

    public QueryException(String where, String message) {
        super(where + ": " + message);
        this.where = where;
    }

    public String where() {
        return where;
    }
}
