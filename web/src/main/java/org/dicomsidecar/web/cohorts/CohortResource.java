package org.dicomsidecar.web.cohorts;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.dicomsidecar.config.SidecarSettings;
import org.dicomsidecar.query.CohortQuery;
import org.dicomsidecar.query.CohortQueryParser;
import org.dicomsidecar.cohorts.CohortService;
import org.dicomsidecar.query.QueryException;
import org.dicomsidecar.cohorts.SavedCohorts;
import org.dicomsidecar.json.Jsonp;
import org.dicomsidecar.web.ApiBodies;
import org.dicomsidecar.web.PublicBaseUrl;
import org.dicomsidecar.web.security.Allowed;
import org.dicomsidecar.web.security.Role;

/**
 * Cohorts by any tag: {@code POST /api/cohorts/query} answers count, a page of results, the next cursor
 * and facets; {@code POST /api/cohorts/export?format=json|csv|manifest} every result; saved cohorts under
 * {@code /api/cohorts/saved/{name}}.
 */
@Allowed(Role.READER)
@Path("/cohorts")
@RequestScoped
public class CohortResource {

    @Inject
    CohortService cohorts;

    @Inject
    SavedCohorts saved;

    @Inject
    SidecarSettings settings;

    @Context
    HttpServletRequest request;

    @POST
    @Path("/query")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public JsonObject query(InputStream body) {
        long start = System.nanoTime();
        CohortQuery q = CohortQueryParser.parse(read(body));
        CohortService.Answer a = cohorts.run(q);
        JsonArrayBuilder results = Jsonp.createArrayBuilder();
        a.results().forEach(results::add);
        var out = Jsonp.createObjectBuilder().add("count", a.count()).add("results", results);
        if (a.next() != null) {
            out.add("next", a.next());
        } else {
            out.addNull("next");
        }
        return out.add("facets", a.facets()).add("tookMillis", (System.nanoTime() - start) / 1_000_000).build();
    }

    @POST
    @Path("/export")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response export(@QueryParam("format") String format, InputStream body) {
        CohortQuery q = CohortQueryParser.parse(read(body));
        String f = format == null ? "json" : format;
        List<JsonObject> rows = cohorts.all(q);
        String dicomweb = dicomWebBase();
        return switch (f) {
            case "json" -> Response.ok((StreamingOutput) out -> {
                try (Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
                    w.write('[');
                    for (int i = 0; i < rows.size(); i++) {
                        w.write(i == 0 ? "\n" : ",\n");
                        w.write(rows.get(i).toString());
                    }
                    w.write("\n]\n");
                }
            }, MediaType.APPLICATION_JSON).build();
            case "csv" -> Response.ok((StreamingOutput) out -> {
                try (Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
                    List<String> attributes = q.include().stream().map(p -> p.text()).toList();
                    w.write(String.join(",", header(q, attributes)) + "\r\n");
                    for (JsonObject r : rows) {
                        w.write(String.join(",", csvRow(r, q, attributes)) + "\r\n");
                    }
                }
            }, "text/csv; charset=utf-8").header("Content-Disposition", "attachment; filename=cohort.csv").build();
            case "manifest" -> Response.ok((StreamingOutput) out -> {
                try (Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
                    for (JsonObject r : rows) {
                        w.write(dicomweb + r.getString("retrievePath") + "\r\n");
                    }
                }
            }, "text/uri-list; charset=utf-8").build();
            default -> throw new QueryException("format", "must be json, csv or manifest");
        };
    }

    @Allowed(Role.WRITER)
    @PUT
    @Path("/saved/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public JsonObject save(@PathParam("name") String name, InputStream body) {
        JsonValue query = read(body);
        if (query.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new QueryException("query", "must be a JSON object");
        }
        return saved.save(SavedCohorts.validName(name), query.asJsonObject());
    }

    @GET
    @Path("/saved/{name}")
    @Produces(MediaType.APPLICATION_JSON)
    public JsonObject run(@PathParam("name") String name) {
        return saved.run(SavedCohorts.validName(name))
                .orElseThrow(() -> new NotFoundException("no saved cohort named " + name));
    }

    @GET
    @Path("/saved")
    @Produces(MediaType.APPLICATION_JSON)
    public JsonObject list() {
        JsonArrayBuilder names = Jsonp.createArrayBuilder();
        saved.names().forEach(names::add);
        return Jsonp.createObjectBuilder().add("cohorts", names).build();
    }

    @Allowed(Role.WRITER)
    @DELETE
    @Path("/saved/{name}")
    public Response delete(@PathParam("name") String name) {
        if (!saved.delete(SavedCohorts.validName(name))) {
            throw new NotFoundException("no saved cohort named " + name);
        }
        return Response.noContent().build();
    }

    private JsonValue read(InputStream body) {
        return ApiBodies.read(body, ApiBodies.MAX_COHORT_QUERY_BYTES, "a cohort query");
    }

    private String dicomWebBase() {
        return PublicBaseUrl.of(request, settings) + "/dicomweb";
    }

    private static List<String> header(CohortQuery q, List<String> attributes) {
        List<String> h = new java.util.ArrayList<>(List.of("StudyInstanceUID"));
        if (q.level() != CohortQuery.Level.STUDY) {
            h.add("SeriesInstanceUID");
        }
        if (q.level() == CohortQuery.Level.INSTANCE) {
            h.add("SOPInstanceUID");
        }
        h.add(q.level() == CohortQuery.Level.STUDY ? "ModalitiesInStudy" : "Modality");
        attributes.forEach(a -> h.add(csv(a)));
        return h;
    }

    private static List<String> csvRow(JsonObject r, CohortQuery q, List<String> attributes) {
        List<String> cells = new java.util.ArrayList<>(List.of(r.getString("studyInstanceUID")));
        if (q.level() != CohortQuery.Level.STUDY) {
            cells.add(r.getString("seriesInstanceUID"));
        }
        if (q.level() == CohortQuery.Level.INSTANCE) {
            cells.add(r.getString("sopInstanceUID"));
        }
        cells.add(csv(r.getString(q.level() == CohortQuery.Level.STUDY ? "modalitiesInStudy" : "modality", "")));
        for (String a : attributes) {
            JsonObject values = r.getJsonObject("attributes");
            List<String> parts = values == null || !values.containsKey(a) ? List.of()
                    : values.getJsonArray(a).stream().map(v -> v.getValueType() == JsonValue.ValueType.STRING
                    ? ((jakarta.json.JsonString) v).getString() : v.toString()).toList();
            cells.add(csv(String.join("\\", parts)));
        }
        return cells;
    }

    /** RFC 4180 quoting; a leading =, +, - or @ is prefixed so spreadsheets do not run it as a formula. */
    static String csv(String s) {
        String v = !s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0 && !s.matches("-?[0-9.]+") ? "'" + s : s;
        return v.matches(".*[,\"\r\n].*") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
    }
}
