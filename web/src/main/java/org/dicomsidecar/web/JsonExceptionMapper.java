package org.dicomsidecar.web;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Locale;
import java.util.logging.Logger;
import org.dicomsidecar.query.QueryException;
import org.dicomsidecar.query.QueryTimeoutException;
import org.dicomsidecar.couchdb.CouchUnavailableException;
import org.dicomsidecar.delegation.HostUnavailableException;
import org.dicomsidecar.index.IndexUnavailableException;
import org.dicomsidecar.ingest.InvalidEventException;
import org.dicomsidecar.json.Jsonp;
import org.dicomsidecar.web.ingest.EventReceiver;
import org.dicomsidecar.workflow.StaleUpdateException;

/** Every failure of the REST API becomes a JSON body that says what went wrong. */
@Provider
public class JsonExceptionMapper implements ExceptionMapper<Throwable> {

    private static final Logger LOG = Logger.getLogger(JsonExceptionMapper.class.getName());

    @Override
    public Response toResponse(Throwable e) {
        if (e instanceof WebApplicationException w) {
            int status = w.getResponse().getStatus();
            String reason = Response.Status.fromStatusCode(status) == null ? "error"
                    : Response.Status.fromStatusCode(status).getReasonPhrase().toLowerCase(Locale.ROOT).replace(' ', '-');
            return json(status, reason, w.getMessage());
        }
        if (e instanceof HostUnavailableException h) {
            return json(h.status(), h.code(), h.getMessage());
        }
        if (e instanceof StaleUpdateException stale) {
            Response.ResponseBuilder b = Response.status(412).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(JsonError.of(412, "stale-update", stale.getMessage()));
            if (stale.currentEtag() != null) {
                b.tag(new jakarta.ws.rs.core.EntityTag(stale.currentEtag()));
            }
            return b.build();
        }
        if (e instanceof QueryException q) {
            return Response.status(400).type(MediaType.APPLICATION_JSON_TYPE).entity(Jsonp
                    .createObjectBuilder(JsonError.of(400, "invalid-query", q.getMessage())).add("where", q.where())
                    .build()).build();
        }
        if (e instanceof InvalidEventException i) {
            return json(i.status(), i.status() == 413 ? "too-large" : i.status() == 415 ? "unsupported-media-type"
                    : "invalid-event", i.getMessage());
        }
        if (e instanceof ApiBodies.BodyTooLargeException) {
            return json(413, "too-large", e.getMessage());
        }
        if (e instanceof EventReceiver.JournalUnavailableException) {
            return json(503, "journal-unavailable", e.getMessage());
        }
        if (e instanceof QueryTimeoutException) {
            return json(503, "query-timeout", e.getMessage());
        }
        if (e instanceof IndexUnavailableException i) {
            return Response.status(503).type(MediaType.APPLICATION_JSON_TYPE).header("Retry-After", "10")
                    .entity(JsonError.of(503, i.code(), i.getMessage())).build();
        }
        if (e instanceof CouchUnavailableException) {
            return json(503, "couchdb-unavailable", e.getMessage());
        }
        LOG.severe(() -> "Unexpected failure (messages left out: they may quote patient data): "
                + LoggedFailure.describe(e));
        return json(500, "internal-error", e.getClass().getSimpleName() + ": see the server log");
    }

    private static Response json(int status, String error, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(JsonError.of(status, error, message)).build();
    }
}
