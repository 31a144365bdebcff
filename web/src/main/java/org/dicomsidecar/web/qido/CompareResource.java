package org.dicomsidecar.web.qido;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.dicomsidecar.config.SidecarSettings;
import org.dicomsidecar.qido.QidoComparison;
import org.dicomsidecar.web.PublicBaseUrl;
import org.dicomsidecar.web.security.Allowed;
import org.dicomsidecar.web.security.Role;

/**
 * {@code GET /api/compare?query=/studies?PatientID=123}: the same QIDO-RS query against the host and the
 * mirror: counts, latencies, UIDs only one side returned, attribute differences, keys the host ignored.
 */
@Allowed(Role.READER)
@Path("/compare")
@RequestScoped
public class CompareResource {

    @Inject
    QidoComparison comparison;

    @Inject
    SidecarSettings settings;

    @Context
    HttpServletRequest request;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public JsonObject compare(@QueryParam("query") String query) {
        return comparison.compare(query, PublicBaseUrl.of(request, settings) + "/mirror/dicomweb");
    }
}
