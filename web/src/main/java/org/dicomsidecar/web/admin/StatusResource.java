package org.dicomsidecar.web.admin;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.dicomsidecar.admin.StatusService;
import org.dicomsidecar.admin.StatusSnapshots;

/** {@code GET /api/status}: 200 when CouchDB and the host both answer, 503 otherwise; JSON either way. */
@Path("/status")
@RequestScoped
public class StatusResource {

    @Inject
    StatusSnapshots status;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response get() {
        StatusService.StatusReport report = status.report();
        return Response.status(report.healthy() ? 200 : 503).entity(report.body()).build();
    }
}
