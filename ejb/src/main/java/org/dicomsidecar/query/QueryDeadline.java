package org.dicomsidecar.query;

import java.util.function.LongSupplier;

/**
 * The moment a query must give up. Checked cooperatively in the loops that scan the series catalog, the
 * instances and the references, so that a query past its budget ends there and frees its thread.
 */
public final class QueryDeadline {

    private static final QueryDeadline NONE = new QueryDeadline(Long.MAX_VALUE, 0, () -> 0);

    private final long budgetMillis;
    private final long deadlineNanos;
    private final LongSupplier nanoClock;

    private QueryDeadline(long budgetMillis, long deadlineNanos, LongSupplier nanoClock) {
        this.budgetMillis = budgetMillis;
        this.deadlineNanos = deadlineNanos;
        this.nanoClock = nanoClock;
    }

    /** A deadline this many milliseconds from now. */
    public static QueryDeadline after(long budgetMillis) {
        return after(budgetMillis, System::nanoTime);
    }

    /** A deadline on a clock of nanoseconds (a test's). */
    public static QueryDeadline after(long budgetMillis, LongSupplier nanoClock) {
        return new QueryDeadline(budgetMillis, nanoClock.getAsLong() + budgetMillis * 1_000_000L, nanoClock);
    }

    /** No deadline: for work bounded by other means (one study's facts). */
    public static QueryDeadline none() {
        return NONE;
    }

    /** Throws {@link QueryTimeoutException} once the deadline has passed. */
    public void check() {
        if (this != NONE && nanoClock.getAsLong() - deadlineNanos > 0) {
            throw new QueryTimeoutException(budgetMillis);
        }
    }
}
