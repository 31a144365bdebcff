package org.dicomsidecar.web.references;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.dicomsidecar.dicom.DicomUid;
import org.dicomsidecar.references.ReferenceService;
import org.dicomsidecar.web.security.Allowed;
import org.dicomsidecar.web.security.Role;

/**
 * {@code GET /api/references/{uid}}: what references an instance, series or study
 * ({@code direction=incoming}, the default) or what it references ({@code direction=outgoing});
 * {@code transitive=true} follows chains; {@code modality} and {@code sopClass} (repeatable) filter.
 */
@Allowed(Role.READER)
@Path("/references")
@RequestScoped
public class ReferenceResource {

    @Inject
    ReferenceService references;

    @GET
    @Path("/{uid}")
    @Produces(MediaType.APPLICATION_JSON)
    public JsonObject get(@PathParam("uid") String uid, @QueryParam("direction") @DefaultValue("incoming") String direction,
                          @QueryParam("transitive") @DefaultValue("false") boolean transitive,
                          @QueryParam("modality") List<String> modality, @QueryParam("sopClass") List<String> sopClass) {
        String problem = DicomUid.problem(uid, "uid");
        if (problem != null) {
            throw new BadRequestException(problem);
        }
        for (String c : sopClass) {
            if (!DicomUid.isValid(c)) {
                throw new BadRequestException("sopClass: not a UID");
            }
        }
        ReferenceService.Filter filter = new ReferenceService.Filter(Set.copyOf(modality), sopClass.stream()
                .collect(Collectors.toSet()));
        return switch (direction) {
            case "incoming" -> references.incoming(uid, transitive, filter);
            case "outgoing" -> references.outgoing(uid, transitive, filter);
            default -> throw new BadRequestException("direction must be incoming or outgoing");
        };
    }
}
