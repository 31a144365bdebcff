package org.dicomsidecar.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Starts a real pouchdb-server and a real Orthanc (with its DICOMweb plugin) on free loopback ports before
 * any test runs, loads real DICOM files written by others into Orthanc, and stops both by PID at the end.
 * Arquillian then starts WildFly pointed at them (arquillian.xml). Tests stop and restart these servers
 * to check how the sidecar behaves when one of them is down. Orthanc runs WITH the sidecar's Lua hook
 * (POST /api/events/stored for every stored instance), and the sidecar also follows Orthanc's /changes:
 * every instance stored reaches the sidecar both ways.
 */
public final class ExternalServices implements LauncherSessionListener {

    /** Real files written by others (Debian's python3-pydicom test data). */
    static final Path PYDICOM = Path.of("/usr/lib/python3/dist-packages/pydicom/data/test_files");
    static final List<String> SAMPLES = List.of("CT_small.dcm", "MR_small.dcm", "liver_1frame.dcm", "test-SR.dcm",
            "rtstruct.dcm", "rtplan.dcm");

    private static ManagedProcess couchdb;
    private static ManagedProcess orthanc;

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        if (System.getProperty("it.couchdb.port") == null) {
            return; // not the integration-test JVM
        }
        try {
            Path work = Path.of(System.getProperty("it.work"));
            deleteTree(work);
            Files.createDirectories(work);
            // the WildFly base dir holds only configuration/ so far; its scanner expects deployments/
            Files.createDirectories(Path.of(System.getProperty("it.server.base"), "deployments"));
            Files.createDirectories(Path.of(System.getProperty("it.secured.server.base"), "deployments"));
            couchdb = couchdb(work);
            orthanc = orthanc(work);
            // last resort if the JVM ends without closing the session (killed build): no server outlives it
            Runtime.getRuntime().addShutdownHook(new Thread(ExternalServices::stopAll));
            Keycloak.startInBackground(work); // about a minute: the security tests wait for it, nothing else does
            couchdb.start();
            orthanc.start();
            loadSamples();
        } catch (IOException | RuntimeException e) {
            stopAll();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        stopAll();
    }

    private static synchronized void stopAll() {
        Keycloak.stop();
        if (orthanc != null) {
            orthanc.stop();
        }
        if (couchdb != null) {
            couchdb.stop();
        }
    }

    static ManagedProcess couchdb() {
        return couchdb;
    }

    static ManagedProcess orthanc() {
        return orthanc;
    }

    static String orthancRestUrl() {
        return "http://127.0.0.1:" + port("it.orthanc.http.port");
    }

    static String hostDicomWebUrl() {
        return orthancRestUrl() + "/dicom-web";
    }

    static String sidecarUrl() {
        return "http://127.0.0.1:" + port("it.wildfly.http.port") + "/sidecar";
    }

    /** The second sidecar, with authentication on (arquillian.xml's wildfly-secured). */
    static String securedSidecarUrl() {
        return "http://127.0.0.1:" + port("it.secured.wildfly.http.port") + "/sidecar";
    }

    static String sidecarDicomWebUrl() {
        return sidecarUrl() + "/dicomweb";
    }

    static String couchDbUrl() {
        return "http://127.0.0.1:" + port("it.couchdb.port");
    }

    static int port(String property) {
        return Integer.parseInt(System.getProperty(property));
    }

    static Path projectRoot() {
        return Path.of(System.getProperty("it.project.root")).toAbsolutePath().normalize();
    }

    private static ManagedProcess couchdb(Path work) throws IOException {
        Path dir = Files.createDirectories(work.resolve("couchdb"));
        Files.writeString(dir.resolve("config.json"), "{\"log\": {\"file\": \"" + dir.resolve("log.txt") + "\"}}");
        int port = port("it.couchdb.port");
        Path tools = Path.of(System.getProperty("sidecar.tools.dir"), "pouchdb");
        List<String> command = List.of("node", projectRoot().resolve("scripts/lib/pouchdb-server.js").toString(),
                tools.toString(), "--host", "127.0.0.1", "--port", String.valueOf(port), "--dir", dir.toString(),
                "--config", dir.resolve("config.json").toString(), "-n");
        return new ManagedProcess("pouchdb-server", command, Map.of(), work.resolve("couchdb.log"),
                "http://127.0.0.1:" + port + "/", port);
    }

    private static ManagedProcess orthanc(Path work) throws IOException {
        Path dir = Files.createDirectories(work.resolve("orthanc"));
        int http = port("it.orthanc.http.port");
        String config = Files.readString(projectRoot().resolve("scripts/lib/orthanc.json"))
                .replace("@NAME@", "dicom-sidecar-it")
                .replace("@DATA@", dir.toString())
                .replace("@HTTP_PORT@", String.valueOf(http))
                .replace("@DICOM_PORT@", System.getProperty("it.orthanc.dicom.port"));
        Files.writeString(dir.resolve("sidecar-hook.lua"),
                Files.readString(projectRoot().resolve("scripts/lib/orthanc-sidecar-hook.lua"))
                        .replace("@SIDECAR_EVENTS_URL@", sidecarUrl() + "/api/events/stored"));
        Path configFile = dir.resolve("orthanc.json");
        Files.writeString(configFile, config);
        return new ManagedProcess("Orthanc", List.of("Orthanc", configFile.toString()), Map.of("TCP_NODELAY", "1"),
                work.resolve("orthanc.log"), "http://127.0.0.1:" + http + "/system", http);
    }

    /** Loads the samples through Orthanc's REST API (storing an instance twice is harmless, so retry). */
    private static void loadSamples() throws IOException {
        for (String name : SAMPLES) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(orthancRestUrl() + "/instances"))
                    .header("Content-Type", "application/dicom")
                    .POST(HttpRequest.BodyPublishers.ofFile(PYDICOM.resolve(name))).build();
            HttpResponse<byte[]> r = null;
            for (int attempt = 1; r == null; attempt++) {
                try {
                    r = Http.send(request);
                } catch (UncheckedIOException e) {
                    if (attempt == 3) {
                        throw e;
                    }
                    ManagedProcess.sleep(500);
                }
            }
            if (r.statusCode() != 200) {
                throw new IllegalStateException("Orthanc refused " + name + ": " + r.statusCode() + " " + Http.text(r));
            }
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
