package org.dicomsidecar.web;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One line per request in the logger category {@value #CATEGORY} ({@link AuditLine}'s format), written when the
 * answer is complete: at once for an ordinary request, at the end of the async cycle for a long-poll or a body
 * read without blocking. First in the chain, so that it also sees the requests later filters refuse.
 */
@WebFilter(filterName = "AuditFilter", urlPatterns = "/*", asyncSupported = true)
public class AuditFilter implements Filter {

    public static final String CATEGORY = "org.dicomsidecar.audit";
    /** Set by the access check to the configured role that let the request in; unset when access is open. */
    public static final String ROLE_ATTRIBUTE = "org.dicomsidecar.access.role";
    private static final Logger AUDIT = Logger.getLogger(CATEGORY);

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        Entry entry = new Entry(request, response, System.nanoTime());
        Request audited = new Request(request, entry);
        boolean escaped = true;
        try {
            chain.doFilter(audited, response);
            escaped = false;
        } finally {
            if (!audited.asyncStarted) {
                entry.write(escaped); // an exception on its way to the container, which answers 500
            }
        }
    }

    /** Follows the request into asynchronous processing, however early (and on whichever thread) it completes. */
    private static final class Request extends HttpServletRequestWrapper {

        private final Entry entry;
        private volatile boolean asyncStarted;

        Request(HttpServletRequest request, Entry entry) {
            super(request);
            this.entry = entry;
        }

        @Override
        public AsyncContext startAsync() {
            AsyncContext async = super.startAsync();
            started(async);
            return async;
        }

        @Override
        public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
            AsyncContext async = super.startAsync(request, response);
            started(async);
            return async;
        }

        private void started(AsyncContext async) {
            if (!asyncStarted) {
                asyncStarted = true;
                async.addListener(entry);
            }
        }
    }

    /** One request, logged once: when it completes, times out or fails, whichever the container reports first. */
    private static final class Entry implements AsyncListener {

        private final HttpServletRequest request;
        private final HttpServletResponse response;
        private final long start;
        private final AtomicBoolean written = new AtomicBoolean();

        Entry(HttpServletRequest request, HttpServletResponse response, long start) {
            this.request = request;
            this.response = response;
            this.start = start;
        }

        void write(boolean failed) {
            if (!AUDIT.isLoggable(Level.INFO) || !written.compareAndSet(false, true)) {
                return;
            }
            try {
                Principal caller = request.getUserPrincipal();
                Object role = request.getAttribute(ROLE_ATTRIBUTE);
                int status = failed && response.getStatus() < 400 ? 500 : response.getStatus();
                AUDIT.info(AuditLine.format(caller == null ? null : caller.getName(), role == null ? null : role.toString(),
                        request.getMethod(), request.getRequestURI(), status, (System.nanoTime() - start) / 1_000_000,
                        request.getRemoteAddr()));
            } catch (RuntimeException e) {
                // a request the container has already recycled: say so rather than lose the line silently
                AUDIT.warning(() -> "audit line not written: " + e.getClass().getName());
            }
        }

        @Override
        public void onComplete(AsyncEvent event) {
            write(false);
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            // the container answers a timed-out cycle itself once every listener has run (500 unless one answered)
        }

        @Override
        public void onError(AsyncEvent event) {
            // onComplete follows
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // a new async cycle on the same request (a body read, then a long-poll) drops its listeners: stay
            event.getAsyncContext().addListener(this);
        }
    }
}
