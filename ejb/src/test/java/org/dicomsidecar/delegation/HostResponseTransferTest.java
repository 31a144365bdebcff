package org.dicomsidecar.delegation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.dicomsidecar.config.SidecarSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HostResponse#transferBody} against a scripted host on loopback, for every way an HTTP/1.1 body
 * can end: the connection closing, a Content-Length (short: through HttpClient; long: from the socket),
 * chunks; and for the ways it can fail: silence (read time-out), a connection closed too early.
 */
class HostResponseTransferTest {

    private static final int READ_TIMEOUT_MS = 700;

    /** What the host does with one request: write the whole answer, then return true to keep the connection. */
    interface Script {
        boolean answer(String requestHead, OutputStream out) throws IOException, InterruptedException;
    }

    private ServerSocket server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile Script script;
    private HostDicomWebClient client;

    @BeforeEach
    void start() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    connections.incrementAndGet();
                    Thread t = new Thread(() -> serve(s));
                    t.setDaemon(true);
                    t.start();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        Map<String, String> values = Map.of(
                "sidecar.host.dicomweb-url", "http://127.0.0.1:" + server.getLocalPort() + "/dicom-web",
                "sidecar.host.read-timeout-ms", String.valueOf(READ_TIMEOUT_MS));
        client = new HostDicomWebClient();
        client.settings = SidecarSettings.from(key -> Optional.ofNullable(values.get(key)));
        client.authorization = HostAuthorization.none();
        client.open();
    }

    @AfterEach
    void stop() throws IOException {
        client.close();
        server.close();
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                requests.add(head);
                if (!script.answer(head, out)) {
                    return;
                }
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the client went away
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        for (int b; (b = in.read()) != -1; ) {
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Sends a GET and relays the body, as the servlet does; also counts the sink's writes. */
    private byte[] relay(AtomicInteger writes) throws IOException {
        try (HostResponse answer = client.forward(new DelegatedRequest("GET", "/studies/1", null,
                Map.of("Accept", List.of("multipart/related; type=\"application/dicom\"")), null, -1))) {
            assertEquals(200, answer.status());
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            long n = answer.transferBody(bytes -> {
                writes.incrementAndGet();
                byte[] b = new byte[bytes.remaining()];
                bytes.get(b);
                got.write(b);
            });
            assertEquals(got.size(), n);
            return got.toByteArray();
        }
    }

    private byte[] relay() throws IOException {
        return relay(new AtomicInteger());
    }

    @Test
    void bodyEndedByClosingTheConnectionPassesWhole() throws IOException {
        byte[] body = random(5_000_000, 1);
        script = (head, out) -> {
            out.write(ascii("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: multipart/related; "
                    + "type=\"application/dicom\"; boundary=b\r\n\r\n"));
            for (int off = 0; off < body.length; off += 100_000) { // in pieces, as a host streams
                out.write(body, off, Math.min(100_000, body.length - off));
                out.flush();
            }
            return false;
        };
        AtomicInteger writes = new AtomicInteger();
        assertArrayEquals(body, relay(writes));
        assertTrue(writes.get() < 5_000_000 / 16_384, writes + " writes");
    }

    @Test
    void longContentLengthBodyEndsAtItsLengthWithoutWaitingForTheHost() throws IOException {
        byte[] body = random(3 * 1024 * 1024 + 17, 2);
        script = (head, out) -> {
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: "
                    + body.length + "\r\n\r\n"));
            out.write(body);
            return true; // keeps the connection open: the relay must stop at the length, not at a time-out
        };
        long start = System.nanoTime();
        assertArrayEquals(body, relay());
        assertTrue((System.nanoTime() - start) / 1_000_000 < READ_TIMEOUT_MS, "waited for the time-out");
        // and the next call works, on a fresh connection: the one read from its socket is not reused
        assertArrayEquals(body, relay());
        assertEquals(2, connections.get());
    }

    @Test
    void shortContentLengthBodiesKeepTheConnectionAlive() throws IOException {
        byte[] body = random(10_000, 3);
        script = (head, out) -> {
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: "
                    + body.length + "\r\n\r\n"));
            out.write(body);
            return true;
        };
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(body, relay());
        }
        assertEquals(1, connections.get());
    }

    @Test
    void chunkedBodyIsDecodedWhole() throws IOException {
        byte[] body = random(2_500_000, 4);
        script = (head, out) -> {
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n"));
            for (int off = 0; off < body.length; off += 16_000) {
                int n = Math.min(16_000, body.length - off);
                out.write(ascii(Integer.toHexString(n) + (off == 0 ? ";ext=1" : "") + "\r\n"));
                out.write(body, off, n);
                out.write(ascii("\r\n"));
            }
            out.write(ascii("0\r\n\r\n"));
            return true;
        };
        AtomicInteger writes = new AtomicInteger();
        assertArrayEquals(body, relay(writes));
        assertArrayEquals(body, relay());
        assertEquals(1, connections.get());
        // chunks already read are gathered into one write, not written one by one
        assertTrue(writes.get() < body.length / 16_000, writes + " writes");
    }

    @Test
    void asksForAnUncompressedBody() throws IOException {
        script = (head, out) -> {
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
            return true;
        };
        assertArrayEquals(ascii("ok"), relay());
        assertTrue(requests.get(0).toLowerCase().contains("\r\naccept-encoding: identity\r\n"), requests.get(0));
    }

    @Test
    void hostFallingSilentMidBodyIsAReadTimeOut() {
        script = (head, out) -> {
            out.write(ascii("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/octet-stream\r\n\r\n"));
            out.write(random(2_000_000, 5));
            out.flush();
            Thread.sleep(READ_TIMEOUT_MS * 4L);
            return false;
        };
        long start = System.nanoTime();
        assertThrows(SocketTimeoutException.class, this::relay);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis >= READ_TIMEOUT_MS && millis < READ_TIMEOUT_MS * 3L, millis + " ms");
    }

    @Test
    void timeSpentWritingToASlowCallerIsNotHostSilence() throws IOException {
        byte[] body = random(2_000_000, 8);
        script = (head, out) -> {
            out.write(ascii("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"));
            out.write(body, 0, 1_000_000);
            out.flush();
            Thread.sleep(READ_TIMEOUT_MS * 2L); // longer than the time-out, but the relay is busy writing
            out.write(body, 1_000_000, 1_000_000);
            return false;
        };
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        AtomicInteger writes = new AtomicInteger();
        try (HostResponse answer = client.forward(new DelegatedRequest("GET", "/studies", null, Map.of(), null, -1))) {
            answer.transferBody(bytes -> {
                if (writes.getAndIncrement() == 0) {
                    sleep(READ_TIMEOUT_MS * 2L - 300); // the caller takes its time over the first piece
                }
                byte[] b = new byte[bytes.remaining()];
                bytes.get(b);
                got.write(b);
            });
        }
        assertArrayEquals(body, got.toByteArray());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void connectionClosedBeforeTheContentLengthIsAnError() {
        script = (head, out) -> {
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 5000000\r\n\r\n"));
            out.write(random(1_500_000, 6));
            return false;
        };
        assertThrows(EOFException.class, this::relay);
    }

    @Test
    void bodylessAnswersTransferNothing() throws IOException {
        script = (head, out) -> {
            out.write(ascii("HTTP/1.1 204 No Content\r\n\r\n"));
            return true;
        };
        try (HostResponse answer = client.forward(new DelegatedRequest("DELETE", "/studies/1", null, Map.of(),
                null, -1))) {
            assertEquals(204, answer.status());
            assertEquals(0, answer.transferBody(bytes -> {
                throw new AssertionError("nothing to write");
            }));
        }
    }

    @Test
    void bufferIsHandedOverWithItsBytesOnly() throws IOException {
        // the sink sees buffers positioned at the body's bytes: writing them as they are gives the body
        byte[] body = random(1_234_567, 7);
        script = (head, out) -> {
            out.write(ascii("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"));
            out.write(body);
            return false;
        };
        ByteBuffer all = ByteBuffer.allocate(body.length);
        try (HostResponse answer = client.forward(new DelegatedRequest("GET", "/studies", null, Map.of(), null, -1))) {
            answer.transferBody(all::put);
        }
        assertArrayEquals(body, all.array());
    }
}
