package org.dicomsidecar.web.admin;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import org.dicomsidecar.admin.StatusService;
import org.dicomsidecar.admin.StatusSnapshots;
import org.dicomsidecar.config.SidecarSettings;
import org.dicomsidecar.json.Jsonp;
import org.dicomsidecar.web.security.Allowed;
import org.dicomsidecar.web.security.Authentication;
import org.dicomsidecar.web.security.Role;

/**
 * {@code GET /api/status}: 200 when CouchDB and the host both answer, 503 otherwise; JSON either way. The
 * effective settings only for an administrator (or anyone while authentication is off): they name the
 * archive, the database and the realm.
 */
@Allowed({Role.READER, Role.ADMIN})
@Path("/status")
@RequestScoped
public class StatusResource {

    @Inject
    StatusSnapshots status;

    @Inject
    SidecarSettings settings;

    @Context
    SecurityContext caller;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response get() {
        StatusService.StatusReport report = status.report();
        JsonObject body = report.body();
        if (Authentication.enabled(settings) && !caller.isUserInRole(Role.ADMIN.realmRole(settings))) {
            body = Jsonp.createObjectBuilder(body).remove("settings").build();
        }
        return Response.status(report.healthy() ? 200 : 503).entity(body).build();
    }
}
