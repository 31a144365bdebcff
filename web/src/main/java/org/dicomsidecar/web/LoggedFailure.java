package org.dicomsidecar.web;

/**
 * An unexpected failure as it may be logged: the exception classes and stack frames of the whole cause chain,
 * without their messages. Messages quote what failed to parse or connect (a query string, a URL, a value), and
 * those carry patients' names and IDs; the frames alone say where it broke.
 */
public final class LoggedFailure {

    private static final int MAX_FRAMES = 12;

    private LoggedFailure() {
    }

    public static String describe(Throwable e) {
        StringBuilder b = new StringBuilder();
        int depth = 0;
        for (Throwable t = e; t != null && depth < 8; t = t.getCause() == t ? null : t.getCause(), depth++) {
            b.append(depth == 0 ? "" : "\n  caused by ").append(t.getClass().getName());
            StackTraceElement[] frames = t.getStackTrace();
            for (int i = 0; i < Math.min(frames.length, MAX_FRAMES); i++) {
                b.append("\n    at ").append(frames[i]);
            }
            if (frames.length > MAX_FRAMES) {
                b.append("\n    ... ").append(frames.length - MAX_FRAMES).append(" more");
            }
        }
        return b.toString();
    }

    /** Only the classes of the cause chain, outermost first, on one line: "(a.B < c.D)"; "()" for none. */
    public static String classes(Throwable e) {
        StringBuilder b = new StringBuilder("(");
        int depth = 0;
        for (Throwable t = e; t != null && depth < 8; t = t.getCause() == t ? null : t.getCause(), depth++) {
            b.append(depth == 0 ? "" : " < ").append(t.getClass().getName());
        }
        return b.append(')').toString();
    }
}
