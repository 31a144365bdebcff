package org.dicomsidecar.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.dicomsidecar.couchdb.InMemoryDocuments;
import org.dicomsidecar.json.Jsonp;
import org.dicomsidecar.query.QueryException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** WorkflowService's steps over a CouchDB in memory. */
class WorkflowServiceTest {

    /** Step documents in memory. */
    static final class FakeStepStore implements StepStore {
        final InMemoryDocuments docs = new InMemoryDocuments();
        /** Runs once, just before the next write (another writer getting in between). */
        Runnable beforeNextPut;

        @Override
        public Optional<JsonObject> get(String id) {
            return docs.get(id);
        }

        @Override
        public Optional<String> put(JsonObject doc) {
            if (beforeNextPut != null) {
                Runnable r = beforeNextPut;
                beforeNextPut = null;
                r.run();
            }
            return docs.write(doc);
        }

        @Override
        public List<JsonObject> range(String fromId, String toId) {
            return docs.range(fromId, toId);
        }
    }

    private static final String STUDY = "2.25.100";
    private static final String SERIES = "2.25.100.1";

    private final FakeStepStore store = new FakeStepStore();
    private final WorkflowService workflow = new WorkflowService();

    @BeforeEach
    void wire() {
        workflow.store = store;
        workflow.longPolls = new WorkflowLongPolls();
    }

    @Test
    void aNewStepIsCreatedWithOneHistoryEntry() {
        assertTrue(workflow.get(STUDY, null, "qc").isEmpty()); // the resource answers 201 for this

        WorkflowService.Step s = workflow.put(STUDY, null, "qc", body("running", "agent-1", "started"), null);

        JsonObject json = s.json();
        assertEquals(STUDY, json.getString("studyInstanceUID"));
        assertEquals("qc", json.getString("step"));
        assertEquals("running", json.getString("state"));
        assertEquals("agent-1", json.getString("actor"));
        assertEquals("started", json.getString("note"));
        assertEquals(json.getString("created"), json.getString("updated"));
        assertEquals(1, json.getJsonArray("history").size());
        assertEquals(s.etag(), store.docs.get(WorkflowService.id(STUDY, null, "qc")).orElseThrow().getString("_rev"));
        assertEquals(Optional.of(s), workflow.get(STUDY, null, "qc"));
    }

    @Test
    void anUpdateWithTheCurrentEtagSucceedsAndHistoryGrows() {
        WorkflowService.Step first = workflow.put(STUDY, null, "qc", body("running", null, null), null);

        WorkflowService.Step second = workflow.put(STUDY, null, "qc", body("done", null, null), first.etag());

        assertNotEquals(first.etag(), second.etag());
        assertEquals("done", second.json().getString("state"));
        assertEquals(first.json().getString("created"), second.json().getString("created"));
        assertEquals(List.of("running", "done"), second.json().getJsonArray("history").stream()
                .map(e -> e.asJsonObject().getString("state")).toList());
    }

    @Test
    void aStaleEtagIsRefusedWithTheCurrentOne() {
        WorkflowService.Step first = workflow.put(STUDY, null, "qc", body("running", null, null), null);
        WorkflowService.Step second = workflow.put(STUDY, null, "qc", body("done", null, null), first.etag());

        StaleUpdateException e = assertThrows(StaleUpdateException.class,
                () -> workflow.put(STUDY, null, "qc", body("failed", null, null), first.etag()));

        assertEquals(second.etag(), e.currentEtag());
        assertEquals("done", store.docs.get(WorkflowService.id(STUDY, null, "qc")).orElseThrow().getString("state"));
    }

    @Test
    void starRequiresThatTheStepExists() {
        StaleUpdateException e = assertThrows(StaleUpdateException.class,
                () -> workflow.put(STUDY, null, "qc", body("done", null, null), "*"));
        assertNull(e.currentEtag());
        assertTrue(store.docs.all().isEmpty());

        workflow.put(STUDY, null, "qc", body("running", null, null), null);
        assertEquals("done", workflow.put(STUDY, null, "qc", body("done", null, null), "*").json().getString("state"));
    }

    @Test
    void aWriteBetweenOurReadAndOurWriteIsAStaleUpdate() {
        workflow.put(STUDY, null, "qc", body("running", null, null), null);
        String id = WorkflowService.id(STUDY, null, "qc");
        store.beforeNextPut = () -> store.docs.overwrite(store.docs.get(id).orElseThrow());

        StaleUpdateException e = assertThrows(StaleUpdateException.class,
                () -> workflow.put(STUDY, null, "qc", body("done", null, null), null));

        assertEquals(store.docs.get(id).orElseThrow().getString("_rev"), e.currentEtag());
        assertEquals("running", store.docs.get(id).orElseThrow().getString("state"));
    }

    @Test
    void stepsOfAStudyIncludeSeriesStepsAndNoOtherStudys() {
        workflow.put(STUDY, null, "qc", body("done", null, null), null);
        workflow.put(STUDY, SERIES, "seg", body("queued", null, null), null);
        workflow.put("2.25.1000", null, "qc", body("running", null, null), null);

        Map<String, List<JsonObject>> steps = workflow.steps(Set.of(STUDY));

        assertEquals(Set.of(STUDY), steps.keySet());
        assertEquals(2, steps.get(STUDY).size());
        JsonObject study = WorkflowService.studyJson(STUDY, null, steps.get(STUDY));
        assertEquals("done", study.getJsonObject("steps").getJsonObject("qc").getString("state"));
        assertEquals(SERIES, study.getJsonArray("seriesSteps").getJsonObject(0).getString("seriesInstanceUID"));
        assertEquals(2, workflow.steps(null).size());
    }

    @Test
    void invalidInputIsRefusedBeforeAnythingIsWritten() {
        assertField("study", () -> workflow.put("not-a-uid", null, "qc", body("done", null, null), null));
        assertField("series", () -> workflow.put(STUDY, "2.25.1/x", "qc", body("done", null, null), null));
        assertField("step", () -> workflow.put(STUDY, null, "QC!", body("done", null, null), null));
        assertField("state", () -> workflow.put(STUDY, null, "qc", Jsonp.createObjectBuilder().build(), null));
        assertField("state", () -> workflow.put(STUDY, null, "qc", body("  ", null, null), null));
        assertField("state", () -> workflow.put(STUDY, null, "qc", body("done; drop", null, null), null));
        assertField("state", () -> workflow.put(STUDY, null, "qc",
                Jsonp.createObjectBuilder().add("state", 3).build(), null));
        assertField("actor", () -> workflow.put(STUDY, null, "qc", body("done", "a".repeat(129), null), null));
        assertField("note", () -> workflow.put(STUDY, null, "qc", body("done", null, "n".repeat(4097)), null));
        assertTrue(store.docs.all().isEmpty());
    }

    private static void assertField(String field, Runnable call) {
        QueryException e = assertThrows(QueryException.class, call::run);
        assertEquals(field, e.where(), e.getMessage());
    }

    private static JsonObject body(String state, String actor, String note) {
        var b = Jsonp.createObjectBuilder().add("state", state);
        if (actor != null) {
            b.add("actor", actor);
        }
        if (note != null) {
            b.add("note", note);
        }
        return b.build();
    }
}
