package org.dicomsidecar.index;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.store.Directory;

/**
 * Judges what an index folder holds, and wipes what Lucene wrote there. Only called while the store holds the
 * folder's lock, so nobody writes while it reads or deletes.
 */
final class IndexFolder {

    /** The store's own lock file: the one file in the folder that is neither Lucene's nor foreign. */
    static final String LOCK_FILE = "sidecar.lock";

    private IndexFolder() {
    }

    /** RESUME with the last commit's checkpoint, or REBUILD and why. Damage is a verdict, never an exception. */
    static IndexOpening inspect(Directory directory, Path folder, int schemaVersion) throws IOException {
        return inspect(directory, folder, schemaVersion, true);
    }

    /** As above; {@code verifyChecksums} false leaves the full read of every file to a later check. */
    static IndexOpening inspect(Directory directory, Path folder, int schemaVersion, boolean verifyChecksums)
            throws IOException {
        if (!DirectoryReader.indexExists(directory)) {
            return IndexOpening.rebuild(luceneFiles(folder).isEmpty() && otherFiles(folder).isEmpty()
                    ? "the index folder is empty" : "the folder holds no Lucene index commit");
        }
        try (DirectoryReader reader = DirectoryReader.open(directory)) {
            var userData = reader.getIndexCommit().getUserData();
            Optional<Integer> version = IndexCheckpoint.schemaVersionOf(userData);
            if (version.isEmpty() || version.get() != schemaVersion) {
                return IndexOpening.rebuild("the index has schema version " + version.map(String::valueOf).orElse("none")
                        + ", the current one is " + schemaVersion);
            }
            Optional<IndexCheckpoint> checkpoint = IndexCheckpoint.fromUserData(userData);
            if (checkpoint.isEmpty()) {
                return IndexOpening.rebuild("the index has no CouchDB checkpoint (a rebuild did not finish)");
            }
            if (verifyChecksums) {
                verifyChecksums(reader);
            }
            return IndexOpening.resume(checkpoint.get());
        } catch (CorruptIndexException | IndexFormatTooOldException | IndexFormatTooNewException | EOFException
                | NoSuchFileException | FileNotFoundException e) {
            return IndexOpening.rebuild("the index is damaged: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            // garbled bytes can surface as any runtime failure of a decoder
            return IndexOpening.rebuild("the index is unreadable: " + e.getClass().getSimpleName());
        }
    }

    /**
     * Reads every file of the commit once against its checksum: opening checks headers and footers only, and a
     * garbled byte in the middle of a segment would otherwise surface in some later query.
     */
    private static void verifyChecksums(DirectoryReader reader) throws IOException {
        for (LeafReaderContext leaf : reader.leaves()) {
            leaf.reader().checkIntegrity();
        }
    }

    /**
     * Deletes every file of the folder that Lucene names (segments, codec files, their temporaries, its write
     * lock): regular files directly in the folder only, never a sub-folder, a symbolic link or a foreign file.
     */
    static void wipeLuceneFiles(Path folder) throws IOException {
        for (Path file : luceneFiles(folder)) {
            Files.deleteIfExists(file);
        }
    }

    static boolean isLuceneFile(String name) {
        return name.startsWith(IndexFileNames.SEGMENTS) || name.startsWith(IndexFileNames.PENDING_SEGMENTS)
                || name.equals("write.lock") || IndexFileNames.CODEC_FILE_PATTERN.matcher(name).matches();
    }

    private static List<Path> luceneFiles(Path folder) throws IOException {
        return regularFiles(folder).filter(f -> isLuceneFile(f.getFileName().toString())).toList();
    }

    private static List<Path> otherFiles(Path folder) throws IOException {
        return regularFiles(folder).map(Path::getFileName).filter(f -> !isLuceneFile(f.toString())
                && !f.toString().equals(LOCK_FILE)).toList();
    }

    private static Stream<Path> regularFiles(Path folder) throws IOException {
        try (Stream<Path> children = Files.list(folder)) {
            return children.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).toList().stream();
        }
    }
}
