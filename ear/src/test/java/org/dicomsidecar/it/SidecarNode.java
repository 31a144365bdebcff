package org.dicomsidecar.it;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One more sidecar: a WildFly of its own (its own base folder, ports, index and event journal) with the EAR in its
 * deployment folder, started by the tests rather than by Arquillian, so that a test can kill it as a crash would.
 * The configuration is the one the build prepared for the test servers; everything listens on 127.0.0.1.
 */
final class SidecarNode {

    private final String name;
    private final int httpPort;
    private final ManagedProcess process;

    /**
     * @param name the node's name ({@code sidecar.node.name}), also its folder under {@code work}
     * @param settings the sidecar's settings, as system properties (name to value)
     */
    SidecarNode(String name, Path work, Map<String, String> settings) {
        this.name = name;
        this.httpPort = freePort();
        Path base = work.resolve(name);
        try {
            copyTree(Path.of(System.getProperty("jboss.home"), "standalone", "configuration"),
                    base.resolve("configuration"));
            Files.createDirectories(base.resolve("deployments"));
            Files.copy(Path.of(System.getProperty("it.ear")), base.resolve("deployments/dicom-sidecar.ear"),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("jboss.home"), "bin", "standalone.sh").toString(),
                "-Djboss.server.base.dir=" + base,
                "-Djboss.bind.address=127.0.0.1", "-Djboss.bind.address.management=127.0.0.1",
                "-Djboss.http.port=" + httpPort, "-Djboss.https.port=" + freePort(),
                "-Djboss.management.http.port=" + freePort(), "-Djboss.management.https.port=" + freePort(),
                "-Dsidecar.node.name=" + name));
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        process = new ManagedProcess("WildFly " + name, command,
                Map.of("JAVA_OPTS", "-Xms64m -Xmx384m -Djava.net.preferIPv4Stack=true"),
                work.resolve(name + ".log"), url() + "/api/status", httpPort, Duration.ofSeconds(180));
    }

    String name() {
        return name;
    }

    /** The sidecar's base URL, e.g. http://127.0.0.1:8080/sidecar. */
    String url() {
        return "http://127.0.0.1:" + httpPort + "/sidecar";
    }

    /** Starts the server and waits until the sidecar is deployed and its index is ready. */
    void start() {
        process.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<byte[]> r = Http.get(url() + "/api/status", "application/json");
                if (r.statusCode() == 200 && "ready".equals(Http.json(r.body()).asJsonObject()
                        .getJsonObject("index").getString("state", ""))) {
                    return;
                }
            } catch (UncheckedIOException e) {
                // not listening yet
            }
            ManagedProcess.sleep(250);
        }
        throw new IllegalStateException(name + " was not ready within 180 s");
    }

    /** Stops the server by its PID (a clean shutdown: the node lets its duties go). */
    void stop() {
        process.stop();
    }

    /** Ends the server as a crash does: SIGKILL, nothing released. */
    void kill() {
        process.kill();
    }

    JsonObject status() {
        return Http.json(Http.get(url() + "/api/status", "application/json").body()).asJsonObject();
    }

    /** The duties this node holds now, as its status says. */
    List<String> duties() {
        return status().getJsonObject("cluster").getJsonArray("duties").getValuesAs(jakarta.json.JsonString.class)
                .stream().map(jakarta.json.JsonString::getString).toList();
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
