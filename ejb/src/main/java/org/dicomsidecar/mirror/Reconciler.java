package org.dicomsidecar.mirror;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.dicomsidecar.catalog.MirrorDocuments;
import org.dicomsidecar.catalog.SeriesCatalog;
import org.dicomsidecar.index.MirrorIndex;
import org.dicomsidecar.config.Setting;
import org.dicomsidecar.config.SidecarSettings;
import org.dicomsidecar.couchdb.CouchDatabase;
import org.dicomsidecar.delegation.DelegatedRequest;
import org.dicomsidecar.delegation.HostDicomWebClient;
import org.dicomsidecar.delegation.HostResponse;
import org.dicomsidecar.delegation.HostUnavailableException;
import org.dicomsidecar.dicom.Tags;
import org.dicomsidecar.json.Jsonp;

/**
 * Makes the mirror equal to the host, whatever events were lost: lists the host's studies (QIDO-RS, paged),
 * then, study by study and several at once, compares each series' instance count with the mirror, mirrors
 * what is missing or different, and removes what the host no longer has. A checkpoint in CouchDB lets a run
 * resume after a restart. One run at a time; progress and cancellation through {@link #progress()} and
 * {@link #cancel()}.
 */
@ApplicationScoped
public class Reconciler {

    private static final Logger LOG = Logger.getLogger(Reconciler.class.getName());
    private static final String CHECKPOINT_ID = "reconcile:checkpoint";
    private static final DateTimeFormatter DICOM_DATE_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss")
            .withZone(ZoneOffset.UTC);

    @Inject
    SidecarSettings settings;

    @Inject
    HostDicomWebClient host;

    @Inject
    CouchDatabase couch;

    @Inject
    SeriesMirror seriesMirror;

    @Inject
    SeriesCatalog catalog;

    @Inject
    MirrorIndex index;

    @Resource
    ManagedThreadFactory threads;

    private final Object lock = new Object();
    private Run current;
    private Run lastFinished;

    /** One reconciliation: its counters and state. */
    public static final class Run {
        final String trigger;
        final boolean incremental;
        public final Instant started = Instant.now();
        public volatile Instant finished;
        volatile String state = "listing";
        volatile String error;
        volatile boolean cancelled;
        volatile long studiesTotal = -1;
        final AtomicLong studiesDone = new AtomicLong();
        final AtomicLong seriesChecked = new AtomicLong();
        final AtomicLong missingFound = new AtomicLong();
        final AtomicLong changed = new AtomicLong();
        final AtomicLong removed = new AtomicLong();
        final AtomicLong instancesWritten = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        volatile long resumedAt;

        /** It stopped on an error (the host or CouchDB unreachable), not cancelled and not done. */
        public boolean failed() {
            return "failed".equals(state);
        }

        Run(String trigger, boolean incremental) {
            this.trigger = trigger;
            this.incremental = incremental;
        }

        public JsonObject toJson() {
            JsonObjectBuilder b = Jsonp.createObjectBuilder()
                    .add("state", state)
                    .add("trigger", trigger)
                    .add("mode", incremental ? "incremental" : "full")
                    .add("started", started.toString());
            if (finished != null) {
                b.add("finished", finished.toString());
            }
            long done = studiesDone.get();
            double seconds = Math.max(0.001, ((finished != null ? finished : Instant.now()).toEpochMilli()
                    - started.toEpochMilli()) / 1000.0);
            double rate = (done - resumedAt) / seconds;
            b.add("studiesDone", done).add("studiesTotal", studiesTotal)
                    .add("seriesChecked", seriesChecked.get())
                    .add("missingFound", missingFound.get()).add("changed", changed.get())
                    .add("removed", removed.get()).add("instancesWritten", instancesWritten.get())
                    .add("errors", errors.get())
                    .add("studiesPerSecond", Math.round(rate * 100) / 100.0);
            if (finished == null && studiesTotal >= 0 && rate > 0) {
                b.add("etaSeconds", Math.round((studiesTotal - done) / rate));
            }
            if (error != null) {
                b.add("error", error);
            }
            return b.build();
        }
    }

    /** Starts a run unless one is going; answers the run that is going. */
    public Run start(String trigger, boolean incremental) {
        synchronized (lock) {
            if (current != null) {
                return current;
            }
            Run run = new Run(trigger, incremental && settings.getBoolean(Setting.RECONCILE_RECEIVE_TIME_FILTER)
                    && lastFinished != null);
            current = run;
            Thread t = threads.newThread(() -> execute(run));
            t.setName("sidecar-reconciler");
            t.start();
            return run;
        }
    }

    public boolean cancel() {
        synchronized (lock) {
            if (current == null) {
                return false;
            }
            current.cancelled = true;
            current.state = "cancelling";
            return true;
        }
    }

    /** The run going on, else the last one finished, else nothing. */
    public Optional<Run> progress() {
        synchronized (lock) {
            return Optional.ofNullable(current != null ? current : lastFinished);
        }
    }

    public Optional<Run> lastFinished() {
        synchronized (lock) {
            return Optional.ofNullable(lastFinished);
        }
    }

    private void execute(Run run) {
        try {
            awaitIndex(run);
            if (run.incremental) {
                reconcileRecentSeries(run);
            } else {
                reconcileEverything(run);
            }
            run.state = run.cancelled ? "cancelled" : run.errors.get() > 0 ? "done-with-errors" : "done";
        } catch (RuntimeException e) {
            run.state = "failed";
            run.error = e.getMessage();
            LOG.log(Level.WARNING, "Reconciliation failed: {0}", e.toString());
        } finally {
            run.finished = Instant.now();
            synchronized (lock) {
                current = null;
                lastFinished = run;
            }
            LOG.info(() -> "Reconciliation " + run.state + ": " + run.toJson());
        }
    }

    /**
     * Waits while the index is opened or built (its questions answer 503 meanwhile): a reconciliation compares
     * the archive with the mirror as the index holds it, so it starts once the index is ready.
     */
    private void awaitIndex(Run run) {
        try {
            while (!run.cancelled && !index.awaitReady(Duration.ofSeconds(1))
                    && index.status().state() != MirrorIndex.State.FAILED) {
                run.state = "waiting-for-index";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the index", e);
        }
    }

    private void reconcileEverything(Run run) {
        TreeSet<String> hostStudies = listHostStudies(run);
        run.studiesTotal = hostStudies.size();
        run.state = "running";
        List<String> ordered = new ArrayList<>(hostStudies);
        int resumeFrom = resumePoint(hostStudies.size());
        run.studiesDone.set(resumeFrom);
        run.resumedAt = resumeFrom;
        int parallel = settings.getInt(Setting.MIRROR_WORKERS);
        ExecutorService pool = Executors.newFixedThreadPool(parallel, threads);
        try {
            List<Future<?>> inFlight = new ArrayList<>();
            long lastCheckpoint = System.nanoTime();
            for (int i = resumeFrom; i < ordered.size() && !run.cancelled; i++) {
                String study = ordered.get(i);
                inFlight.add(pool.submit(() -> reconcileStudy(run, study)));
                if (inFlight.size() >= parallel * 4) {
                    awaitAll(inFlight, run);
                    if (System.nanoTime() - lastCheckpoint > TimeUnit.SECONDS.toNanos(5)) {
                        checkpoint(run, i + 1, ordered.size());
                        lastCheckpoint = System.nanoTime();
                    }
                }
            }
            awaitAll(inFlight, run);
        } finally {
            pool.shutdownNow();
        }
        if (run.cancelled) {
            checkpoint(run, (int) run.studiesDone.get(), ordered.size());
            return;
        }
        removeStudiesTheHostNoLongerHas(run, hostStudies);
        clearCheckpoint();
    }

    /** dcm4chee: only the series received since the last run (non-standard SeriesReceiveDateTime range). */
    private void reconcileRecentSeries(Run run) {
        Instant since = lastFinished.started.minusSeconds(60);
        run.state = "running";
        String range = DICOM_DATE_TIME.format(since) + "-";
        int page = settings.getInt(Setting.RECONCILE_PAGE_SIZE);
        for (int offset = 0; !run.cancelled; offset += page) {
            JsonArray series = qido("/series", "SeriesReceiveDateTime=" + range + "&limit=" + page + "&offset=" + offset);
            for (JsonValue v : series) {
                JsonObject s = v.asJsonObject();
                Optional<String> study = MirrorDocuments.string(s, Tags.STUDY_INSTANCE_UID);
                Optional<String> uid = MirrorDocuments.string(s, Tags.SERIES_INSTANCE_UID);
                if (study.isPresent() && uid.isPresent()) {
                    run.seriesChecked.incrementAndGet();
                    count(run, seriesMirror.mirrorSeries(study.get(), uid.get()), false);
                }
            }
            if (series.size() < page) {
                break;
            }
        }
    }

    private void reconcileStudy(Run run, String study) {
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    reconcileStudyOnce(run, study);
                    return;
                } catch (RuntimeException e) {
                    if (attempt == 3 || run.cancelled) {
                        run.errors.incrementAndGet();
                        run.error = e.getMessage();
                        LOG.log(Level.WARNING, "Reconciling a study failed after {0} attempts: {1}",
                                new Object[]{attempt, e.toString()});
                        return;
                    }
                    try {
                        Thread.sleep(500L * attempt);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        } finally {
            run.studiesDone.incrementAndGet();
        }
    }

    private void reconcileStudyOnce(Run run, String study) {
        Map<String, Long> hostSeries = new HashMap<>();
        for (JsonValue v : qido("/studies/" + study + "/series", "includefield=00201209")) {
            JsonObject s = v.asJsonObject();
            MirrorDocuments.string(s, Tags.SERIES_INSTANCE_UID).ifPresent(uid -> hostSeries.put(uid,
                    MirrorDocuments.string(s, "00201209").map(Long::parseLong).orElse(-1L)));
        }
        Map<String, Long> mirrorSeries = mirrorSeriesCounts(study);
        for (Map.Entry<String, Long> e : hostSeries.entrySet()) {
            run.seriesChecked.incrementAndGet();
            Long mirrored = mirrorSeries.get(e.getKey());
            if (mirrored == null || !mirrored.equals(e.getValue())) {
                count(run, seriesMirror.mirrorSeries(study, e.getKey()), mirrored == null);
            }
        }
        for (String series : mirrorSeries.keySet()) {
            if (!hostSeries.containsKey(series) && mirroredBefore(series, run.started)) {
                run.removed.addAndGet(Math.max(1, seriesMirror.removeSeries(series).removed()));
            }
        }
    }

    private void count(Run run, SeriesMirror.Outcome outcome, boolean missing) {
        if (missing) {
            run.missingFound.incrementAndGet();
        } else if (outcome.written() > 0 || outcome.removed() > 0) {
            run.changed.incrementAndGet();
        }
        run.instancesWritten.addAndGet(outcome.written());
    }

    private void removeStudiesTheHostNoLongerHas(Run run, Set<String> hostStudies) {
        catalog.current();
        for (String study : catalog.studies()) {
            if (!hostStudies.contains(study)) {
                for (SeriesCatalog.Entry series : catalog.ofStudy(study)) {
                    if (mirroredBefore(series.series(), run.started)) {
                        run.removed.addAndGet(Math.max(1, seriesMirror.removeSeries(series.series()).removed()));
                    }
                }
            }
        }
    }

    /** Only what was in the mirror before the run began may be removed: newer series arrived meanwhile. */
    private boolean mirroredBefore(String series, Instant runStart) {
        return couch.get(MirrorDocuments.seriesId(series))
                .map(d -> Instant.parse(d.getString("mirroredAt", Instant.EPOCH.toString())).isBefore(runStart))
                .orElse(false);
    }

    /**
     * Instance counts of the study's mirrored series, from the series catalog (a view query here made CouchDB
     * index every document a backfill had written); -1 for a series document of an older form, rewritten.
     */
    private Map<String, Long> mirrorSeriesCounts(String study) {
        catalog.current();
        Map<String, Long> out = new HashMap<>();
        for (SeriesCatalog.Entry e : catalog.ofStudy(study)) {
            out.put(e.series(), e.references() == null ? -1L : e.instanceCount());
        }
        return out;
    }

    private TreeSet<String> listHostStudies(Run run) {
        TreeSet<String> studies = new TreeSet<>();
        int page = settings.getInt(Setting.RECONCILE_PAGE_SIZE);
        for (int offset = 0; !run.cancelled; offset += page) {
            JsonArray batch = qido("/studies", "includefield=0020000D&limit=" + page + "&offset=" + offset);
            int before = studies.size();
            batch.forEach(v -> MirrorDocuments.string(v.asJsonObject(), Tags.STUDY_INSTANCE_UID)
                    .ifPresent(studies::add));
            if (batch.size() < page || studies.size() == before) {
                break;
            }
        }
        return studies;
    }

    private JsonArray qido(String path, String query) {
        DelegatedRequest request = new DelegatedRequest("GET", path, query,
                Map.of("Accept", List.of("application/dicom+json")), null, -1);
        try (HostResponse r = host.forward(request); InputStream in = r.body()) {
            if (r.status() == 204 || r.status() == 404) {
                return JsonValue.EMPTY_JSON_ARRAY;
            }
            if (r.status() != 200) {
                throw new HostUnavailableException(502, "host-error", "QIDO " + path + ": HTTP " + r.status(), null);
            }
            try (var reader = Jsonp.createReader(in)) {
                return reader.readArray();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitAll(List<Future<?>> futures, Run run) {
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (Exception e) {
                run.errors.incrementAndGet();
            }
        }
        futures.clear();
    }

    private int resumePoint(int hostStudyCount) {
        try {
            return couch.get(CHECKPOINT_ID)
                    .filter(c -> c.getInt("studiesTotal", -1) == hostStudyCount)
                    .map(c -> c.getInt("studiesDone", 0)).orElse(0);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private void checkpoint(Run run, int done, int total) {
        try {
            Optional<JsonObject> old = couch.get(CHECKPOINT_ID);
            JsonObjectBuilder doc = Jsonp.createObjectBuilder().add("_id", CHECKPOINT_ID).add("type", "checkpoint")
                    .add("studiesDone", done).add("studiesTotal", total).add("started", run.started.toString());
            old.ifPresent(o -> doc.add("_rev", o.getString("_rev")));
            couch.put(doc.build());
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "Checkpoint not saved", e);
        }
    }

    private void clearCheckpoint() {
        try {
            couch.get(CHECKPOINT_ID).ifPresent(c -> couch.bulkDocs(List.of(Jsonp.createObjectBuilder()
                    .add("_id", CHECKPOINT_ID).add("_rev", c.getString("_rev")).add("_deleted", true).build())));
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "Checkpoint not cleared", e);
        }
    }

    @PreDestroy
    void stop() {
        cancel();
    }
}
