package org.dicomsidecar.web.ingest;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.net.URI;
import java.util.UUID;
import org.dicomsidecar.config.SidecarSettings;
import org.dicomsidecar.ingest.FhirImagingStudyParser;
import org.dicomsidecar.json.Jsonp;
import org.dicomsidecar.web.PublicBaseUrl;
import org.dicomsidecar.web.security.Allowed;
import org.dicomsidecar.web.security.Role;

/** {@code POST /api/fhir/ImagingStudy}: dcm4chee's {@code fhir:} exporter (FHIR R5 or R4 ImagingStudy). */
@Allowed(Role.NOTIFIER)
@Path("/fhir/ImagingStudy")
@RequestScoped
public class FhirImagingStudyResource {

    @Inject
    EventReceiver receiver;

    @Inject
    SidecarSettings settings;

    @Context
    HttpServletRequest request;

    @POST
    @Consumes({"application/fhir+json", "application/json"})
    @Produces("application/fhir+json")
    public Response create(InputStream body) {
        int n = receiver.receive(body, FhirImagingStudyParser::parse);
        String id = UUID.randomUUID().toString();
        var outcome = Jsonp.createObjectBuilder()
                .add("resourceType", "OperationOutcome")
                .add("issue", Jsonp.createArrayBuilder().add(Jsonp.createObjectBuilder()
                        .add("severity", "information").add("code", "informational")
                        .add("diagnostics", n + " instance notifications accepted for mirroring")))
                .build();
        return Response.created(URI.create(PublicBaseUrl.of(request, settings) + "/api/fhir/ImagingStudy/" + id))
                .entity(outcome).build();
    }
}
