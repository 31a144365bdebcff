package org.dicomsidecar.admin;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import org.dicomsidecar.index.MirrorIndex;
import org.dicomsidecar.cluster.DutyScheduler;
import org.dicomsidecar.config.Setting;
import org.dicomsidecar.config.SidecarSettings;
import org.dicomsidecar.config.SidecarVersion;
import org.dicomsidecar.couchdb.CouchDatabase;
import org.dicomsidecar.couchdb.CouchHealth;
import org.dicomsidecar.delegation.HostAuthorization;
import org.dicomsidecar.delegation.HostDicomWebClient;
import org.dicomsidecar.delegation.HostHealth;
import org.dicomsidecar.ingest.OrthancChangesFeed;
import org.dicomsidecar.json.Jsonp;
import org.dicomsidecar.mirror.MirrorCounts;
import org.dicomsidecar.mirror.MirrorService;
import org.dicomsidecar.mirror.MirrorStatistics;
import org.dicomsidecar.mirror.Reconciler;
import org.dicomsidecar.workflow.WorkflowLongPolls;

/** The sidecar's health and effective settings, as {@code GET /api/status} shows them. */
@ApplicationScoped
public class StatusService {

    @Inject
    CouchDatabase couch;

    @Inject
    HostDicomWebClient host;

    @Inject
    HostAuthorization hostAuthorization;

    @Inject
    SidecarSettings settings;

    @Inject
    MirrorService mirror;

    @Inject
    MirrorCounts counts;

    @Inject
    Reconciler reconciler;

    @Inject
    MirrorIndex index;

    @Inject
    OrthancChangesFeed orthancChanges;

    @Inject
    WorkflowLongPolls longPolls;

    @Inject
    DutyScheduler duties;

    /** @param healthy whether CouchDB and the host both answer; {@code body} is the full report */
    public record StatusReport(boolean healthy, JsonObject body) {
    }

    public StatusReport report() {
        CouchHealth c = couch.health();
        HostHealth h = host.health();
        JsonObjectBuilder couchJson = Jsonp.createObjectBuilder()
                .add("reachable", c.reachable())
                .add("url", c.url())
                .add("database", c.database())
                .add("documents", c.documents());
        addError(couchJson, c.error());
        JsonObjectBuilder hostJson = Jsonp.createObjectBuilder()
                .add("reachable", h.reachable())
                .add("dicomwebUrl", SidecarSettings.withoutUserInfo(h.dicomwebUrl()))
                .add("httpStatus", h.httpStatus())
                .add("latencyMillis", h.latencyMillis());
        addError(hostJson, h.error());
        hostJson.add("authentication", hostAuthorization.status().toJson());
        JsonObjectBuilder settingsJson = Jsonp.createObjectBuilder();
        settings.effective().forEach(settingsJson::add);
        boolean healthy = c.reachable() && h.reachable();
        JsonObject body = Jsonp.createObjectBuilder()
                .add("status", healthy ? "UP" : "DEGRADED")
                .add("version", SidecarVersion.get())
                .add("couchdb", couchJson)
                .add("host", hostJson)
                .add("mirror", mirrorJson(c.reachable()))
                .add("index", indexJson(index.status()))
                .add("cluster", clusterJson(duties.status()))
                .add("couchdbViews", Jsonp.createArrayBuilder().add("mirror/instances_by_series")
                        .add("references/by_target"))
                .add("longPolls", Jsonp.createObjectBuilder().add("waiting", longPolls.waiting())
                        .add("max", settings.getInt(Setting.API_MAX_LONG_POLLS)))
                .add("authentication", authenticationJson())
                .add("settings", settingsJson)
                .build();
        return new StatusReport(healthy, body);
    }

    /** Whether callers need a token, from which provider, and the realm roles that grant what. */
    private JsonObjectBuilder authenticationJson() {
        String provider = settings.get(Setting.AUTH_PROVIDER_URL);
        JsonObjectBuilder b = Jsonp.createObjectBuilder().add("enabled", !provider.isBlank())
                .add("required", settings.getBoolean(Setting.AUTH_REQUIRED));
        if (!provider.isBlank()) {
            b.add("providerUrl", provider).add("clientId", settings.get(Setting.AUTH_CLIENT_ID))
                    .add("roles", Jsonp.createObjectBuilder()
                            .add("reader", settings.get(Setting.AUTH_READER_ROLE))
                            .add("writer", settings.get(Setting.AUTH_WRITER_ROLE))
                            .add("admin", settings.get(Setting.AUTH_ADMIN_ROLE))
                            .add("notifier", settings.get(Setting.AUTH_NOTIFIER_ROLE)));
        }
        return b;
    }

    /** The on-disk index: its state, size and checkpoint, and a rebuild's progress while one runs. */
    static JsonObjectBuilder indexJson(MirrorIndex.Status s) {
        JsonObjectBuilder b = Jsonp.createObjectBuilder()
                .add("state", s.state().name().toLowerCase(java.util.Locale.ROOT))
                .add("folder", String.valueOf(s.folder()))
                .add("documents", s.documents())
                .add("sizeBytes", s.sizeBytes())
                .add("what", "every mirrored instance and series, every attribute, on local disk (Apache Lucene); "
                        + "derived from CouchDB's changes feed, rebuilt from it when missing or damaged");
        s.checkpoint().ifPresent(c -> b.add("checkpoint", Jsonp.createObjectBuilder().add("couchSeq", c.couchSeq())
                .add("committedAt", c.committedAt().toString())));
        s.rebuild().ifPresent(p -> {
            JsonObjectBuilder r = Jsonp.createObjectBuilder()
                    .add("reason", s.rebuildReason().orElse(""))
                    .add("done", p.done()).add("total", p.total())
                    .add("perSecond", Math.round(p.perSecond() * 10) / 10.0);
            p.eta().ifPresent(eta -> r.add("etaSeconds", eta.toSeconds()));
            b.add("rebuild", r);
        });
        s.lastRebuild().ifPresent(l -> b.add("lastRebuild", Jsonp.createObjectBuilder()
                .add("documents", l.documents()).add("seconds", Math.round(l.seconds() * 10) / 10.0)
                .add("perSecond", Math.round(l.perSecond())).add("finishedAt", l.finishedAt().toString())));
        s.error().ifPresent(e -> b.add("error", e));
        return b;
    }

    /** This node, whether it takes duties and which it holds, and the nodes whose heartbeat was seen recently. */
    private static JsonObjectBuilder clusterJson(DutyScheduler.Status s) {
        jakarta.json.JsonArrayBuilder nodes = Jsonp.createArrayBuilder();
        s.nodesSeen().forEach(n -> {
            JsonObjectBuilder node = Jsonp.createObjectBuilder().add("name", n.name())
                    .add("seen", n.seen().toString()).add("duties", Jsonp.createArrayBuilder(n.duties()));
            if (n.journalDepth() >= 0) {
                node.add("journalDepth", n.journalDepth());
            }
            nodes.add(node);
        });
        return Jsonp.createObjectBuilder().add("node", s.node()).add("takesDuties", s.takesDuties())
                .add("duties", Jsonp.createArrayBuilder(s.held())).add("nodesSeen", nodes);
    }

    private JsonObjectBuilder mirrorJson(boolean couchReachable) {
        MirrorStatistics stats = mirror.statistics();
        JsonObjectBuilder b = Jsonp.createObjectBuilder();
        if (couchReachable) {
            try {
                MirrorCounts.Counts n = counts.counts();
                b.add("instances", n.instances()).add("series", n.series()).add("studies", n.studies());
            } catch (RuntimeException e) {
                b.add("instances", -1).add("series", -1).add("studies", -1);
            }
        } else {
            b.add("instances", -1).add("series", -1).add("studies", -1);
        }
        b.add("queueDepth", mirror.queueDepth())
                .add("eventsReceived", stats.eventsReceived())
                .add("eventsBySource", bySource(stats))
                .add("eventsRejected", stats.eventsRejected())
                .add("eventsFailed", mirror.eventsFailing())
                .add("failedAttemptsTotal", stats.failedAttempts())
                .add("eventsNotInArchive", stats.eventsNotInArchive())
                .add("itemsSkipped", stats.itemsSkipped())
                .add("seriesMirrored", stats.seriesMirrored())
                .add("instancesWritten", stats.instancesWritten())
                .add("lagMillisP50", stats.lagPercentile(50))
                .add("lagMillisP95", stats.lagPercentile(95));
        b.add("orthancChanges", orthancChangesJson());
        reconciler.lastFinished().ifPresentOrElse(r -> {
            JsonObject run = r.toJson();
            b.add("lastReconciliation", Jsonp.createObjectBuilder()
                    .add("time", run.getString("finished", run.getString("started")))
                    .add("state", run.getString("state"))
                    .add("missingFound", run.getJsonNumber("missingFound").longValue())
                    .add("removed", run.getJsonNumber("removed").longValue()));
        }, () -> b.addNull("lastReconciliation"));
        reconciler.progress().filter(r -> r.finished == null)
                .ifPresent(r -> b.add("reconciliationRunning", r.toJson()));
        return b;
    }

    private static JsonObjectBuilder bySource(MirrorStatistics stats) {
        JsonObjectBuilder b = Jsonp.createObjectBuilder();
        stats.eventsBySource().forEach(b::add);
        return b;
    }

    private JsonObjectBuilder orthancChangesJson() {
        JsonObjectBuilder b = Jsonp.createObjectBuilder();
        orthancChanges.status().ifPresentOrElse(feed -> {
            b.add("enabled", true);
            if (feed.lastSeq() < 0) {
                b.addNull("lastSeq");
            } else {
                b.add("lastSeq", feed.lastSeq());
            }
            addError(b, "lastPollError", feed.lastPollError());
        }, () -> b.add("enabled", false));
        return b;
    }

    private static void addError(JsonObjectBuilder b, String error) {
        addError(b, "error", error);
    }

    private static void addError(JsonObjectBuilder b, String key, String error) {
        if (error == null) {
            b.addNull(key);
        } else {
            b.add(key, error);
        }
    }
}
