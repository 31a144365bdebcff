package org.dicomsidecar.mirror;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.dicomsidecar.config.Setting;
import org.dicomsidecar.config.SidecarSettings;
import org.dicomsidecar.ingest.EventJournal;
import org.dicomsidecar.ingest.EventSink;
import org.dicomsidecar.ingest.JournaledEvent;
import org.dicomsidecar.ingest.StoredEvent;
import org.dicomsidecar.mirror.MirrorQueue.Pending;

/**
 * Turns accepted events into mirrored series. Events are journaled first (durable), then coalesced per
 * series: a series is fetched once it has been quiet for {@code sidecar.mirror.quiet-ms} (or at the latest
 * {@code max-delay-ms} after its first pending event), so the 500 events of a 500-slice series cost one
 * metadata fetch. Series are served fairly ({@link MirrorQueue}: sources, and requests within a source, take
 * turns), so one request's flood does not hold up another's series. Before a series is fetched, the host is
 * asked once whether it holds it: its study ({@link HostStudies}, many studies per question), then the
 * study's series (one search per study): events for what it does not hold are dropped and counted, not
 * retried. A bounded pool of workers does the checking, fetching and writing; a failed series (host or
 * CouchDB down) keeps its events and is retried with back-off: nothing real is dropped.
 */
@ApplicationScoped
public class MirrorService implements EventSink {

    private static final Logger LOG = Logger.getLogger(MirrorService.class.getName());
    private static final long MAX_BACKOFF_MS = 30_000;
    /**
     * Checks of several studies at once handed out at a time: a flood of studies the host does not hold is
     * checked one batch after another, leaving the other workers (and the host) to series that are real.
     */
    private static final int CHECK_BATCHES_AT_ONCE = 1;
    /**
     * A study's series listing shorter than this is taken as complete (a host may cut QIDO answers at a
     * configured limit); from this length on, a series missing from it is fetched all the same.
     */
    private static final int TRUSTED_SERIES_LISTING = 500;
    /** The journal's replayed events form one lane per source; requests count from 1. */
    private static final long REPLAYED = 0;

    @Inject
    SidecarSettings settings;

    @Inject
    SeriesMirror seriesMirror;

    @Inject
    HostStudies hostStudies;

    @Resource
    ManagedThreadFactory threads;

    private final MirrorStatistics statistics = new MirrorStatistics();
    private final AtomicLong requests = new AtomicLong(REPLAYED);
    private MirrorQueue queue;
    /** Keys ("study/series" or "study/*") being checked or mirrored now. */
    private final Set<String> inProgress = new HashSet<>();
    /** Events of entries being checked or mirrored now that failed before (counted as failing meanwhile). */
    private long failingInProgress;
    /** Jobs handed to the workers and not finished: at most one per worker, so that none waits in the pool. */
    private int busyJobs;
    /** Of those, the jobs of several entries. */
    private int busyBatches;
    private EventJournal journal;
    private ExecutorService workers;
    private ScheduledExecutorService dispatcher;
    private int workerCount;

    /** Opens the journal, replays what earlier runs left, and starts dispatching. Called once at start-up. */
    public synchronized void start() {
        if (journal != null) {
            return;
        }
        workerCount = settings.getInt(Setting.MIRROR_WORKERS);
        queue = new MirrorQueue(TimeUnit.MILLISECONDS.toNanos(settings.getLong(Setting.MIRROR_QUIET_MS)),
                TimeUnit.MILLISECONDS.toNanos(settings.getLong(Setting.MIRROR_MAX_DELAY_MS)));
        journal = new EventJournal(journalDir());
        List<JournaledEvent> left = journal.replay();
        if (!left.isEmpty()) {
            LOG.info(() -> "Replaying " + left.size() + " journaled events not mirrored before the last stop");
            enqueue(left, REPLAYED);
        }
        workers = Executors.newFixedThreadPool(workerCount, threads);
        dispatcher = Executors.newSingleThreadScheduledExecutor(threads);
        dispatcher.scheduleWithFixedDelay(this::dispatch, 50, 50, TimeUnit.MILLISECONDS);
    }

    /**
     * Journals the events of one request (durably) and queues them in a lane of their own; completes when
     * they are safe on disk.
     */
    @Override
    public CompletableFuture<Integer> accept(List<StoredEvent> events) {
        if (journal == null) {
            start();
        }
        long request = requests.incrementAndGet();
        return journal.append(events).thenApply(journaled -> {
            statistics.received(journaled);
            enqueue(journaled, request);
            return journaled.size();
        });
    }

    public MirrorStatistics statistics() {
        return statistics;
    }

    @Override
    public void skipped(int n) {
        statistics.skipped(n);
    }

    /** Events accepted and not yet mirrored (queued, waiting to go quiet, in progress or retrying). */
    public int queueDepth() {
        return journal == null ? 0 : journal.pending();
    }

    /** Events kept after a failed attempt and not mirrored yet: what is failing now (0 once all went through). */
    public synchronized long eventsFailing() {
        return queue == null ? 0 : queue.failingEvents() + failingInProgress;
    }

    private synchronized void enqueue(List<JournaledEvent> events, long request) {
        long now = System.nanoTime();
        for (JournaledEvent j : events) {
            queue.add(j, request, now);
        }
    }

    private void dispatch() {
        try {
            List<List<Pending>> jobs;
            synchronized (this) {
                jobs = queue.take(workerCount - busyJobs, HostStudies.MAX_PER_QUERY,
                        CHECK_BATCHES_AT_ONCE - busyBatches, System.nanoTime(), inProgress);
                for (List<Pending> job : jobs) {
                    for (Pending p : job) {
                        inProgress.add(p.key);
                        failingInProgress += p.failures > 0 ? p.events.size() : 0;
                    }
                    busyBatches += job.size() > 1 ? 1 : 0;
                }
                busyJobs += jobs.size();
            }
            for (List<Pending> job : jobs) {
                workers.execute(() -> run(job));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "Mirror dispatch failed", e);
        }
    }

    private void run(List<Pending> job) {
        boolean batch = job.size() > 1;
        try {
            List<Pending> toMirror = job.get(0).checked ? job : checkStudies(job);
            if (toMirror.size() == 1) {
                mirror(toMirror.get(0)); // a lone series goes on at once: no second trip through the queue
            } else {
                toMirror.forEach(p -> requeue(p, false));
            }
        } finally {
            synchronized (this) {
                busyJobs--;
                busyBatches -= batch ? 1 : 0;
            }
        }
    }

    /**
     * Asks the host once which of the job's studies and series it holds. Events for the others are done:
     * dropped from the journal and counted. Returns the entries to mirror; on a host failure, every entry is retried later.
     */
    private List<Pending> checkStudies(List<Pending> job) {
        Predicate<Pending> held;
        try {
            held = heldByHost(job);
        } catch (RuntimeException e) {
            retryLater(job, e);
            return List.of();
        }
        List<Pending> absent = new ArrayList<>();
        List<Pending> found = new ArrayList<>();
        for (Pending p : job) {
            if (held.test(p)) {
                p.checked = true;
                found.add(p);
            } else {
                absent.add(p);
            }
        }
        if (!absent.isEmpty()) {
            int events = absent.stream().mapToInt(p -> p.events.size()).sum();
            LOG.log(Level.INFO, "Dropped {0} events for {1} studies or series the archive does not hold (asked "
                    + "once), among them {2}", new Object[]{events, absent.size(), absent.get(0).key});
            absent.forEach(p -> finish(p, () -> statistics.notInArchive(p.events.size())));
        }
        return found;
    }

    /**
     * Which of the job's entries the host holds: its studies asked at once, then, for each study held that
     * the job names series of, the study's series listed once (a search, where fetching a made-up series'
     * metadata would be an error on the host).
     */
    private Predicate<Pending> heldByHost(List<Pending> job) {
        Set<String> studies = hostStudies.present(job.stream().map(p -> p.study).collect(Collectors.toSet()));
        Map<String, Set<String>> seriesByStudy = new HashMap<>();
        for (Pending p : job) {
            if (p.series != null && studies.contains(p.study) && !seriesByStudy.containsKey(p.study)) {
                List<String> listed = seriesMirror.seriesOfStudyOnHost(p.study);
                // a long listing may have been cut at the host's result limit: then fetching decides (a 404)
                seriesByStudy.put(p.study, listed.size() < TRUSTED_SERIES_LISTING ? Set.copyOf(listed) : null);
            }
        }
        return p -> studies.contains(p.study) && (p.series == null || seriesByStudy.get(p.study) == null
                || seriesByStudy.get(p.study).contains(p.series));
    }

    private void mirror(Pending p) {
        try {
            SeriesMirror.Outcome outcome = p.series == null ? seriesMirror.mirrorStudy(p.study)
                    : seriesMirror.mirrorSeries(p.study, p.series);
            finish(p, () -> {
                if (outcome.instances() == 0) {
                    statistics.notInArchive(p.events.size()); // the study is there, this series is not
                    return;
                }
                statistics.mirrored(outcome.written());
                long now = System.currentTimeMillis();
                p.events.forEach(j -> statistics.lag(now - j.receivedAtMillis()));
            });
        } catch (RuntimeException e) {
            retryLater(List.of(p), e);
        }
    }

    /** The entry's events are done: counted, out of the journal, and its key free again. */
    private void finish(Pending p, Runnable count) {
        count.run();
        journal.complete(p.events);
        synchronized (this) {
            release(p);
        }
    }

    private void release(Pending p) {
        inProgress.remove(p.key);
        failingInProgress -= p.failures > 0 ? p.events.size() : 0;
    }

    /** Keeps a failed job's events for a retry with back-off; one log line per job, not per series. */
    private void retryLater(List<Pending> job, RuntimeException cause) {
        int events = job.stream().mapToInt(p -> p.events.size()).sum();
        int attempt = job.get(0).failures + 1;
        statistics.failed(events);
        job.forEach(p -> requeue(p, true));
        if (attempt == 1 || attempt % 10 == 0) {
            LOG.log(Level.WARNING, "Mirroring {0} series failed ({1} events kept, attempt {2}, next in {3} ms): {4}",
                    new Object[]{job.size(), events, attempt, backoffMillis(attempt), cause.toString()});
        }
    }

    private synchronized void requeue(Pending p, boolean failed) {
        release(p);
        if (failed) {
            p.failures++;
            p.notBeforeNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMillis(p.failures));
        }
        queue.putBack(p);
    }

    private static long backoffMillis(int failures) {
        return Math.min(MAX_BACKOFF_MS, 500L << Math.min(10, failures));
    }

    /** The event journal's folder (other durable ingest state, such as feed checkpoints, lives there too). */
    @Override
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
