package org.dicomsidecar.web;

import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.AbstractServerConnection;
import io.undertow.server.ServerConnection;
import io.undertow.servlet.handlers.ServletRequestContext;
import java.io.IOException;
import org.xnio.IoUtils;

/**
 * Tells whether the client of a suspended request has closed its connection. Undertow notices a closed
 * connection only when it reads or writes, and it does neither while a request waits (no AsyncListener
 * callback comes), so {@link #gone()} asks the connection's I/O thread for a non-blocking read: end of stream
 * or a reset closes the connection, bytes the client already sent (a pipelined request) are handed back.
 */
public final class ClientConnection {

    private final ServerConnection connection;

    private ClientConnection(ServerConnection connection) {
        this.connection = connection;
    }

    /** The connection of the request this thread serves (a stand-in that never goes outside Undertow). */
    public static ClientConnection current() {
        ServletRequestContext context = ServletRequestContext.current();
        return new ClientConnection(context == null ? null : context.getExchange().getConnection());
    }

    /** True once the connection is closed; otherwise starts a check whose outcome the next call sees. */
    public boolean gone() {
        if (connection == null) {
            return false;
        }
        if (!connection.isOpen()) {
            return true;
        }
        if (connection instanceof AbstractServerConnection http1) {
            http1.getIoThread().execute(() -> peek(http1));
        }
        return false;
    }

    private static void peek(AbstractServerConnection connection) {
        if (!connection.isOpen() || connection.getExtraBytes() != null) {
            return; // closed already, or bytes of a next request wait: the client is there
        }
        PooledByteBuffer pooled = connection.getByteBufferPool().allocate();
        boolean kept = false;
        try {
            int read = connection.getOriginalSourceConduit().read(pooled.getBuffer());
            if (read == -1) {
                IoUtils.safeClose(connection);
            } else if (read > 0) {
                pooled.getBuffer().flip();
                connection.setExtraBytes(pooled); // parsed as the next request, as if never read here
                kept = true;
            }
        } catch (IOException e) {
            IoUtils.safeClose(connection);
        } finally {
            if (!kept) {
                pooled.close();
            }
        }
    }
}
