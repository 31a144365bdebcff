package org.dicomsidecar.web;

import jakarta.json.JsonObject;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Collects one request body as the container offers it (non-blocking), up to a size cap and within the
 * async context's time-out, then dispatches the request again with the bytes attached for
 * {@link ApiBodyFilter}. Whichever comes first of the end of the body, too many bytes, a read error and the
 * time-out decides the outcome; the others then do nothing.
 */
final class BodyReceiver implements ReadListener, AsyncListener {

    private static final Logger LOG = Logger.getLogger(BodyReceiver.class.getName());
    private static final String RECEIVED = BodyReceiver.class.getName() + ".body";

    private final AsyncContext async;
    private final ServletInputStream in;
    private final long maxBytes;
    private final String limit;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final byte[] buffer = new byte[16 * 1024];
    private final AtomicBoolean decided = new AtomicBoolean();

    BodyReceiver(AsyncContext async, ServletInputStream in, long maxBytes, String limit) {
        this.async = async;
        this.in = in;
        this.maxBytes = maxBytes;
        this.limit = limit;
    }

    /** The body received for this request on an earlier pass, if any (taken once). */
    static byte[] take(HttpServletRequest request) {
        Object body = request.getAttribute(RECEIVED);
        if (body != null) {
            request.removeAttribute(RECEIVED);
        }
        return (byte[]) body;
    }

    static JsonObject tooLarge(long maxBytes, String limit) {
        return JsonError.of(413, "too-large", "body: larger than " + maxBytes + " bytes (" + limit + ")");
    }

    /** Answers an error and closes the connection: the rest of the body is not worth reading. */
    static void refuse(HttpServletResponse response, JsonObject error) throws IOException {
        response.setHeader("Connection", "close");
        JsonError.write(response, error);
    }

    @Override
    public void onDataAvailable() throws IOException {
        while (in.isReady() && !decided.get()) {
            int n = in.read(buffer);
            if (n == -1) {
                return;
            }
            if (body.size() + n > maxBytes) {
                decide(tooLarge(maxBytes, limit));
                return;
            }
            body.write(buffer, 0, n);
        }
    }

    @Override
    public void onAllDataRead() {
        if (decided.compareAndSet(false, true)) {
            async.getRequest().setAttribute(RECEIVED, body.toByteArray());
            async.dispatch();
        }
    }

    @Override
    public void onError(Throwable t) {
        LOG.log(Level.FINE, "reading a request body failed", t);
        decide(JsonError.of(400, "body-unreadable", "body: the connection failed while it was read"));
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        // answered here, on the container's thread: a time-out not completed before this returns becomes a 500
        if (decided.compareAndSet(false, true)) {
            answer(JsonError.of(408, "body-timeout", "body: not received completely within "
                    + async.getTimeout() + " ms (sidecar.api.body-timeout-ms)"));
        }
    }

    @Override
    public void onError(AsyncEvent event) {
        decide(null);
    }

    @Override
    public void onComplete(AsyncEvent event) {
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
    }

    /**
     * Ends the request with this error (null: without an answer) on a container thread: read callbacks may come
     * on the I/O thread, which must not write.
     */
    private void decide(JsonObject error) {
        if (decided.compareAndSet(false, true)) {
            async.start(() -> answer(error));
        }
    }

    private void answer(JsonObject error) {
        try {
            if (error != null) {
                refuse((HttpServletResponse) async.getResponse(), error);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "answering a refused request body failed", e);
        } finally {
            async.complete();
        }
    }
}
