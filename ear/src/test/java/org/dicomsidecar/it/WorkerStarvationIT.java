package org.dicomsidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Waiting and slow clients cannot take every worker thread: with more long-polls open than WildFly has worker
 * threads (32 on 2 cores) and a crowd of clients trickling request bodies, liveness and status keep answering
 * within a second; a workflow change wakes the long-polls at once; past the long-poll cap the sidecar says 503
 * with Retry-After; a client that leaves frees its slot; a trickled body is cut off at its time-out.
 * The run's settings (arquillian.xml): sidecar.api.max-long-polls=40, sidecar.api.body-timeout-ms=6000.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class WorkerStarvationIT extends SidecarDeployment {

    private static final int LONG_POLL_CAP = 40;
    private static final int TRICKLING_CLIENTS = 32;
    private static final int TRICKLING_STOW_CLIENTS = 16;
    private static final long BODY_TIMEOUT_MS = 6_000;
    private static final String STUDY = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322"; // CT_small's study

    private final List<Socket> sockets = new ArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @BeforeEach
    void noLongPollWaits() throws InterruptedException {
        Http.awaitStatus(200, 60);
        for (int i = 0; i < 100 && waitingLongPolls() > 0; i++) {
            Thread.sleep(200); // those of an earlier test, until their closed connections are noticed
        }
        assertEquals(0, waitingLongPolls());
    }

    @AfterEach
    void closeEverything() {
        pool.shutdownNow();
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // closing is all that is left to do
            }
        }
    }

    @Test
    void livenessAndStatusAnswerWhileLongPollsAndTricklingBodiesWait() throws Exception {
        String since = Http.getJson("/api/workflow/changes?timeout=0").getString("next");
        List<Socket> polls = openLongPolls(LONG_POLL_CAP, since);
        awaitLongPollsFull();

        HttpResponse<byte[]> refused = longPollNow();
        assertEquals(503, refused.statusCode(), Http.text(refused));
        assertTrue(refused.headers().firstValue("Retry-After").isPresent(), "503 says when to come back");
        assertEquals("too-many-long-polls", Http.json(refused.body()).asJsonObject().getString("error"));

        String[] apiPosts = {"/api/events/stored", "/api/cohorts/query", "/api/workflow/query"};
        List<Socket> tricklers = new ArrayList<>();
        long trickleStart = System.nanoTime();
        for (int i = 0; i < TRICKLING_CLIENTS; i++) {
            tricklers.add(trickle("POST", apiPosts[i % apiPosts.length]));
        }
        // STOW-RS bodies stream to the host and hold a worker thread each: the pool is sized for them
        for (int i = 0; i < TRICKLING_STOW_CLIENTS; i++) {
            trickle("POST", "/dicomweb/studies");
        }

        long liveWorst = 0;
        long statusWorst = 0;
        for (int i = 0; i < 5; i++) {
            liveWorst = Math.max(liveWorst, timedGet("/api/live", 200));
            statusWorst = Math.max(statusWorst, timedGet("/api/status", 200));
        }
        System.out.printf("under %d long-polls, %d trickling API bodies and %d trickling STOW bodies: "
                + "/api/live worst %d ms, /api/status worst %d ms%n",
                LONG_POLL_CAP, TRICKLING_CLIENTS, TRICKLING_STOW_CLIENTS, liveWorst, statusWorst);
        assertTrue(liveWorst <= 1000, "/api/live took " + liveWorst + " ms");
        assertTrue(statusWorst <= 1000, "/api/status took " + statusWorst + " ms");

        // a workflow change wakes every waiting long-poll
        String step = "starvation-" + System.nanoTime();
        long written = System.nanoTime();
        HttpResponse<byte[]> put = Http.send(HttpRequest.newBuilder(URI.create(ExternalServices.sidecarUrl()
                        + "/api/workflow/studies/" + STUDY + "/steps/" + step)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"state\": \"done\"}")).build());
        assertEquals(201, put.statusCode(), Http.text(put));
        long wokenWorst = 0;
        for (Socket poll : polls) {
            RawResponse r = RawResponse.read(poll, 10_000);
            wokenWorst = Math.max(wokenWorst, (System.nanoTime() - written) / 1_000_000);
            assertEquals(200, r.status(), r.body());
            assertTrue(r.body().contains(step), "the change is in the answer: " + r.body());
        }
        System.out.printf("%d long-polls woken by a workflow change: the last answered %d ms after the write began%n",
                polls.size(), wokenWorst);
        assertTrue(wokenWorst <= 2000, "the long-polls answered " + wokenWorst + " ms after the change");

        // each trickling body is cut off at the time-out: 408, or the connection closed
        for (Socket t : tricklers) {
            RawResponse r = RawResponse.read(t, BODY_TIMEOUT_MS + 10_000);
            assertTrue(r.status() == 408 || r.status() == -1, "a trickled body ends in 408: " + r.status() + " " + r.body());
        }
        long cutOff = (System.nanoTime() - trickleStart) / 1_000_000;
        System.out.printf("%d trickling bodies cut off %d ms after they began (time-out %d ms)%n",
                TRICKLING_CLIENTS, cutOff, BODY_TIMEOUT_MS);
        assertTrue(cutOff >= BODY_TIMEOUT_MS - 500 && cutOff <= BODY_TIMEOUT_MS + 5_000, "cut off after " + cutOff + " ms");
    }

    @Test
    void aLongPollWhoseClientLeftFreesItsSlot() throws Exception {
        String since = Http.getJson("/api/workflow/changes?timeout=0").getString("next");
        List<Socket> polls = openLongPolls(LONG_POLL_CAP, since);
        awaitLongPollsFull();

        polls.get(0).close();
        long closed = System.nanoTime();
        int status = -1;
        for (int i = 0; i < 100 && status != 200; i++) {
            status = longPollNow().statusCode();
            if (status != 200) {
                Thread.sleep(100);
            }
        }
        long freed = (System.nanoTime() - closed) / 1_000_000;
        System.out.printf("a long-poll whose client closed its connection freed its slot after %d ms%n", freed);
        assertEquals(200, status, "the slot was freed");
        assertTrue(freed <= 5000, "freed after " + freed + " ms");
    }

    @Test
    void malformedLongPollParametersAndOversizedBodiesGet4xxJson() throws Exception {
        for (String query : List.of("timeout=abc", "timeout=-5", "timeout=1.5", "since=a%20b", "since=%7B%7D",
                "since=" + "9".repeat(2000))) {
            HttpResponse<byte[]> r = Http.get(ExternalServices.sidecarUrl() + "/api/workflow/changes?" + query, null);
            assertEquals(400, r.statusCode(), query + ": " + Http.text(r));
            assertEquals("invalid-query", Http.json(r.body()).asJsonObject().getString("error"), query);
        }
        // a huge time-out is shortened to the longest wait, not refused: the long-poll waits
        Socket huge = longPoll("timeout=" + "9".repeat(30));
        assertEquals(-2, RawResponse.read(huge, 1500).status(), "still waiting");

        // a body announced larger than any API body is refused before it is read
        Socket big = socket();
        write(big, "POST /sidecar/api/events/stored HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: 1073741824\r\n\r\n{");
        RawResponse r = RawResponse.read(big, 10_000);
        assertEquals(413, r.status(), r.body());
        assertEquals("too-large", Http.json(r.body()).asJsonObject().getString("error"));

        // a complete body still reaches the API as before
        JsonObject query = Http.postJson("/api/workflow/query", "{\"has\": [{\"step\": \"no-such-step\"}]}");
        assertEquals(0, query.getInt("count"));
    }

    private List<Socket> openLongPolls(int n, String since) throws IOException {
        List<Socket> polls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            polls.add(longPoll("timeout=60000&since=" + since));
        }
        return polls;
    }

    private Socket longPoll(String query) throws IOException {
        Socket s = socket();
        write(s, "GET /sidecar/api/workflow/changes?" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n");
        return s;
    }

    /**
     * Waits (bounded) until the server holds every long-poll. Watched on the status, not by trying one more:
     * that one would take a place while the last ones are still arriving.
     */
    private void awaitLongPollsFull() throws Exception {
        for (int i = 0; i < 100 && waitingLongPolls() < LONG_POLL_CAP; i++) {
            Thread.sleep(100);
        }
        assertEquals(LONG_POLL_CAP, waitingLongPolls(), "every long-poll waits");
    }

    private static int waitingLongPolls() {
        return Http.status().getJsonObject("longPolls").getInt("waiting");
    }

    private static HttpResponse<byte[]> longPollNow() {
        return Http.get(ExternalServices.sidecarUrl() + "/api/workflow/changes?timeout=0", "application/json");
    }

    /** Sends headers announcing 1000 bytes, then one byte a second from another thread. */
    private Socket trickle(String method, String path) throws IOException {
        Socket s = socket();
        write(s, method + " /sidecar" + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: 1000\r\n\r\n");
        pool.submit(() -> {
            try {
                OutputStream out = s.getOutputStream();
                for (int i = 0; i < 60 && !s.isClosed(); i++) {
                    out.write(' ');
                    out.flush();
                    Thread.sleep(1000);
                }
            } catch (IOException | InterruptedException e) {
                // the server cut the connection, or the test is over
            }
            return null;
        });
        return s;
    }

    private static long timedGet(String path, int expected) {
        long start = System.nanoTime();
        HttpResponse<byte[]> r = Http.send(HttpRequest.newBuilder(URI.create(ExternalServices.sidecarUrl() + path))
                .timeout(Duration.ofSeconds(15)).GET().build());
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(expected, r.statusCode(), path + " " + Http.text(r));
        return millis;
    }

    private Socket socket() throws IOException {
        URI sidecar = URI.create(ExternalServices.sidecarUrl());
        Socket s = new Socket("127.0.0.1", sidecar.getPort());
        sockets.add(s);
        return s;
    }

    private static void write(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    /** An HTTP/1.1 answer read off a raw socket: status -1 when the server closed it, -2 when none came in time. */
    record RawResponse(int status, String body) {

        static RawResponse read(Socket s, long timeoutMs) throws IOException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            InputStream stream = s.getInputStream();
            byte[] buffer = new byte[8192];
            while (true) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return in.size() == 0 ? new RawResponse(-2, "") : parse(in.toString(StandardCharsets.UTF_8));
                }
                s.setSoTimeout((int) Math.max(1, left));
                int n;
                try {
                    n = stream.read(buffer);
                } catch (SocketTimeoutException e) {
                    continue;
                } catch (IOException e) {
                    n = -1; // reset by the server
                }
                if (n == -1) {
                    return in.size() == 0 ? new RawResponse(-1, "") : parse(in.toString(StandardCharsets.UTF_8));
                }
                in.write(buffer, 0, n);
                String text = in.toString(StandardCharsets.UTF_8);
                if (complete(text)) {
                    return parse(text);
                }
            }
        }

        private static boolean complete(String text) {
            int end = text.indexOf("\r\n\r\n");
            if (end < 0) {
                return false;
            }
            String headers = text.substring(0, end).toLowerCase(java.util.Locale.ROOT);
            int cl = headers.indexOf("content-length:");
            if (cl >= 0) {
                int eol = headers.indexOf("\r\n", cl);
                long length = Long.parseLong(headers.substring(cl + 15, eol < 0 ? headers.length() : eol).trim());
                return text.getBytes(StandardCharsets.UTF_8).length - (end + 4) >= length;
            }
            return headers.contains("chunked") && text.endsWith("0\r\n\r\n");
        }

        private static RawResponse parse(String text) {
            int end = text.indexOf("\r\n\r\n");
            String body = end < 0 ? "" : text.substring(end + 4);
            if (text.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
                body = dechunk(body);
            }
            return new RawResponse(Integer.parseInt(text.substring(9, 12)), body);
        }

        private static String dechunk(String chunked) {
            StringBuilder out = new StringBuilder();
            int at = 0;
            while (at < chunked.length()) {
                int eol = chunked.indexOf("\r\n", at);
                if (eol < 0) {
                    break;
                }
                int size = Integer.parseInt(chunked.substring(at, eol).trim(), 16);
                if (size == 0) {
                    break;
                }
                out.append(chunked, eol + 2, Math.min(chunked.length(), eol + 2 + size));
                at = eol + 2 + size + 2;
            }
            return out.toString();
        }
    }
}
