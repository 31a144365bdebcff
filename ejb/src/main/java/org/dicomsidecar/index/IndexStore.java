package org.dicomsidecar.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Logger;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.ControlledRealTimeReopenThread;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.Lock;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.store.NativeFSLockFactory;

/**
 * The on-disk Lucene index that answers questions; derived from CouchDB, never the source of truth. Updates are
 * searchable within a second (a near-real-time reader refreshed by a thread of its own) but durable only at
 * {@link #commit(String)}, which stores the CouchDB update sequence they reach: after a crash the index is
 * exactly its last commit, and replaying CouchDB's changes from that sequence brings it up to date again.
 * {@link #close()} does not commit, for the same reason.
 */
public final class IndexStore implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(IndexStore.class.getName());
    static final String REFRESHER_THREAD = "sidecar-index-refresher";
    private static final double MAX_STALE_SECONDS = 0.5;
    private static final double MIN_STALE_SECONDS = 0.05;

    private final int schemaVersion;
    private final Clock clock;
    private final IndexOpening opening;
    private final Lock folderLock;
    private final FSDirectory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final ControlledRealTimeReopenThread<IndexSearcher> refresher;
    private volatile Optional<IndexCheckpoint> checkpoint;

    private IndexStore(Path folder, int schemaVersion, Clock clock, boolean verifyChecksums) throws IOException {
        this.schemaVersion = schemaVersion;
        this.clock = clock;
        boolean existed = Files.isDirectory(folder);
        Files.createDirectories(folder);
        directory = FSDirectory.open(folder);
        Lock lock = null;
        IndexWriter openedWriter = null;
        try {
            lock = obtainFolderLock(directory, folder);
            opening = existed ? IndexFolder.inspect(directory, folder, schemaVersion, verifyChecksums)
                    : IndexOpening.rebuild("no index folder");
            if (opening.action() == IndexOpening.Action.REBUILD) {
                IndexFolder.wipeLuceneFiles(folder);
                LOG.info(() -> "Index " + folder + ": rebuilding from CouchDB, because " + opening.reason());
            } else {
                LOG.info(() -> "Index " + folder + ": resuming at CouchDB seq " + opening.resumeFrom().get().couchSeq());
            }
            openedWriter = new IndexWriter(directory, writerConfig(opening.action()));
            checkpoint = opening.resumeFrom();
            searchers = new SearcherManager(openedWriter, new SearcherFactory());
        } catch (IOException | RuntimeException e) {
            closeQuietly(openedWriter, lock, directory, e);
            throw e;
        }
        folderLock = lock;
        writer = openedWriter;
        refresher = new ControlledRealTimeReopenThread<>(writer, searchers, MAX_STALE_SECONDS, MIN_STALE_SECONDS);
        refresher.setName(REFRESHER_THREAD);
        refresher.setDaemon(true);
        refresher.start();
    }

    /**
     * Opens (or creates) the index in {@code folder} for documents of {@code schemaVersion}; {@link #opening()}
     * says whether to resume or rebuild.
     *
     * @throws LockObtainFailedException when another store, in this process or another, has the folder open
     */
    public static IndexStore open(Path folder, int schemaVersion) throws IOException {
        return open(folder, schemaVersion, Clock.systemUTC());
    }

    static IndexStore open(Path folder, int schemaVersion, Clock clock) throws IOException {
        return new IndexStore(Objects.requireNonNull(folder, "folder"), schemaVersion, clock, true);
    }

    /**
     * As {@link #open(Path, int)}, but without reading every file against its checksum first: opening then
     * costs the same at any size, and the caller checks later with {@link #verifyIntegrity()}.
     */
    public static IndexStore openUnverified(Path folder, int schemaVersion) throws IOException {
        return new IndexStore(Objects.requireNonNull(folder, "folder"), schemaVersion, Clock.systemUTC(), false);
    }

    /**
     * Reads every file of the current searcher's segments against its checksum.
     *
     * @throws IOException (a CorruptIndexException) when a byte is damaged
     */
    public void verifyIntegrity() throws IOException {
        IndexSearcher searcher = searchers.acquire();
        try {
            for (var leaf : searcher.getIndexReader().leaves()) {
                leaf.reader().checkIntegrity();
            }
        } finally {
            searchers.release(searcher);
        }
    }

    /** Documents in the index (deleted ones not counted once merged away). */
    public int documentCount() {
        return writer.getDocStats().numDocs;
    }

    /** The bytes of the index's files on disk. */
    public long sizeOnDisk() throws IOException {
        long total = 0;
        for (String file : directory.listAll()) {
            try {
                total += directory.fileLength(file);
            } catch (java.nio.file.NoSuchFileException e) {
                // merged away meanwhile
            }
        }
        return total;
    }

    /** The store's own lock, held from before it reads the folder until it closes, so that it never wipes a live index. */
    private static Lock obtainFolderLock(FSDirectory directory, Path folder) throws IOException {
        try {
            return NativeFSLockFactory.INSTANCE.obtainLock(directory, IndexFolder.LOCK_FILE);
        } catch (LockObtainFailedException e) {
            throw new LockObtainFailedException("The index folder " + folder
                    + " is in use by another index store (another sidecar on the same folder?)", e);
        }
    }

    private static IndexWriterConfig writerConfig(IndexOpening.Action action) {
        IndexWriterConfig config = new IndexWriterConfig();
        config.setOpenMode(action == IndexOpening.Action.REBUILD
                ? IndexWriterConfig.OpenMode.CREATE : IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
        config.setCommitOnClose(false);
        return config;
    }

    /** What opening found: resume from a checkpoint, or rebuild (the index is then empty). */
    public IndexOpening opening() {
        return opening;
    }

    /** The last commit's checkpoint; empty after a rebuild started until its first commit. */
    public Optional<IndexCheckpoint> checkpoint() {
        return checkpoint;
    }

    /** Adds {@code doc} in place of every document whose {@code _id} is {@code id}. */
    public void replace(String id, Document doc) throws IOException {
        if (!id.equals(doc.get(IndexFields.ID))) {
            throw new IllegalArgumentException("The document's " + IndexFields.ID + " is not the id it replaces");
        }
        writer.updateDocument(new Term(IndexFields.ID, id), doc);
    }

    public void delete(String id) throws IOException {
        writer.deleteDocuments(new Term(IndexFields.ID, id));
    }

    /** Deletes the study's every document: the study's, its series' and its instances'. */
    public void deleteStudy(String studyUid) throws IOException {
        writer.deleteDocuments(new Term(IndexFields.STUDY, studyUid));
    }

    /** Makes every update so far durable, together with the CouchDB sequence they reach. */
    public synchronized void commit(String couchSeq) throws IOException {
        commit(couchSeq, "");
    }

    /** As {@link #commit(String)}, naming the database the sequence belongs to. */
    public synchronized void commit(String couchSeq, String database) throws IOException {
        IndexCheckpoint next = new IndexCheckpoint(couchSeq, schemaVersion, clock.instant(), database);
        writer.setLiveCommitData(next.toUserData().entrySet());
        writer.commit();
        checkpoint = Optional.of(next);
    }

    /** Makes every update so far searchable now, rather than within the refresher's second. */
    public void refresh() throws IOException {
        searchers.maybeRefreshBlocking();
    }

    /** Runs {@code query} over the latest searcher, releasing it however {@code query} ends. */
    public <T> T search(Function<IndexSearcher, T> query) {
        IndexSearcher searcher;
        try {
            searcher = searchers.acquire();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return query.apply(searcher);
        } finally {
            try {
                searchers.release(searcher);
            } catch (IOException e) {
                LOG.warning(() -> "Index: releasing a searcher failed: " + e);
            }
        }
    }

    /** Stops the refresher and closes the index without committing: what is not committed is replayed from CouchDB. */
    @Override
    public void close() throws IOException {
        refresher.close();
        IOException failure = null;
        for (AutoCloseable part : new AutoCloseable[] {searchers, writer, directory, folderLock}) {
            try {
                part.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e instanceof IOException io ? io : new IOException(e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void closeQuietly(IndexWriter writer, Lock lock, FSDirectory directory, Exception cause) {
        for (AutoCloseable part : new AutoCloseable[] {writer, directory, lock}) {
            if (part != null) {
                try {
                    part.close();
                } catch (Exception e) {
                    cause.addSuppressed(e);
                }
            }
        }
    }
}
