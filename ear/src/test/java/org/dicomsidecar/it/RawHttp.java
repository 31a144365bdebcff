package org.dicomsidecar.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket to 127.0.0.1, for requests no well-behaved client would send: request targets
 * and headers go out byte for byte as written (no client normalises "..", decodes "%2f", validates escapes or
 * fills in Host), bodies may be shorter than their Content-Length; one request per connection.
 */
final class RawHttp {

    /** An answer: status, headers (names in lower case), body (de-chunked). */
    record Answer(int status, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        @Override
        public String toString() {
            String t = text();
            return status + " " + header("content-type") + " " + (t.length() > 200 ? t.substring(0, 200) + "..." : t);
        }
    }

    private RawHttp() {
    }

    /**
     * Sends {@code method target} to the sidecar's server with a proper Host. {@code declaredLength} is the
     * Content-Length to announce (-1: the body's own length); a larger one than the body, then the write side
     * closed, is a body cut short.
     */
    static Answer exchange(String method, String target, Map<String, String> headers, byte[] body, long declaredLength) {
        URI base = URI.create(ExternalServices.sidecarUrl());
        Map<String, String> all = new LinkedHashMap<>();
        all.put("Host", base.getHost() + ":" + base.getPort());
        all.putAll(headers);
        return send(base.getPort(), method, target, all, body, declaredLength);
    }

    /**
     * Sends {@code method target} with exactly these headers (a Host among them, or none at all), and a body
     * (null: none; then give no Content-Type either).
     */
    static Answer send(int port, String method, String target, Map<String, String> headers, byte[] body) {
        return send(port, method, target, headers, body, -1);
    }

    /** GET with a proper Host and this Accept. */
    static Answer get(int port, String target, String accept) {
        return send(port, "GET", target, Map.of("Host", "127.0.0.1:" + port, "Accept", accept), null);
    }

    /** Like {@link #exchange}, from another loopback address (e.g. 127.0.0.2): a client the server sees apart. */
    static Answer exchangeFrom(String localAddress, String method, String target, Map<String, String> headers) {
        URI base = URI.create(ExternalServices.sidecarUrl());
        Map<String, String> all = new LinkedHashMap<>();
        all.put("Host", base.getHost() + ":" + base.getPort());
        all.putAll(headers);
        return send(localAddress, base.getPort(), method, target, all, null, -1);
    }

    private static Answer send(int port, String method, String target, Map<String, String> headers, byte[] body,
                               long declaredLength) {
        return send(null, port, method, target, headers, body, declaredLength);
    }

    private static Answer send(String localAddress, int port, String method, String target, Map<String, String> headers,
                               byte[] body, long declaredLength) {
        try (Socket socket = new Socket()) {
            if (localAddress != null) {
                socket.bind(new InetSocketAddress(localAddress, 0));
            }
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(60_000);
            StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("Connection: close\r\n");
            if (body != null) {
                head.append("Content-Length: ").append(declaredLength < 0 ? body.length : declaredLength).append("\r\n");
            }
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            if (body != null && declaredLength > body.length) {
                socket.shutdownOutput();
            }
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + target, e);
        }
    }

    static Answer exchange(String method, String target, String contentType, String body) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }
        headers.put("Accept", "application/json");
        return exchange(method, target, headers, body == null ? null : body.getBytes(StandardCharsets.UTF_8), -1);
    }

    private static Answer read(InputStream in) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) {
            throw new IOException("the server closed the connection without an answer");
        }
        int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l; (l = line(in)) != null && !l.isEmpty(); ) {
            int colon = l.indexOf(':');
            headers.merge(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim(),
                    (a, b) -> a + ", " + b);
        }
        byte[] body;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (String size; (size = line(in)) != null; ) {
                int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (n == 0) {
                    break;
                }
                b.write(in.readNBytes(n));
                line(in);
            }
            body = b.toByteArray();
        } else if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else {
            body = in.readAllBytes();
        }
        return new Answer(status, headers, body);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != -1; ) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }
}
