package org.dicomsidecar.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real files written by others (pydicom's test data) with some attributes changed by dcmtk's {@code dcmodify},
 * so that a test stores instances that are new to the archive, or carry the UIDs real archives hold (leading
 * zeros), while everything else stays as their authors wrote it.
 */
final class RealFiles {

    private RealFiles() {
    }

    /**
     * A copy of {@code source} with the given attributes set ({@code dcmodify -m} paths, such as
     * {@code "(0020,000D)"} or {@code "(0008,1115)[0].(0020,000E)"}). dcmodify keeps the file meta
     * information's MediaStorageSOPInstanceUID in step with SOPInstanceUID.
     */
    static byte[] modified(Path source, Map<String, String> values) {
        try {
            Path copy = Files.createTempFile(Path.of(System.getProperty("it.work")), "real-", ".dcm");
            try {
                Files.copy(source, copy, StandardCopyOption.REPLACE_EXISTING);
                List<String> command = new ArrayList<>(List.of("dcmodify", "-nb"));
                values.forEach((path, value) -> command.addAll(List.of("-m", path + "=" + value)));
                command.add(copy.toString());
                Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("dcmodify failed on " + source.getFileName() + ": " + output);
                }
                return Files.readAllBytes(copy);
            } finally {
                Files.deleteIfExists(copy);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The same series under new study, series and instance UIDs, so that the archive takes it as new. */
    static List<byte[]> newSeries(List<Path> files, String study, String series) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            out.add(modified(files.get(i), Map.of("(0020,000D)", study, "(0020,000E)", series,
                    "(0008,0018)", series + "." + (i + 1))));
        }
        return out;
    }
}
