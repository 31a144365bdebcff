package org.dicomsidecar.web.admin;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.dicomsidecar.web.security.Open;

/**
 * {@code GET /api/live}: the sidecar answers HTTP at all. No I/O, no CouchDB or host call, so that a liveness
 * probe never fails because a dependency is slow (that is what {@code /api/status} tells).
 */
@Open
@Path("/live")
@ApplicationScoped
public class LiveResource {

    private static final String UP = "{\"status\":\"UP\"}";

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String get() {
        return UP;
    }
}
