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
    private final Duration startTimeout;
    private Process process;

    ManagedProcess(String name, List<String> command, Map<String, String> environment, Path logFile,
                   String readyUrl, int port) {
        this(name, command, environment, logFile, readyUrl, port, Duration.ofSeconds(60));
    }

    ManagedProcess(String name, List<String> command, Map<String, String> environment, Path logFile,
                   String readyUrl, int port, Duration startTimeout) {
        this.startTimeout = startTimeout;
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
        long deadline = System.nanoTime() + startTimeout.toNanos();
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

    /**
     * Stops the process by its PID and waits for it to be gone, and then any child it leaves (a start script
     * such as Keycloak's kc.sh runs the JVM as its child).
     */
    synchronized void stop() {
        if (process == null) {
            return;
        }
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            for (ProcessHandle child : children) {
                child.destroy();
                child.onExit().get(20, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            children.forEach(ProcessHandle::destroyForcibly);
        }
        process = null;
    }

    /**
     * Ends the process and its children at once, as a crash or {@code kill -9} does (SIGKILL: no shutdown hook runs,
     * nothing is released), and waits for them to be gone.
     */
    synchronized void kill() {
        if (process == null) {
            return;
        }
        List<ProcessHandle> children = process.descendants().toList();
        children.forEach(ProcessHandle::destroyForcibly); // the JVM first, so that its start script cannot stop it
        process.destroyForcibly();
        try {
            for (ProcessHandle child : children) {
                child.onExit().get(20, TimeUnit.SECONDS);
            }
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(name + " did not end after SIGKILL", e);
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
