package org.dicomsidecar.cohorts;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.dicomsidecar.catalog.InMemoryCatalogStore;
import org.dicomsidecar.catalog.SeriesCatalog;
import org.dicomsidecar.catalog.TestIndex;
import org.dicomsidecar.json.Jsonp;
import org.dicomsidecar.query.CohortQuery;
import org.dicomsidecar.query.CohortQueryParser;
import org.dicomsidecar.query.QueryDeadline;
import org.dicomsidecar.query.QueryTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A query past its time budget is cancelled in the loop that scans the catalog, long before the end of a large
 * one; within its budget the same scan answers in full.
 */
class QueryDeadlineTest {

    private static final int SERIES = 100_000;

    /** A clock that moves one millisecond each time it is read, counting the reads. */
    private static final class SteppingClock implements LongSupplier {
        final AtomicLong reads = new AtomicLong();

        @Override
        public long getAsLong() {
            return reads.incrementAndGet() * 1_000_000L;
        }
    }

    private static List<SeriesCatalog.Entry> largeCatalog() {
        List<SeriesCatalog.Entry> out = new ArrayList<>(SERIES);
        for (int i = 0; i < SERIES; i++) {
            JsonObject dicom = Jsonp.createObjectBuilder()
                    .add("0008103E", Jsonp.createObjectBuilder().add("vr", "LO")
                            .add("Value", Jsonp.createArrayBuilder().add("AX CHEST " + i)))
                    .build();
            out.add(new SeriesCatalog.Entry("1.2." + (i / 10), "1.2." + (i / 10) + "." + i, "CT", dicom, Set.of(),
                    1, null));
        }
        return out;
    }

    private static final InMemoryCatalogStore EMPTY = new InMemoryCatalogStore();
    private static TestIndex index;

    @BeforeAll
    static void openAnEmptyIndex() {
        index = new TestIndex(EMPTY);
    }

    @AfterAll
    static void closeIt() throws java.io.IOException {
        index.close();
    }

    /** Over an empty index and database: the series are given, none undecided, so CouchDB is never asked. */
    private static CohortService service() {
        CohortService s = new CohortService();
        s.catalog = new SeriesCatalog(index, EMPTY);
        return s;
    }

    private static CohortQuery query(CohortQuery.Level level) {
        return CohortQueryParser.parse(Jsonp.createObjectBuilder().add("level", level.name().toLowerCase())
                .add("where", Jsonp.createObjectBuilder().add("attribute", "SeriesDescription")
                        .add("matches", "*".repeat(30) + "CHEST*")).build());
    }

    @Test
    void aScanPastItsBudgetStopsWithinAFewSeries() {
        List<SeriesCatalog.Entry> catalog = largeCatalog();
        for (CohortQuery.Level level : CohortQuery.Level.values()) {
            SteppingClock clock = new SteppingClock();
            QueryDeadline deadline = QueryDeadline.after(100, clock);
            QueryTimeoutException e = assertThrows(QueryTimeoutException.class,
                    () -> service().matches(query(level), catalog, deadline));
            assertTrue(clock.reads.get() < 200, level + ": stopped after " + clock.reads.get() + " checks of " + SERIES);
            assertTrue(e.getMessage().contains("sidecar.query.time-budget-ms"), e.getMessage());
            assertTrue(e.getMessage().contains("100 ms"), e.getMessage());
        }
    }

    @Test
    void theSameScanWithinItsBudgetAnswersEverySeries() {
        List<SeriesCatalog.Entry> catalog = largeCatalog();
        assertEquals(SERIES, service().matches(query(CohortQuery.Level.SERIES), catalog, QueryDeadline.after(600_000))
                .size());
        assertEquals(SERIES / 10, service().matches(query(CohortQuery.Level.STUDY), catalog, QueryDeadline.none())
                .size());
    }

    @Test
    void aRealClockDeadlineCancelsOnTime() {
        List<SeriesCatalog.Entry> catalog = largeCatalog();
        QueryDeadline spent = QueryDeadline.after(1);
        long start = System.nanoTime();
        while (System.nanoTime() - start < 5_000_000L) {
            Thread.onSpinWait(); // let the millisecond pass
        }
        assertThrows(QueryTimeoutException.class, () -> service().matches(query(CohortQuery.Level.INSTANCE), catalog, spent));
        assertDoesNotThrow(() -> QueryDeadline.none().check());
    }
}
