package org.dicomsidecar.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.dicomsidecar.config.SidecarSettings;
import org.dicomsidecar.json.Jsonp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WorkflowLongPollsTest {

    /** A change feed in memory: empty until {@link #step} is set. */
    static final class FeedStandIn extends WorkflowQueries {
        final AtomicReference<String> step = new AtomicReference<>();

        @Override
        public String now() {
            return "7";
        }

        @Override
        public JsonObject changesSince(String token) {
            String s = step.get();
            return Jsonp.createObjectBuilder()
                    .add("changes", s == null ? Jsonp.createArrayBuilder() : Jsonp.createArrayBuilder().add(
                            Jsonp.createObjectBuilder().add("step", s)))
                    .add("next", s == null ? token : "8").build();
        }
    }

    static final class Waiting implements WorkflowLongPolls.Client {
        final CompletableFuture<Object> outcome = new CompletableFuture<>();
        final AtomicBoolean gone = new AtomicBoolean();

        @Override
        public void answer(JsonObject changes) {
            outcome.complete(changes);
        }

        @Override
        public void fail(RuntimeException e) {
            outcome.complete(e);
        }

        @Override
        public boolean gone() {
            return gone.get();
        }

        @Override
        public void dropped() {
            outcome.complete("dropped");
        }
    }

    private final FeedStandIn feed = new FeedStandIn();
    private final WorkflowLongPolls polls = new WorkflowLongPolls();

    @BeforeEach
    void start() {
        polls.scheduler = Executors.newScheduledThreadPool(2);
        polls.queries = feed;
        polls.settings = SidecarSettings.from(k -> Optional.ofNullable(Map.of("sidecar.api.max-long-polls", "2").get(k)));
        polls.start();
    }

    @AfterEach
    void stop() {
        polls.stop();
        polls.scheduler.shutdownNow();
    }

    @Test
    void aChangeWakesEveryWaitingPollAndFreesItsPlace() throws Exception {
        Waiting a = new Waiting();
        Waiting b = new Waiting();
        assertTrue(polls.open(null, 60_000, a));
        assertTrue(polls.open("7", 60_000, b));
        assertFalse(polls.open(null, 60_000, new Waiting()), "past the most that may wait");
        Thread.sleep(200);
        assertFalse(a.outcome.isDone(), "nothing changed yet");

        feed.step.set("segmentation");
        polls.changed();
        JsonObject answer = (JsonObject) a.outcome.get(5, TimeUnit.SECONDS);
        assertEquals("segmentation", answer.getJsonArray("changes").getJsonObject(0).getString("step"));
        assertEquals("8", answer.getString("next"));
        assertEquals(answer, b.outcome.get(5, TimeUnit.SECONDS));
        assertEquals(0, polls.waiting());
    }

    @Test
    void aStepWrittenElsewhereIsSeenWithinSomeSeconds() throws Exception {
        Waiting a = new Waiting();
        assertTrue(polls.open(null, 60_000, a));
        Thread.sleep(200);
        feed.step.set("written-by-another-sidecar"); // no changed() call here
        long start = System.nanoTime();
        assertTrue(a.outcome.get(10, TimeUnit.SECONDS) instanceof JsonObject);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis <= (WorkflowLongPolls.PROBES_PER_LOOK + 2) * WorkflowLongPolls.PROBE_INTERVAL_MS, millis + " ms");
    }

    @Test
    void theTimeOutAnswersWithNoChangeAndTheNextToken() throws Exception {
        Waiting a = new Waiting();
        assertTrue(polls.open(null, 100, a));
        JsonObject answer = (JsonObject) a.outcome.get(5, TimeUnit.SECONDS);
        assertTrue(answer.getJsonArray("changes").isEmpty());
        assertEquals("7", answer.getString("next"));
        assertEquals(0, polls.waiting());
    }

    @Test
    void aClientThatLeftIsDroppedAndFreesItsPlace() throws Exception {
        Waiting a = new Waiting();
        assertTrue(polls.open(null, 60_000, a));
        assertTrue(polls.open(null, 60_000, new Waiting()));
        a.gone.set(true);
        assertEquals("dropped", a.outcome.get(5, TimeUnit.SECONDS));
        assertEquals(1, polls.waiting());
        assertTrue(polls.open(null, 60_000, new Waiting()), "its place is free again");
    }
}
