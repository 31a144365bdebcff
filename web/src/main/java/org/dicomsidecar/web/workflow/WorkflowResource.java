package org.dicomsidecar.web.workflow;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import org.dicomsidecar.query.QueryException;
import org.dicomsidecar.web.ApiBodies;
import org.dicomsidecar.web.ClientConnection;
import org.dicomsidecar.web.JsonError;
import org.dicomsidecar.workflow.ChangesRequest;
import org.dicomsidecar.workflow.WorkflowLongPolls;
import org.dicomsidecar.workflow.WorkflowQueries;
import org.dicomsidecar.workflow.WorkflowService;
import org.dicomsidecar.web.security.Allowed;
import org.dicomsidecar.web.security.Role;

/**
 * Workflow state: {@code PUT|GET /api/workflow/studies/{study}[/series/{series}]/steps/{step}} (ETag and
 * If-Match: 412 on a stale update), {@code GET /api/workflow/studies/{study}} (facts and steps),
 * {@code POST /api/workflow/query} (states, facts and their absence), {@code GET /api/workflow/changes}
 * (long-poll feed).
 */
@Allowed(Role.READER)
@Path("/workflow")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class WorkflowResource {

    @Inject
    WorkflowService workflow;

    private static final long ASYNC_SAFETY_MARGIN_MS = 30_000;
    private static final int LONG_POLL_RETRY_AFTER_SECONDS = 5;

    @Inject
    WorkflowQueries queries;

    @Inject
    WorkflowLongPolls longPolls;

    @Allowed(Role.WRITER)
    @PUT
    @Path("/studies/{study}/steps/{step}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response putStudyStep(@PathParam("study") String study, @PathParam("step") String step,
                                 @HeaderParam("If-Match") String ifMatch, InputStream body) {
        return put(study, null, step, ifMatch, body);
    }

    @Allowed(Role.WRITER)
    @PUT
    @Path("/studies/{study}/series/{series}/steps/{step}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response putSeriesStep(@PathParam("study") String study, @PathParam("series") String series,
                                  @PathParam("step") String step, @HeaderParam("If-Match") String ifMatch,
                                  InputStream body) {
        return put(study, series, step, ifMatch, body);
    }

    @GET
    @Path("/studies/{study}/steps/{step}")
    public Response getStudyStep(@PathParam("study") String study, @PathParam("step") String step) {
        return get(study, null, step);
    }

    @GET
    @Path("/studies/{study}/series/{series}/steps/{step}")
    public Response getSeriesStep(@PathParam("study") String study, @PathParam("series") String series,
                                  @PathParam("step") String step) {
        return get(study, series, step);
    }

    @GET
    @Path("/studies/{study}")
    public JsonObject study(@PathParam("study") String study) {
        return workflow.study(study);
    }

    @POST
    @Path("/query")
    @Consumes(MediaType.APPLICATION_JSON)
    public JsonObject query(InputStream body) {
        return queries.query(read(body));
    }

    /**
     * Answers at the first workflow change after {@code since}, or empty at the time-out; the request holds no
     * thread while it waits (see {@link WorkflowLongPolls}).
     */
    @GET
    @Path("/changes")
    public void changes(@QueryParam("since") String since, @QueryParam("timeout") String timeout,
                        @Suspended AsyncResponse async) {
        try {
            ChangesRequest request = ChangesRequest.parse(since, timeout);
            // a safety net only: the long-poll answers at its own time-out, well before this one
            async.setTimeout(request.timeoutMs() + ASYNC_SAFETY_MARGIN_MS, TimeUnit.MILLISECONDS);
            if (!longPolls.open(request.since(), request.timeoutMs(), new LongPollClient(async, ClientConnection.current()))) {
                async.resume(Response.status(503).header("Retry-After", LONG_POLL_RETRY_AFTER_SECONDS)
                        .type(MediaType.APPLICATION_JSON_TYPE)
                        .entity(JsonError.of(503, "too-many-long-polls", "the most long-polls ("
                                + longPolls.waiting() + ") already wait (sidecar.api.max-long-polls); try again later"))
                        .build());
            }
        } catch (RuntimeException e) {
            async.resume(e);
        }
    }

    private Response put(String study, String series, String step, String ifMatch, InputStream body) {
        JsonValue json = read(body);
        if (json.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new QueryException("body", "must be a JSON object with state, and optionally actor and note");
        }
        boolean existed = workflow.get(study, series, step).isPresent();
        WorkflowService.Step s = workflow.put(study, series, step, json.asJsonObject(), unquote(ifMatch));
        return Response.status(existed ? 200 : 201).tag(new EntityTag(s.etag())).entity(s.json()).build();
    }

    private Response get(String study, String series, String step) {
        WorkflowService.Step s = workflow.get(study, series, step)
                .orElseThrow(() -> new NotFoundException("no step " + step + " for this " + (series == null ? "study" : "series")));
        return Response.ok(s.json()).tag(new EntityTag(s.etag())).build();
    }

    private static String unquote(String etag) {
        if (etag == null) {
            return null;
        }
        String e = etag.trim();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        return e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"") ? e.substring(1, e.length() - 1) : e;
    }

    private static JsonValue read(InputStream body) {
        return ApiBodies.read(body, ApiBodies.MAX_WORKFLOW_BYTES, "a workflow step or question");
    }
}
