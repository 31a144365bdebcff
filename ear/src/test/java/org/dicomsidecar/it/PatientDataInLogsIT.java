package org.dicomsidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Run last (junit-platform.properties orders classes by {@link Order}; the others keep their order): after every
 * other integration test has sent its studies through the sidecar, no patient name (nor a component of it),
 * patient ID or birth date that the archive holds appears in any log our servers wrote during the run: the
 * WildFly logs of every IT server base (ear/target/it-server*&#47;log, and the two-node test's nodes). Orthanc's and pouchdb-server's logs
 * are not ours (the archive logs the patients it stores) and are not searched.
 *
 * <p>A failure names the file, line and column and the kind of value, never the value: the failsafe reports
 * are kept and shared, and must not carry what the logs must not carry.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@Order(Integer.MAX_VALUE)
class PatientDataInLogsIT extends SidecarDeployment {

    @Test
    void noPatientValueTheArchiveHoldsIsInOurLogs() {
        List<PatientValues.Value> values = valuesInTheArchive();
        assertTrue(values.size() >= 5, "the archive holds the samples' patients: " + values.size() + " values");
        List<Path> logs = ourLogs();
        assertFalse(logs.isEmpty(), "no log found under " + targetDir());
        List<PatientValues.Finding> found = new ArrayList<>();
        for (Path log : logs) {
            found.addAll(PatientValues.search(targetDir().relativize(log).toString(), read(log), values));
        }
        if (!found.isEmpty()) {
            fail(found.size() + " patient values in the logs (values not repeated here; open the files at these lines):\n"
                    + found.stream().limit(50).map(Object::toString).collect(Collectors.joining("\n")));
        }
    }

    /** The search must be able to fail: a leak in a log text is found, at its line, without repeating it. */
    @Test
    void theSearchFindsALeakInALogText() {
        List<PatientValues.Value> values = new ArrayList<>(PatientValues.name("CompressedSamples^Lena"));
        values.addAll(PatientValues.id("PID-4711-X"));
        values.addAll(PatientValues.birthDate("19691231", LocalDate.of(2026, 11, 30)));
        String log = """
                2026-11-30 16:14:24,100 INFO  [org.dicomsidecar.mirror.Reconciler] Reconciliation DONE
                2026-11-30 16:14:24,200 WARNING [org.dicomsidecar.x] (task-1) query failed: PatientName=compressedsamples*
                2026-11-30 16:14:24,300 INFO  [x] Lenard and PID-4711-XY are other words; LENA is not
                2026-11-30 16:14:24,400 INFO  [x] born 1969-12-31
                """;
        List<PatientValues.Finding> found = PatientValues.search("server.log", log, values);
        assertEquals(List.of("server.log:2:89: a PATIENT_NAME_COMPONENT (17 characters)",
                        "server.log:3:75: a PATIENT_NAME_COMPONENT (4 characters)",
                        "server.log:4:40: a BIRTH_DATE (10 characters)"),
                found.stream().map(Object::toString).toList());
        assertTrue(found.stream().map(Object::toString).noneMatch(f -> f.toLowerCase().contains("lena")
                || f.contains("compressed") || f.contains("1969")), "the failure message repeats no value");
        assertEquals(List.of(new PatientValues.Value(PatientValues.Kind.PATIENT_NAME, "Test^S R")),
                PatientValues.name("Test^S R"), "its components are too generic or too short; the whole name is not");
        assertEquals(List.of(), PatientValues.id("99000"), "five digits: a count, a port, a duration");
        assertEquals(List.of(), PatientValues.birthDate("20260101", LocalDate.of(2026, 11, 30)), "a date of the logs");
    }

    private static List<PatientValues.Value> valuesInTheArchive() {
        List<PatientValues.Value> values = new ArrayList<>();
        LocalDate today = LocalDate.now();
        for (JsonValue p : Http.json(Http.get(ExternalServices.orthancRestUrl() + "/patients?expand", "application/json")
                .body()).asJsonArray()) {
            JsonObject tags = p.asJsonObject().getJsonObject("MainDicomTags");
            values.addAll(PatientValues.name(tags.getString("PatientName", "")));
            values.addAll(PatientValues.id(tags.getString("PatientID", "")));
            values.addAll(PatientValues.birthDate(tags.getString("PatientBirthDate", ""), today));
        }
        return values.stream().distinct().toList();
    }

    /**
     * Every file with ".log" in its name under the log folder of each IT server base: the it-server* folders, and
     * the nodes {@link ClusterIT} started (it-work/cluster/node-*), rotated logs too, and those nodes' console output.
     */
    private static List<Path> ourLogs() {
        try {
            List<Path> bases = new ArrayList<>(list(targetDir(), "it-server"));
            Path cluster = Path.of(System.getProperty("it.work"), "cluster");
            List<Path> nodes = list(cluster, "node-");
            List<Path> logs = new ArrayList<>();
            for (Path node : nodes) {
                if (Files.isDirectory(node)) {
                    bases.add(node);
                } else if (node.getFileName().toString().endsWith(".log")) {
                    logs.add(node);
                }
            }
            for (Path base : bases) {
                Path logDir = base.resolve("log");
                if (Files.isDirectory(logDir)) {
                    try (Stream<Path> files = Files.list(logDir)) {
                        files.filter(f -> f.getFileName().toString().contains(".log")).forEach(logs::add);
                    }
                }
            }
            return logs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The entries of a folder whose names start with {@code prefix}; none when the folder does not exist. */
    private static List<Path> list(Path folder, String prefix) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(e -> e.getFileName().toString().startsWith(prefix)).toList();
        }
    }

    private static Path targetDir() {
        return Path.of(System.getProperty("it.server.base")).toAbsolutePath().getParent();
    }

    private static String read(Path log) {
        try {
            return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
