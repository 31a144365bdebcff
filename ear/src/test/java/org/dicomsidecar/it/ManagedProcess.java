package org.dicomsidecar.it;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A server the tests start, stop and restart (pouchdb-server, Orthanc), tracked by its PID. */
final class ManagedProcess {

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path logFile;
    private final String readyUrl;
    private final int port;
    private Process process;

    ManagedProcess(String name, List<String> command, Map<String, String> environment, Path logFile,
                   String readyUrl, int port) {
        this.name = name;
        this.command = command;
        this.environment = environment;
        this.logFile = logFile;
        this.readyUrl = readyUrl;
        this.port = port;
    }

    synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        waitUntilPortFree(Duration.ofSeconds(60));
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            pb.environment().putAll(environment);
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + ": " + e, e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited at start; see " + logFile);
            }
            if (answers(readyUrl)) {
                return;
            }
            sleep(200);
        }
        throw new IllegalStateException(name + " did not become ready; see " + logFile);
    }

    /** Stops the process by its PID and waits for it to be gone. */
    synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    long pid() {
        return process == null ? -1 : process.pid();
    }

    int port() {
        return port;
    }

    private void waitUntilPortFree(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                sleep(250);
            } catch (IOException free) {
                return;
            }
        }
        throw new IllegalStateException("port " + port + " for " + name + " stays in use");
    }

    static boolean answers(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(2000);
            c.getResponseCode();
            c.disconnect();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return name + " (" + String.join(" ", command).replace(File.separator + File.separator, File.separator) + ")";
    }
}
