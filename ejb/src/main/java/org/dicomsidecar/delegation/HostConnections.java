package org.dicomsidecar.delegation;

import java.io.IOException;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.http.HttpConnection;
import org.apache.http.config.ConnectionConfig;
import org.apache.http.config.RegistryBuilder;
import org.apache.http.conn.HttpConnectionFactory;
import org.apache.http.conn.ManagedHttpClientConnection;
import org.apache.http.conn.routing.HttpRoute;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.conn.socket.PlainConnectionSocketFactory;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;
import org.apache.http.impl.conn.DefaultHttpResponseParserFactory;
import org.apache.http.impl.conn.DefaultManagedHttpClientConnection;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;
import org.apache.http.io.BufferInfo;
import org.apache.http.protocol.HttpContext;

/**
 * HttpClient's connections to the host, made so that large bodies cross cheaply:
 * <ul>
 * <li>plain sockets have a channel ({@code SocketChannel}'s socket adaptor, which HttpClient uses as any
 * socket, time-outs included), so that {@link HostResponse#transferBody} can read a body from the socket
 * straight into a direct buffer;</li>
 * <li>each connection reads the socket in pieces of up to {@link #BUFFER_SIZE} (HttpClient's default is 8 KiB,
 * which for a chunked body meant several reads per chunk), and tells how much it holds already read, so that
 * a relay through HttpClient writes only when it would otherwise wait for the host (a chunked body's own
 * stream tells only about its current chunk).</li>
 * </ul>
 * Differences from HttpClient's default connection factory: no wire and header logging
 * ({@code org.apache.http.wire}/{@code headers} at DEBUG), no charset other than ASCII for headers.
 */
final class HostConnections {

    /** The size of each connection's read and write buffers (heap, twice per connection). */
    static final int BUFFER_SIZE = 256 * 1024;

    private static final String INPUT_BUFFER = HostConnections.class.getName() + ".input-buffer";
    private static final AtomicLong COUNTER = new AtomicLong();

    private HostConnections() {
    }

    static PoolingHttpClientConnectionManager pool() {
        PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager(
                RegistryBuilder.<ConnectionSocketFactory>create()
                        .register("http", new ChannelSocketFactory())
                        .register("https", SSLConnectionSocketFactory.getSocketFactory())
                        .build(),
                new ConnectionFactory());
        pool.setDefaultConnectionConfig(ConnectionConfig.custom().setBufferSize(BUFFER_SIZE).build());
        return pool;
    }

    /** The socket's channel, if the connection is open and its socket has one (plain HTTP). */
    static SocketChannel channel(HttpConnection connection) {
        if (!(connection instanceof ManagedHttpClientConnection managed) || !managed.isOpen()) {
            return null;
        }
        Socket socket = managed.getSocket();
        return socket == null ? null : socket.getChannel();
    }

    /** What the connection holds already read from its socket, or null if it does not tell. */
    static BufferInfo inputBuffer(HttpConnection connection) {
        Object buffer = connection instanceof HttpContext context && connection.isOpen()
                ? context.getAttribute(INPUT_BUFFER) : null;
        return buffer instanceof BufferInfo info ? info : null;
    }

    private static final class ChannelSocketFactory extends PlainConnectionSocketFactory {
        @Override
        public Socket createSocket(HttpContext context) throws IOException {
            return SocketChannel.open().socket();
        }
    }

    /** HttpClient's own connection class with its defaults, naming its input buffer as an attribute. */
    private static final class ConnectionFactory implements HttpConnectionFactory<HttpRoute, ManagedHttpClientConnection> {
        @Override
        public ManagedHttpClientConnection create(HttpRoute route, ConnectionConfig config) {
            ConnectionConfig c = config != null ? config : ConnectionConfig.DEFAULT;
            return new DefaultManagedHttpClientConnection("sidecar-host-" + COUNTER.getAndIncrement(),
                    c.getBufferSize(), c.getFragmentSizeHint(), null, null, c.getMessageConstraints(),
                    null, null, null, DefaultHttpResponseParserFactory.INSTANCE) {
                @Override
                public Object getAttribute(String id) {
                    return INPUT_BUFFER.equals(id) ? getSessionInputBuffer() : super.getAttribute(id);
                }
            };
        }
    }
}
