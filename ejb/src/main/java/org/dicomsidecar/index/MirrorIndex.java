package org.dicomsidecar.index;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.lucene.search.IndexSearcher;
import org.dicomsidecar.config.Setting;
import org.dicomsidecar.config.SidecarSettings;
import org.dicomsidecar.couchdb.CouchDatabase;

/**
 * The node's on-disk index of the mirror, kept in step with CouchDB: opened (or rebuilt) at start-up on a
 * thread of its own, then following CouchDB's changes feed. Every question calls {@link #current()} first,
 * which applies what CouchDB holds beyond the index before answering, so an answer includes everything
 * mirrored before it was asked, as the in-memory catalog's did. While the index is being built, questions get
 * {@link IndexUnavailableException} (503).
 */
@ApplicationScoped
public class MirrorIndex implements IndexSearch {

    private static final Logger LOG = Logger.getLogger(MirrorIndex.class.getName());
    static final String FEED_THREAD = "sidecar-index-feed";
    private static final int PAGE = 1000;
    private static final Duration IDLE = Duration.ofMillis(250);
    private static final Duration PROGRESS_WINDOW = Duration.ofSeconds(30);
    private static final String ANOTHER_DATABASE =
            "the index was built from another CouchDB database (or this one deleted and created again)";

    public enum State { OPENING, BUILDING, READY, FAILED, STOPPED }

    /** What the status page shows of the index. */
    public record Status(State state, Path folder, int documents, long sizeBytes, Optional<IndexCheckpoint> checkpoint,
                         Optional<String> rebuildReason, Optional<RebuildProgress.Snapshot> rebuild,
                         Optional<LastRebuild> lastRebuild, Optional<String> error) {
    }

    /** The figures of the last rebuild this node finished. */
    public record LastRebuild(long documents, double seconds, Instant finishedAt) {
        public double perSecond() {
            return seconds <= 0 ? documents : documents / seconds;
        }
    }

    @Resource
    ManagedThreadFactory threads;

    @Inject
    SidecarSettings settings;

    @Inject
    CouchDatabase couch;

    private final ReentrantLock feedLock = new ReentrantLock();
    /**
     * {@link CouchDatabase#writes()} as it stood when the last catch-up with the changes feed began: while it has
     * not moved, this node has written nothing the index may lack, and a question needs no catch-up of its own.
     */
    private final java.util.concurrent.atomic.AtomicLong writesBeforeCatchUp =
            new java.util.concurrent.atomic.AtomicLong(-1);
    private final Object wake = new Object();
    /** Notified when an opening ends. */
    private final Object opened = new Object();
    private static final Duration OPENING_WAIT = Duration.ofSeconds(30);
    private static final Duration DATABASE_CHECK = Duration.ofSeconds(5);
    private volatile long lastDatabaseCheck;
    private volatile State state = State.OPENING;
    private volatile IndexStore store;
    private volatile IndexFeed feed;
    private volatile RebuildProgress progress;
    private volatile String rebuildReason;
    private volatile LastRebuild lastRebuild;
    private volatile String error;
    private volatile boolean stopping;
    private Path folder;
    private CouchIndexSource source;
    private Thread worker;

    /** Opens the index when the application starts, not at the first question. */
    void start(@Observes Startup event) {
        source = new CouchIndexSource(couch);
        folder = settings.optional(Setting.INDEX_DIR).map(Path::of).orElseGet(() -> Path.of(
                System.getProperty("jboss.server.data.dir", System.getProperty("java.io.tmpdir")), "dicom-sidecar",
                "index"));
        worker = threads.newThread(this::run);
        worker.setName(FEED_THREAD);
        worker.start();
    }

    /** Opens or rebuilds the index, then follows CouchDB until the application stops. */
    private void run() {
        try {
            open(null);
            while (!stopping) {
                try {
                    if (state == State.BUILDING) {
                        build();
                    } else if (!sameDatabase()) {
                        LOG.warning("Index: CouchDB now holds another database (deleted and created again?); "
                                + "rebuilding the index from it");
                        reopenEmpty(ANOTHER_DATABASE);
                    } else if (applyPending() == 0) {
                        pause(IDLE);
                    }
                    if (error != null) {
                        LOG.info("Index: following CouchDB again");
                        error = null;
                    }
                } catch (RuntimeException | IOException e) {
                    if (stopping) {
                        break;
                    }
                    // CouchDB unreachable or refusing: the feed resumes where it stood once it answers again
                    String failure = e.getClass().getSimpleName();
                    if (!failure.equals(error)) { // one line per outage, not one per retry
                        LOG.log(Level.WARNING, () -> "Index: following CouchDB failed (" + failure
                                + "); trying again every " + retryInterval().toMillis() + " ms");
                    }
                    error = failure;
                    pause(retryInterval());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            setState(State.FAILED);
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
            LOG.log(Level.SEVERE, "Index: cannot open " + folder + "; questions answer 503 until it is fixed", e);
        }
    }

    /**
     * Waits, or less when the application stops. Never by interrupting the thread: an interrupt during a write
     * closes Lucene's file channel and with it the index writer.
     */
    private void pause(Duration d) throws InterruptedException {
        synchronized (wake) {
            if (!stopping) {
                wake.wait(d.toMillis());
            }
        }
    }

    private void setState(State next) {
        state = next;
        synchronized (opened) {
            opened.notifyAll();
        }
    }

    private Duration retryInterval() {
        return Duration.ofMillis(Math.max(100, settings.getLong(Setting.COUCHDB_RETRY_INTERVAL_MS)));
    }

    /**
     * Opens the folder's index, and resumes it if it was built from the database CouchDB holds now; otherwise
     * (or when the folder holds none, a damaged one, one of another schema) starts a rebuild. Waits for CouchDB.
     *
     * @param thrownAway why the caller emptied the folder (the reason the status shows), or null
     */
    private void open(String thrownAway) throws IOException, InterruptedException {
        String database = databaseOnceReachable();
        IndexStore fresh = IndexStore.openUnverified(folder, IndexSchema.version());
        String reason = fresh.opening().reason();
        String builtFrom = fresh.checkpoint().map(IndexCheckpoint::database).orElse(database);
        if (fresh.opening().action() == IndexOpening.Action.RESUME && !builtFrom.equals(database)) {
            fresh.close();
            IndexFolder.wipeLuceneFiles(folder);
            fresh = IndexStore.openUnverified(folder, IndexSchema.version());
            reason = ANOTHER_DATABASE;
        }
        if (thrownAway != null) {
            reason = thrownAway; // the folder is empty because the caller emptied it, not the reason
        }
        store = fresh;
        feed = new IndexFeed(source, fresh, PAGE,
                Duration.ofMillis(settings.getLong(Setting.INDEX_COMMIT_INTERVAL_MS)), Clock.systemUTC());
        lastDatabaseCheck = System.nanoTime();
        if (fresh.opening().action() == IndexOpening.Action.REBUILD) {
            rebuildReason = reason;
            setState(State.BUILDING);
        } else {
            setState(State.READY);
            verifyInBackground(fresh);
        }
    }

    private String databaseOnceReachable() throws InterruptedException {
        while (true) {
            try {
                return source.databaseId();
            } catch (RuntimeException e) {
                if (stopping) {
                    throw new InterruptedException("stopping");
                }
                error = e.getClass().getSimpleName();
                pause(retryInterval());
            }
        }
    }

    /**
     * Whether CouchDB still holds the database the index was built from (checked every few seconds: a database
     * deleted and created again, as after a restore, starts its sequences anew).
     */
    private boolean sameDatabase() {
        if (System.nanoTime() - lastDatabaseCheck < DATABASE_CHECK.toNanos()) {
            return true;
        }
        lastDatabaseCheck = System.nanoTime();
        return source.databaseId().equals(feed.database());
    }

    /** Reads the whole feed into the (empty) index, then commits; progress and rate for the status page. */
    private void build() throws IOException {
        Instant started = Instant.now();
        long total = source.documentCount();
        RebuildProgress p = new RebuildProgress(total, PROGRESS_WINDOW, Clock.systemUTC());
        progress = p;
        LOG.info(() -> "Index: building from CouchDB (" + total + " documents), because " + rebuildReason);
        long done = 0;
        // the next page is read (CouchDB's time, and parsing it) while this one is mapped on two threads
        java.util.concurrent.ExecutorService reader = java.util.concurrent.Executors.newSingleThreadExecutor(threads);
        java.util.concurrent.ExecutorService mappers = java.util.concurrent.Executors.newFixedThreadPool(
                IndexFeed.PARALLEL_MAPPERS, threads);
        feedLock.lock();
        try {
            IndexFeed.Source.Changes page = feed.fetch(feed.appliedSequence());
            while (!page.results().isEmpty() && !stopping) {
                String next = page.lastSequence();
                java.util.concurrent.Future<IndexFeed.Source.Changes> ahead = reader.submit(() -> feed.fetch(next));
                int n = feed.apply(page, mappers);
                p.advance(n);
                done += n;
                page = ahead.get();
            }
            if (stopping) {
                return;
            }
            feed.commit();
            store.refresh();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } finally {
            feedLock.unlock();
            reader.shutdownNow();
            mappers.shutdown();
        }
        double seconds = Duration.between(started, Instant.now()).toMillis() / 1000.0;
        lastRebuild = new LastRebuild(done, seconds, Instant.now());
        long read = done;
        LOG.info(() -> String.format("Index: built from %d changes in %.1f s (%.0f/s)", read, seconds,
                seconds > 0 ? read / seconds : read));
        progress = null;
        rebuildReason = null;
        setState(State.READY);
    }

    /**
     * Checks every file against its checksum after a resume, beside the answers (it reads the whole index, so it
     * must not delay the first one); a damaged index is rebuilt.
     */
    private void verifyInBackground(IndexStore opened) {
        Thread t = threads.newThread(() -> {
            try {
                opened.verifyIntegrity();
            } catch (IOException | RuntimeException e) {
                if (!stopping && opened == store) {
                    LOG.warning(() -> "Index: damaged (" + e.getClass().getSimpleName() + "); rebuilding from CouchDB");
                    reopenEmpty("the index is damaged (" + e.getClass().getSimpleName() + ")");
                }
            }
        });
        t.setName("sidecar-index-verify");
        t.start();
    }

    /** Throws the index away and opens the folder again, empty: the feed thread then rebuilds it. */
    private void reopenEmpty(String reason) {
        feedLock.lock();
        try {
            setState(State.OPENING);
            store.close();
            IndexFolder.wipeLuceneFiles(folder);
            open(reason);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            setState(State.FAILED);
            error = e.getClass().getSimpleName();
            LOG.log(Level.SEVERE, "Index: rebuilding " + folder + " failed", e);
        } finally {
            feedLock.unlock();
        }
    }

    /** Applies what CouchDB holds beyond the index and makes it searchable; the number of changes applied. */
    private long applyPending() throws IOException {
        feedLock.lock();
        try {
            long writes = couch == null ? 0 : couch.writes();
            long applied = feed.applyPending();
            writesBeforeCatchUp.accumulateAndGet(writes, Math::max);
            if (applied > 0) {
                store.refresh();
            }
            return applied;
        } finally {
            feedLock.unlock();
        }
    }

    /**
     * Brings the index up to date with what this node wrote before a question is answered: when it has written to
     * CouchDB since the last catch-up began, or is writing now (CouchDB may hold the document before this node has
     * its answer), the question catches up itself; otherwise it answers at once, and what
     * other writers (other nodes) wrote arrives with the feed thread, which reads the changes every 250 ms. While
     * CouchDB is not known to be up (the health check or the feed thread failed), every question asks it, and
     * fails as CouchDB does: answers are never older than the feed allows without saying so.
     *
     * @throws IndexUnavailableException while the index is opening, being built, or failed
     */
    @Override
    public void current() {
        requireReady();
        if (couch != null && couch.isReady() && error == null && !couch.writing()
                && couch.writes() == writesBeforeCatchUp.get()) {
            return;
        }
        try {
            applyPending();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Runs a query over the latest searcher (call {@link #current()} first for an up-to-date answer). */
    @Override
    public <T> T search(Function<IndexSearcher, T> query) {
        requireReady();
        return store.search(query);
    }

    /**
     * Waits while the index opens or is built, at most {@code timeout}: work that cannot answer without it (a
     * reconciliation) waits for it rather than failing.
     *
     * @return whether the index is ready
     */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (opened) {
            while ((state == State.OPENING || state == State.BUILDING) && System.nanoTime() < deadline) {
                opened.wait(Math.max(1, Math.min(1000, (deadline - System.nanoTime()) / 1_000_000)));
            }
        }
        return state == State.READY;
    }

    /** Waits out an opening (it takes a moment at any size); a build or a failure is answered at once. */
    private void requireReady() {
        long deadline = System.nanoTime() + OPENING_WAIT.toNanos();
        while (state == State.OPENING && System.nanoTime() < deadline) {
            synchronized (opened) {
                try {
                    opened.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        State s = state;
        if (s != State.READY) {
            throw new IndexUnavailableException(s, describe(s));
        }
    }

    private String describe(State s) {
        return switch (s) {
            case OPENING -> "the index is opening; try again in a few seconds";
            case BUILDING -> {
                RebuildProgress p = progress;
                if (p == null) {
                    yield "the index is being built from CouchDB; see /api/status for its progress";
                }
                RebuildProgress.Snapshot snap = p.snapshot();
                yield String.format("the index is being built from CouchDB: %d of %d documents%s; see /api/status",
                        snap.done(), snap.total(), snap.eta().map(d -> ", about " + d.toSeconds() + " s left").orElse(""));
            }
            case FAILED -> "the index could not be opened: see the server log";
            default -> "the sidecar is stopping";
        };
    }

    public Status status() {
        IndexStore s = store;
        long size = 0;
        int documents = 0;
        Optional<IndexCheckpoint> checkpoint = Optional.empty();
        if (s != null && state == State.READY) {
            try {
                size = s.sizeOnDisk();
                documents = s.documentCount();
                checkpoint = s.checkpoint();
            } catch (IOException | RuntimeException e) {
                // closed meanwhile: the figures stay zero
            }
        }
        RebuildProgress p = progress;
        return new Status(state, folder, documents, size, checkpoint, Optional.ofNullable(rebuildReason),
                Optional.ofNullable(p).map(RebuildProgress::snapshot), Optional.ofNullable(lastRebuild),
                Optional.ofNullable(error));
    }

    @PreDestroy
    void stop() {
        stopping = true;
        synchronized (wake) {
            wake.notifyAll();
        }
        if (worker != null) {
            try {
                worker.join(30_000); // a page being applied finishes first
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        feedLock.lock();
        try {
            State was = state;
            setState(State.STOPPED);
            if (store != null) {
                if (was == State.READY) {
                    feed.commit(); // what was applied need not be replayed at the next start
                }
                store.close();
            }
        } catch (IOException | RuntimeException e) {
            LOG.warning(() -> "Index: closing failed (" + e.getClass().getSimpleName()
                    + "); the next start replays CouchDB's changes since the last commit");
        } finally {
            feedLock.unlock();
        }
    }
}
