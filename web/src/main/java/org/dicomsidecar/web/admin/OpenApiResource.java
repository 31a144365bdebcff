package org.dicomsidecar.web.admin;

import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.dicomsidecar.web.security.Open;

/** {@code GET /api/openapi}: the API's OpenAPI document (a versioned file, checked against the resources by a test). */
@Open
@Path("/openapi")
@RequestScoped
public class OpenApiResource {

    @GET
    @Produces({"application/yaml", "text/plain"})
    public String get() throws IOException {
        try (InputStream in = OpenApiResource.class.getResourceAsStream("/openapi.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
