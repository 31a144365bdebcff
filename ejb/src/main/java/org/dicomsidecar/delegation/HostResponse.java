package org.dicomsidecar.delegation;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.http.HttpConnection;
import org.apache.http.HttpEntity;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.protocol.HttpClientContext;
import org.apache.http.io.BufferInfo;

/** The host's answer, body still streaming. Close it to give the connection back to the pool. */
public final class HostResponse implements Closeable {

    /**
     * Bodies with a Content-Length below this go through HttpClient, which keeps the connection for the next
     * call; larger ones are read from the socket directly, and their connection is closed afterwards.
     */
    static final long DIRECT_MIN_LENGTH = RelayBuffers.SIZE;

    private final CloseableHttpResponse response;
    private final HttpClientContext context;
    private final RelayBuffers buffers;
    private final int readTimeoutMillis;
    private final List<Map.Entry<String, String>> headers;

    HostResponse(CloseableHttpResponse response, HttpClientContext context, RelayBuffers buffers,
                 int readTimeoutMillis) {
        this.response = response;
        this.context = context;
        this.buffers = buffers;
        this.readTimeoutMillis = readTimeoutMillis;
        this.headers = java.util.Arrays.stream(response.getAllHeaders())
                .map(h -> Map.entry(h.getName(), h.getValue())).toList();
    }

    public int status() {
        return response.getStatusLine().getStatusCode();
    }

    public List<Map.Entry<String, String>> headers() {
        return headers;
    }

    public String header(String name) {
        return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                .findFirst().orElse(null);
    }

    /** The body as it arrives; empty for answers without one. */
    public InputStream body() throws IOException {
        return response.getEntity() == null ? InputStream.nullInputStream() : response.getEntity().getContent();
    }

    /**
     * Sends the body, exactly as the host sent it (after any transfer coding), to {@code sink}, in pieces of
     * up to {@link RelayBuffers#SIZE} bytes, each written as soon as it has arrived. A body delimited by the
     * end of the connection, or by a Content-Length of at least {@link #DIRECT_MIN_LENGTH}, is read from the
     * socket straight into a direct buffer that is then written as it is: no copy in the JVM. Any other body
     * (chunked, short, or over TLS) is read through HttpClient. Use either this or {@link #body()}, once.
     *
     * @return the number of bytes sent
     * @throws SocketTimeoutException when the host sends nothing for the read time-out
     * @throws IOException when the host's connection breaks or the sink fails
     */
    public long transferBody(BodySink sink) throws IOException {
        HttpEntity entity = response.getEntity();
        if (entity == null) {
            return 0;
        }
        long length = entity.getContentLength();
        HttpConnection connection = context.getConnection();
        SocketChannel channel = entity.isChunked() || (length >= 0 && length < DIRECT_MIN_LENGTH)
                ? null : HostConnections.channel(connection);
        ByteBuffer buffer = buffers.acquire();
        try {
            return channel != null
                    ? transferFromChannel(entity.getContent(), channel, length, buffer, sink)
                    : transferFromStream(entity.getContent(), HostConnections.inputBuffer(connection), buffer, sink);
        } finally {
            buffers.release(buffer);
        }
    }

    /**
     * Through HttpClient's stream (it decodes chunks, counts the length and keeps the connection alive),
     * gathering what the connection has already read into one write, which goes out whenever the next read
     * could wait for the host. The stream is closed only once it has ended: closing it earlier would read the
     * rest of the body from the host, for nothing when the caller has gone; {@link #close()} then discards
     * the connection instead.
     *
     * @param received what the connection holds already read, or null to ask the stream (which, for a
     *                 chunked body, knows only about its current chunk)
     */
    private static long transferFromStream(InputStream in, BufferInfo received, ByteBuffer buffer, BodySink sink)
            throws IOException {
        byte[] chunk = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(chunk, 0, Math.min(chunk.length, buffer.remaining()))) != -1; ) {
            buffer.put(chunk, 0, n);
            total += n;
            if (!buffer.hasRemaining() || (received != null ? received.length() : in.available()) == 0) {
                flush(buffer, sink);
            }
        }
        flush(buffer, sink);
        in.close();
        return total;
    }

    /**
     * Straight from the socket: first what HttpClient has already read past the headers, then the rest from
     * the channel, until the Content-Length is reached or, without one, until the host closes. HttpClient's
     * own stream is never closed here (closing a Content-Length stream would try to read the rest again):
     * {@link #close()} discards the connection.
     */
    private long transferFromChannel(InputStream in, SocketChannel channel, long length, ByteBuffer buffer,
                                     BodySink sink) throws IOException {
        int buffered = in.available();
        if (buffered > 0) {
            byte[] head = new byte[Math.min(buffered, buffer.capacity())];
            int n = in.read(head);
            if (n > 0) {
                buffer.put(head, 0, n);
            }
        }
        long total = buffer.position();
        channel.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_READ);
            boolean waiting = false; // the socket is empty and everything received has been sent
            long waitingSince = 0;
            while (length < 0 || total < length) {
                if (length >= 0) {
                    buffer.limit((int) Math.min(buffer.capacity(), buffer.position() + (length - total)));
                }
                int n = channel.read(buffer);
                if (n > 0) {
                    total += n;
                    waiting = false;
                    if (!buffer.hasRemaining()) {
                        flush(buffer, sink);
                    }
                } else if (n < 0) {
                    if (length >= 0) {
                        throw new EOFException("the host closed the connection after " + total + " of "
                                + length + " bytes");
                    }
                    break;
                } else if (buffer.position() > 0) {
                    // the socket holds nothing more for now: send all that came, in one write, and read on
                    flush(buffer, sink);
                } else {
                    // the host's silence counts from here: time spent writing to a slow caller does not
                    if (!waiting) {
                        waiting = true;
                        waitingSince = System.nanoTime();
                    }
                    awaitData(selector, waitingSince);
                }
            }
            flush(buffer, sink);
        } finally {
            // the selector is closed, so the channel is no longer registered: back to blocking mode, which
            // HttpClient's streams on this socket expect while they close the connection
            if (channel.isOpen()) {
                try {
                    channel.configureBlocking(true);
                } catch (IOException e) {
                    // the connection is discarded on close anyway
                }
            }
        }
        return total;
    }

    /** Waits for the socket to be readable, up to the read time-out counted from {@code since}. */
    private void awaitData(Selector selector, long since) throws IOException {
        long left = readTimeoutMillis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
        if (readTimeoutMillis > 0 && left <= 0) {
            throw new SocketTimeoutException("the host sent nothing for " + readTimeoutMillis + " ms");
        }
        selector.select(readTimeoutMillis > 0 ? left : 0);
        selector.selectedKeys().clear();
    }

    private static void flush(ByteBuffer buffer, BodySink sink) throws IOException {
        if (buffer.position() > 0) {
            buffer.flip();
            sink.write(buffer);
        }
        buffer.clear();
    }

    @Override
    public void close() throws IOException {
        response.close();
    }
}
