package org.dicomsidecar.web.ingest;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.List;
import org.dicomsidecar.ingest.StoredEvent;
import org.dicomsidecar.ingest.WebhookEventParser;
import org.dicomsidecar.json.Jsonp;
import org.dicomsidecar.web.security.Allowed;
import org.dicomsidecar.web.security.Role;

/**
 * Plain notifications that instances were stored in the host:
 * {@code POST /api/events/stored} (our JSON webhook; the embedded Orthanc's Lua hook calls it), and
 * {@code GET /api/events/wado/studies/{study}[/series/{series}[/instances/{instance}]]} for dcm4chee's
 * {@code wado:} exporter, which only knows how to GET a URL template.
 */
@Allowed(Role.NOTIFIER)
@Path("/events")
@RequestScoped
public class StoredEventsResource {

    @Inject
    EventReceiver receiver;

    @POST
    @Path("/stored")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response stored(InputStream body) {
        return accepted(receiver.receive(body, WebhookEventParser::parse));
    }

    @GET
    @Path("/wado/studies/{study}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response study(@PathParam("study") String study) {
        return accepted(receiver.receive(List.of(new StoredEvent(study, null, null, "wado"))));
    }

    @GET
    @Path("/wado/studies/{study}/series/{series}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response series(@PathParam("study") String study, @PathParam("series") String series) {
        return accepted(receiver.receive(List.of(new StoredEvent(study, blankToNull(series), null, "wado"))));
    }

    @GET
    @Path("/wado/studies/{study}/series/{series}/instances/{instance}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response instance(@PathParam("study") String study, @PathParam("series") String series,
                             @PathParam("instance") String instance) {
        return accepted(receiver.receive(List.of(
                new StoredEvent(study, blankToNull(series), blankToNull(instance), "wado"))));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    static Response accepted(int n) {
        return Response.accepted(Jsonp.createObjectBuilder().add("accepted", n).build()).build();
    }
}
