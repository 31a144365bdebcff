package org.dicomsidecar.web.admin;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.dicomsidecar.mirror.Reconciler;
import org.dicomsidecar.web.security.Allowed;
import org.dicomsidecar.web.security.Role;

/**
 * {@code /api/admin/reconcile}: POST starts a reconciliation of the mirror with the host (a full walk, {@code ?mode=full}
 * or none, or {@code ?mode=incremental} for dcm4chee's receive-time filter), GET shows its progress (done/total, rate,
 * ETA, errors), DELETE cancels it (a checkpoint lets the next run resume).
 */
@Allowed(Role.ADMIN)
@Path("/admin/reconcile")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class ReconcileResource {

    @Inject
    Reconciler reconciler;

    @POST
    public Response start(@QueryParam("mode") String mode) {
        if (mode != null && !mode.equals("full") && !mode.equals("incremental")) {
            throw new BadRequestException("mode: must be full (the default) or incremental");
        }
        Reconciler.Run run = reconciler.start("request", "incremental".equals(mode));
        return Response.accepted(run.toJson()).build();
    }

    @GET
    public Response progress() {
        return reconciler.progress().map(r -> Response.ok(r.toJson()).build())
                .orElseThrow(() -> new NotFoundException("no reconciliation has run yet"));
    }

    @DELETE
    public Response cancel() {
        if (!reconciler.cancel()) {
            throw new NotFoundException("no reconciliation is running");
        }
        return Response.accepted(reconciler.progress().orElseThrow().toJson()).build();
    }
}
