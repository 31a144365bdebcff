package org.dicomsidecar.mirror;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.dicomsidecar.admin.Setting;
import org.dicomsidecar.admin.SidecarSettings;
import org.dicomsidecar.ingest.EventJournal;
import org.dicomsidecar.ingest.JournaledEvent;
import org.dicomsidecar.ingest.StoredEvent;

/**
 * Turns accepted events into mirrored series. Events are journaled first (durable), then coalesced per
 * series: a series is fetched once it has been quiet for {@code sidecar.mirror.quiet-ms} (or at the latest
 * {@code max-delay-ms} after its first pending event), so the 500 events of a 500-slice series cost one
 * metadata fetch. A bounded pool of workers does the fetching and writing; a failed series (host or
 * CouchDB down) keeps its events and is retried with back-off: nothing is dropped.
 */
@ApplicationScoped
public class MirrorService {

    private static final Logger LOG = Logger.getLogger(MirrorService.class.getName());
    private static final long MAX_BACKOFF_MS = 30_000;

    @Inject
    SidecarSettings settings;

    @Inject
    SeriesMirror seriesMirror;

    @Resource
    ManagedThreadFactory threads;

    private final MirrorStatistics statistics = new MirrorStatistics();
    /** Pending work by key "study/series" (or "study/*" for a whole study), in arrival order. */
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    private final Map<String, Pending> inProgress = new LinkedHashMap<>();
    private EventJournal journal;
    private ExecutorService workers;
    private ScheduledExecutorService dispatcher;
    private int workerCount;
    private long quietNanos;
    private long maxDelayNanos;

    private static final class Pending {
        final String study;
        final String series;
        final List<JournaledEvent> events = new ArrayList<>();
        long firstNanos;
        long lastNanos;
        long notBeforeNanos;
        int failures;

        Pending(String study, String series) {
            this.study = study;
            this.series = series;
        }
    }

    /** Opens the journal, replays what earlier runs left, and starts dispatching. Called once at start-up. */
    public synchronized void start() {
        if (journal != null) {
            return;
        }
        workerCount = settings.getInt(Setting.MIRROR_WORKERS);
        quietNanos = TimeUnit.MILLISECONDS.toNanos(settings.getLong(Setting.MIRROR_QUIET_MS));
        maxDelayNanos = TimeUnit.MILLISECONDS.toNanos(settings.getLong(Setting.MIRROR_MAX_DELAY_MS));
        journal = new EventJournal(journalDir());
        List<JournaledEvent> left = journal.replay();
        if (!left.isEmpty()) {
            LOG.info(() -> "Replaying " + left.size() + " journaled events not mirrored before the last stop");
            enqueue(left);
        }
        workers = Executors.newFixedThreadPool(workerCount, threads);
        dispatcher = Executors.newSingleThreadScheduledExecutor(threads);
        dispatcher.scheduleWithFixedDelay(this::dispatch, 50, 50, TimeUnit.MILLISECONDS);
    }

    /** Journals the events (durably) and queues them; completes when they are safe on disk. */
    public CompletableFuture<Integer> accept(List<StoredEvent> events) {
        if (journal == null) {
            start();
        }
        return journal.append(events).thenApply(journaled -> {
            statistics.received(journaled);
            enqueue(journaled);
            return journaled.size();
        });
    }

    public MirrorStatistics statistics() {
        return statistics;
    }

    /** Events accepted and not yet mirrored (queued, waiting to go quiet, in progress or retrying). */
    public int queueDepth() {
        return journal == null ? 0 : journal.pending();
    }

    private synchronized void enqueue(List<JournaledEvent> events) {
        long now = System.nanoTime();
        for (JournaledEvent j : events) {
            String key = j.event().studyUid() + "/" + (j.event().seriesUid() == null ? "*" : j.event().seriesUid());
            Pending p = pending.computeIfAbsent(key, k -> {
                Pending fresh = new Pending(j.event().studyUid(), j.event().seriesUid());
                fresh.firstNanos = now;
                return fresh;
            });
            p.events.add(j);
            p.lastNanos = now;
        }
    }

    private void dispatch() {
        try {
            List<Map.Entry<String, Pending>> ready = new ArrayList<>();
            synchronized (this) {
                long now = System.nanoTime();
                Iterator<Map.Entry<String, Pending>> it = pending.entrySet().iterator();
                while (it.hasNext() && inProgress.size() + ready.size() < workerCount) {
                    Map.Entry<String, Pending> e = it.next();
                    Pending p = e.getValue();
                    boolean quiet = now - p.lastNanos >= quietNanos;
                    boolean overdue = now - p.firstNanos >= maxDelayNanos;
                    if ((quiet || overdue) && now >= p.notBeforeNanos && !inProgress.containsKey(e.getKey())) {
                        it.remove();
                        inProgress.put(e.getKey(), p);
                        ready.add(e);
                    }
                }
            }
            for (Map.Entry<String, Pending> e : ready) {
                workers.execute(() -> mirror(e.getKey(), e.getValue()));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "Mirror dispatch failed", e);
        }
    }

    private void mirror(String key, Pending p) {
        try {
            SeriesMirror.Outcome outcome = p.series == null ? seriesMirror.mirrorStudy(p.study)
                    : seriesMirror.mirrorSeries(p.study, p.series);
            statistics.mirrored(outcome.written());
            long now = System.currentTimeMillis();
            p.events.forEach(j -> statistics.lag(now - j.receivedAtMillis()));
            journal.complete(p.events);
            synchronized (this) {
                inProgress.remove(key);
            }
        } catch (RuntimeException e) {
            statistics.failed(p.events.size());
            retryLater(key, p, e);
        }
    }

    private synchronized void retryLater(String key, Pending failed, RuntimeException cause) {
        inProgress.remove(key);
        failed.failures++;
        long backoff = Math.min(MAX_BACKOFF_MS, 500L << Math.min(10, failed.failures));
        if (failed.failures == 1 || failed.failures % 10 == 0) {
            LOG.log(Level.WARNING, "Mirroring a series failed ({0} events kept, attempt {1}, next in {2} ms): {3}",
                    new Object[]{failed.events.size(), failed.failures, backoff, cause.toString()});
        }
        Pending newer = pending.remove(key);
        failed.notBeforeNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff);
        if (newer != null) {
            failed.events.addAll(newer.events);
            failed.lastNanos = newer.lastNanos;
        }
        pending.put(key, failed);
    }

    /** The event journal's folder (other durable ingest state, such as feed checkpoints, lives there too). */
    public Path journalDir() {
        return settings.optional(Setting.JOURNAL_DIR).map(Path::of).orElseGet(() -> {
            String data = System.getProperty("jboss.server.data.dir", System.getProperty("java.io.tmpdir"));
            return Path.of(data, "dicom-sidecar", "journal");
        });
    }

    @PreDestroy
    void stop() {
        if (dispatcher != null) {
            dispatcher.shutdownNow();
        }
        if (workers != null) {
            workers.shutdown();
            try {
                workers.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (journal != null) {
            journal.close();
        }
    }
}
