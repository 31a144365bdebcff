package org.dicomsidecar.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.lucene.search.IndexSearcher;
import org.dicomsidecar.index.IndexFeed;
import org.dicomsidecar.index.IndexSchema;
import org.dicomsidecar.index.IndexSearch;
import org.dicomsidecar.index.IndexStore;

/**
 * A real on-disk index in a temporary folder, fed from an in-memory database as MirrorIndex feeds it from
 * CouchDB: {@link #current()} applies the database's changes and refreshes the searcher, so the services' unit
 * tests run through the same index path as the application.
 */
public final class TestIndex implements IndexSearch, AutoCloseable {

    private final Path folder;
    private final IndexStore store;
    private final IndexFeed feed;

    public TestIndex(IndexFeed.Source source) {
        try {
            folder = Files.createTempDirectory("sidecar-index-test");
            store = IndexStore.open(folder.resolve("index"), IndexSchema.version());
            feed = new IndexFeed(source, store, 100, Duration.ofHours(1), Clock.systemUTC());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void current() {
        try {
            feed.applyPending();
            store.refresh();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public <T> T search(Function<IndexSearcher, T> query) {
        return store.search(query);
    }

    @Override
    public void close() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
