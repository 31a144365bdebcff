package org.dicomsidecar.index;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps the index in step with CouchDB, page by page of its changes feed: a changed mirror document is mapped
 * and replaces its namesake, a deleted or vanished one leaves the index. The same loop rebuilds: a new or
 * rebuilt index has no checkpoint and reads the feed from the start.
 * <p>
 * Changes are searchable at once (the store's near-real-time refresh); they are committed, with the sequence
 * they reach, at most every {@code commitInterval}, since a commit forces the index to disk. After a crash the
 * feed resumes from the last commit and applies again what came after it: replacing a document by its id twice
 * leaves the same index, so nothing is lost and nothing doubled.
 */
public final class IndexFeed {

    /** What the feed reads of CouchDB; narrow, so that the feed is tested over an in-memory database. */
    public interface Source {

        /**
         * A document changed after a sequence: its id, whether it was deleted, and its content when the source
         * read it with the change (null: the feed asks {@link #documents} for it).
         */
        record Change(String id, boolean deleted, JsonObject document) {
            public Change(String id, boolean deleted) {
                this(id, deleted, null);
            }
        }

        /** A page of changes in order, and the sequence they reach. */
        record Changes(List<Change> results, String lastSequence) {
        }

        /** At most {@code limit} changes after {@code since} ("0": from the start). */
        Changes changesSince(String since, int limit);

        /** The documents with these ids that exist (deleted and missing ones left out). */
        List<JsonObject> documents(Collection<String> ids);

        /**
         * What identifies the database the sequences belong to; "" when the source cannot tell. An index built
         * from one database is rebuilt when the source names another.
         */
        default String databaseId() {
            return "";
        }
    }

    /** The sequence to read from when the index has no checkpoint: the start of the feed. */
    static final String FROM_THE_START = "0";

    private final Source source;
    private final IndexStore store;
    private final int pageSize;
    private final Duration commitInterval;
    private final Clock clock;
    private final String database;
    private String applied;
    private Instant lastCommit;

    public IndexFeed(Source source, IndexStore store, int pageSize, Duration commitInterval, Clock clock) {
        this.source = source;
        this.store = store;
        this.pageSize = pageSize;
        this.commitInterval = commitInterval;
        this.clock = clock;
        this.database = source.databaseId();
        this.applied = store.checkpoint().map(IndexCheckpoint::couchSeq).orElse(FROM_THE_START);
        this.lastCommit = clock.instant();
    }

    /** The database this feed follows (as {@link Source#databaseId()} named it when the feed began). */
    public String database() {
        return database;
    }

    /** The sequence every change up to which is in the index (searchable; durable once committed). */
    public String appliedSequence() {
        return applied;
    }

    /**
     * Applies the next page of changes, and commits when the last commit is older than the interval.
     *
     * @return how many changes the page held: 0 when the index has caught up
     */
    public int step() throws IOException {
        return apply(fetch(applied), Runnable::run);
    }

    /** The page of changes after {@code since} (a rebuild reads the next page while it applies this one). */
    public Source.Changes fetch(String since) {
        return source.changesSince(since, pageSize);
    }

    /**
     * Applies a page read after {@link #appliedSequence()}, mapping its documents on {@code mappers} (Lucene's
     * writer takes documents from several threads; a page lists each document once, so their order is free),
     * and commits when the last commit is older than the interval.
     *
     * @return how many changes the page held
     */
    public int apply(Source.Changes page, java.util.concurrent.Executor mappers) throws IOException {
        if (page.results().isEmpty()) {
            commitIfDue(false);
            return 0;
        }
        apply(page.results(), mappers);
        applied = page.lastSequence();
        commitIfDue(false);
        return page.results().size();
    }

    /**
     * Applies pages until none is left, committing only when the interval is due (before a question).
     *
     * @return how many changes were applied
     */
    public long applyPending() throws IOException {
        long total = 0;
        for (int n = step(); n > 0; n = step()) {
            total += n;
        }
        return total;
    }

    /** Applies pages until none is left (a rebuild, or the catch-up after a start), then commits. */
    public long catchUp() throws IOException {
        long total = applyPending();
        commitIfDue(true);
        return total;
    }

    /** Commits now what has been applied (at shutdown, or at the end of a rebuild). */
    public void commit() throws IOException {
        commitIfDue(true);
    }

    private void apply(List<Source.Change> changes, java.util.concurrent.Executor mappers) throws IOException {
        Set<String> wanted = new HashSet<>();
        java.util.Map<String, JsonObject> read = new java.util.HashMap<>();
        for (Source.Change c : changes) {
            if (c.deleted()) {
                wanted.remove(c.id());
                read.remove(c.id());
                store.delete(c.id());
            } else if (c.document() != null) {
                wanted.remove(c.id());
                read.put(c.id(), c.document());
            } else {
                read.remove(c.id());
                wanted.add(c.id());
            }
        }
        List<JsonObject> documents = new ArrayList<>(read.values());
        if (!wanted.isEmpty()) {
            documents.addAll(source.documents(new ArrayList<>(wanted)));
        }
        Set<String> found = new HashSet<>();
        documents.forEach(doc -> found.add(doc.getString("_id", "")));
        int parts = mappers instanceof java.util.concurrent.ExecutorService ? PARALLEL_MAPPERS : 1;
        List<java.util.concurrent.CompletableFuture<Void>> done = new ArrayList<>();
        for (int part = 0; part < parts; part++) {
            List<JsonObject> share = documents.subList(documents.size() * part / parts,
                    documents.size() * (part + 1) / parts);
            done.add(java.util.concurrent.CompletableFuture.runAsync(() -> index(share), mappers));
        }
        try {
            java.util.concurrent.CompletableFuture.allOf(done.toArray(new java.util.concurrent.CompletableFuture[0]))
                    .join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof java.io.UncheckedIOException io) {
                throw io.getCause();
            }
            throw e;
        }
        wanted.addAll(read.keySet());
        for (String id : wanted) {
            if (!found.contains(id)) {
                store.delete(id); // deleted again after this page was listed
            }
        }
    }

    /** Threads a page's documents are mapped on when the caller gives an executor service. */
    static final int PARALLEL_MAPPERS = 2;

    private void index(List<JsonObject> documents) {
        try {
            for (JsonObject doc : documents) {
                String id = doc.getString("_id", "");
                if (!isIndexed(id)) {
                    continue;
                }
                Optional<org.apache.lucene.document.Document> mapped = DocumentMapper.map(doc);
                if (mapped.isPresent()) {
                    store.replace(id, mapped.get());
                } else {
                    store.delete(id);
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Only mirror documents are indexed: the others (steps, saved cohorts, design documents) are never mapped. */
    private static boolean isIndexed(String id) {
        return id.startsWith(IndexFields.INSTANCE + ":") || id.startsWith(IndexFields.SERIES_KIND + ":");
    }

    private void commitIfDue(boolean now) throws IOException {
        boolean changedSinceCommit = !applied.equals(store.checkpoint().map(IndexCheckpoint::couchSeq).orElse(null));
        if (changedSinceCommit && (now || !clock.instant().isBefore(lastCommit.plus(commitInterval)))) {
            store.commit(applied, database);
            lastCommit = clock.instant();
        }
    }
}
