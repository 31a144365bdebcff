package org.dicomsidecar.it;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stands between one sidecar node and Orthanc's REST API, relaying everything and counting the requests for
 * Orthanc's change log ({@code /changes}): with one relay per node, the counts say which node follows the archive's
 * changes. Listens on 127.0.0.1 only.
 */
final class CountingRelay implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService threads;
    private final AtomicLong changesRequests = new AtomicLong();

    private CountingRelay(HttpServer server, String targetBaseUrl) {
        this.server = server;
        HttpForwarder forwarder = new HttpForwarder(targetBaseUrl);
        this.threads = Executors.newCachedThreadPool(task -> {
            Thread t = new Thread(task, "counting-relay");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            try {
                if (exchange.getRequestURI().getRawPath().equals("/changes")) {
                    changesRequests.incrementAndGet();
                }
                forwarder.forward(exchange);
            } finally {
                exchange.close();
            }
        });
    }

    /** Starts a relay on a free port of 127.0.0.1 in front of {@code targetBaseUrl} (e.g. http://127.0.0.1:8042). */
    static CountingRelay start(String targetBaseUrl) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 64);
            CountingRelay relay = new CountingRelay(server, targetBaseUrl);
            server.start();
            return relay;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1", e);
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** How many {@code /changes} requests went through so far. */
    long changesRequests() {
        return changesRequests.get();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
