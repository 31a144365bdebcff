package org.dicomsidecar.web.workflow;

import jakarta.json.JsonObject;
import jakarta.ws.rs.container.AsyncResponse;
import org.dicomsidecar.web.ClientConnection;
import org.dicomsidecar.web.JsonExceptionMapper;
import org.dicomsidecar.workflow.WorkflowLongPolls;

/** A suspended {@code GET /api/workflow/changes}: its answer goes to the JAX-RS response, its liveness from the connection. */
record LongPollClient(AsyncResponse response, ClientConnection connection) implements WorkflowLongPolls.Client {

    @Override
    public void answer(JsonObject changes) {
        response.resume(changes);
    }

    /**
     * Answers the failure as the API's JSON error, mapped here: this runs on the long-polls' scheduler thread,
     * where RESTEasy cannot look its exception mappers up (no CDI context: it would answer a bare 500).
     */
    @Override
    public void fail(RuntimeException e) {
        response.resume(new JsonExceptionMapper().toResponse(e));
    }

    @Override
    public boolean gone() {
        return connection.gone();
    }

    @Override
    public void dropped() {
        response.cancel();
    }
}
