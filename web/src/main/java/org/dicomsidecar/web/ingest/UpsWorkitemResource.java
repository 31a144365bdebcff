package org.dicomsidecar.web.ingest;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonValue;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.util.UUID;
import org.dicomsidecar.config.SidecarSettings;
import org.dicomsidecar.dicom.DicomJson;
import org.dicomsidecar.dicom.DicomUid;
import org.dicomsidecar.dicom.Tags;
import org.dicomsidecar.ingest.UpsWorkitemParser;
import org.dicomsidecar.web.PublicBaseUrl;
import org.dicomsidecar.web.security.Allowed;
import org.dicomsidecar.web.security.Role;

/**
 * {@code POST /api/ups/workitems}: UPS-RS "create workitem", as dcm4chee's {@code ups:} exporter sends it
 * for every exported series. Answers 201 with a Location (the exporter counts anything else as failed).
 */
@Allowed(Role.NOTIFIER)
@Path("/ups/workitems")
@RequestScoped
public class UpsWorkitemResource {

    @Inject
    EventReceiver receiver;

    @Inject
    SidecarSettings settings;

    @Context
    UriInfo uri;

    @Context
    HttpServletRequest request;

    @POST
    @Consumes({"application/dicom+json", "application/json"})
    public Response create(InputStream body) {
        JsonValue[] parsed = new JsonValue[1];
        receiver.receive(body, json -> {
            parsed[0] = json;
            return UpsWorkitemParser.parse(json);
        });
        String workitem = workitemUid(parsed[0]);
        return Response.created(URI.create(PublicBaseUrl.of(request, settings) + "/api/ups/workitems/" + workitem))
                .build();
    }

    /** The workitem's UID: from the query (?{uid} or ?AffectedSOPInstanceUID=), the body, or a new one. */
    private String workitemUid(JsonValue body) {
        String query = uri.getRequestUri().getRawQuery();
        if (query != null && DicomUid.isValid(query)) {
            return query;
        }
        String affected = uri.getQueryParameters().getFirst("AffectedSOPInstanceUID");
        if (affected != null && DicomUid.isValid(affected)) {
            return affected;
        }
        if (body != null && body.getValueType() == JsonValue.ValueType.OBJECT) {
            String sop = DicomJson.string(body.asJsonObject(), Tags.SOP_INSTANCE_UID).orElse(null);
            if (sop != null && DicomUid.isValid(sop)) {
                return sop;
            }
        }
        UUID u = UUID.randomUUID();
        return "2.25." + new BigInteger(1, java.nio.ByteBuffer.allocate(16)
                .putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array());
    }
}
