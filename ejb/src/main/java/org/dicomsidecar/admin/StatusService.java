package org.dicomsidecar.admin;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import org.dicomsidecar.couchdb.CouchDatabase;
import org.dicomsidecar.couchdb.CouchHealth;
import org.dicomsidecar.delegation.HostDicomWebClient;
import org.dicomsidecar.delegation.HostHealth;

/** The sidecar's health and effective settings, as {@code GET /api/status} shows them. */
@ApplicationScoped
public class StatusService {

    @Inject
    CouchDatabase couch;

    @Inject
    HostDicomWebClient host;

    @Inject
    SidecarSettings settings;

    /** @param healthy whether CouchDB and the host both answer; {@code body} is the full report */
    public record StatusReport(boolean healthy, JsonObject body) {
    }

    public StatusReport report() {
        CouchHealth c = couch.health();
        HostHealth h = host.health();
        JsonObjectBuilder couchJson = Json.createObjectBuilder()
                .add("reachable", c.reachable())
                .add("url", c.url())
                .add("database", c.database())
                .add("documents", c.documents());
        addError(couchJson, c.error());
        JsonObjectBuilder hostJson = Json.createObjectBuilder()
                .add("reachable", h.reachable())
                .add("dicomwebUrl", SidecarSettings.withoutUserInfo(h.dicomwebUrl()))
                .add("httpStatus", h.httpStatus())
                .add("latencyMillis", h.latencyMillis());
        addError(hostJson, h.error());
        JsonObjectBuilder settingsJson = Json.createObjectBuilder();
        settings.effective().forEach(settingsJson::add);
        boolean healthy = c.reachable() && h.reachable();
        JsonObject body = Json.createObjectBuilder()
                .add("status", healthy ? "UP" : "DEGRADED")
                .add("version", SidecarVersion.get())
                .add("couchdb", couchJson)
                .add("host", hostJson)
                .add("settings", settingsJson)
                .build();
        return new StatusReport(healthy, body);
    }

    private static void addError(JsonObjectBuilder b, String error) {
        if (error == null) {
            b.addNull("error");
        } else {
            b.add("error", error);
        }
    }
}
