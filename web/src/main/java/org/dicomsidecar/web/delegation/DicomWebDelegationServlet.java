package org.dicomsidecar.web.delegation;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import org.dicomsidecar.admin.Setting;
import org.dicomsidecar.admin.SidecarSettings;
import org.dicomsidecar.delegation.DelegatedRequest;
import org.dicomsidecar.delegation.ForwardedHeaders;
import org.dicomsidecar.delegation.HostDicomWebClient;
import org.dicomsidecar.delegation.HostResponse;
import org.dicomsidecar.delegation.HostUnavailableException;
import org.dicomsidecar.delegation.HostUrlRewriter;
import org.dicomsidecar.mirror.DelegatedChanges;
import org.dicomsidecar.web.JsonError;

/**
 * {@code /sidecar/dicomweb/*}: standard DICOMweb (QIDO-RS, WADO-RS, STOW-RS) passed to the host archive.
 * A servlet rather than a JAX-RS resource so that nothing (content negotiation, entity providers) stands
 * between the caller and the host: bodies stream both ways and headers cross as the allow-lists say.
 */
@WebServlet(urlPatterns = "/dicomweb/*")
public class DicomWebDelegationServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(DicomWebDelegationServlet.class.getName());
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS");
    private static final String PREFIX = "/dicomweb";
    /** One buffer per worker thread for bodies that are rewritten or kept, allocated once: no garbage per request. */
    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[64 * 1024]);

    @Inject
    transient HostDicomWebClient host;

    @Inject
    transient SidecarSettings settings;

    @Inject
    transient DelegatedChanges changes;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        delegate(req, resp, PREFIX);
    }

    /** Passes the call to the host; {@code prefix} is where this DICOMweb root is mounted in the WAR. */
    protected void delegate(HttpServletRequest req, HttpServletResponse resp, String prefix) throws IOException {
        String method = req.getMethod();
        if (!METHODS.contains(method)) {
            sendError(resp, 405, "method-not-allowed", method + " is not a DICOMweb method");
            return;
        }
        String path = req.getRequestURI().substring(req.getContextPath().length() + prefix.length());
        boolean hasBody = "POST".equals(method) || "PUT".equals(method);
        DelegatedRequest request = new DelegatedRequest(method, path, req.getQueryString(), headers(req),
                hasBody ? req.getInputStream() : null, hasBody ? req.getContentLengthLong() : -1);
        HostUrlRewriter rewriter = new HostUrlRewriter(host.hostBaseUrls(), sidecarDicomWebBase(req, prefix));
        boolean stow = DelegatedChanges.isStow(method, path);
        try (HostResponse answer = host.forward(request)) {
            ByteArrayOutputStream copy = stow && answer.status() / 100 == 2 ? new ByteArrayOutputStream() : null;
            relay(answer, rewriter, "HEAD".equals(method), resp, copy);
            if (copy != null) {
                changes.stored(path, answer.header("Content-Type"), copy.toByteArray());
            } else if (DelegatedChanges.isDelete(method, path) && answer.status() / 100 == 2) {
                changes.deleted(path);
            }
        } catch (HostUnavailableException e) {
            LOG.warning(() -> method + " delegated to the host failed: " + e.getMessage());
            if (resp.isCommitted()) {
                throw new IOException("host failed after the answer had started", e);
            }
            sendError(resp, e.status(), e.code(), e.getMessage());
        }
    }

    /** Sends the host's answer to the caller; {@code copy}, if given, keeps the host's bytes (up to a cap). */
    private static void relay(HostResponse answer, HostUrlRewriter rewriter, boolean head, HttpServletResponse resp,
                              ByteArrayOutputStream copy) throws IOException {
        resp.setStatus(answer.status());
        boolean rewrite = HostUrlRewriter.isRewritable(answer.header("Content-Type"), answer.header("Content-Encoding"));
        for (Map.Entry<String, String> h : answer.headers()) {
            if (ForwardedHeaders.toCaller(h.getKey())) {
                String value = ForwardedHeaders.holdsUrl(h.getKey()) ? rewriter.rewrite(h.getValue()) : h.getValue();
                resp.addHeader(h.getKey(), value);
            }
        }
        String length = answer.header("Content-Length");
        if (length != null && (!rewrite || head)) {
            resp.setHeader("Content-Length", length); // a rewritten body changes length: it goes chunked
        }
        if (head) {
            return;
        }
        if (!rewrite && copy == null) {
            // DICOM, pixel data, bulk data: passed through untouched, buffer by buffer
            try (OutputStream out = resp.getOutputStream()) {
                answer.transferBody(ByteBufferOutput.of(out));
            }
            return;
        }
        try (InputStream in = answer.body();
             OutputStream out = rewrite ? rewriter.rewriting(resp.getOutputStream()) : resp.getOutputStream()) {
            byte[] buffer = BUFFER.get();
            for (int n; (n = in.read(buffer)) != -1; ) {
                out.write(buffer, 0, n);
                if (copy != null && copy.size() + n <= DelegatedChanges.MAX_CAPTURE) {
                    copy.write(buffer, 0, n);
                }
            }
        }
    }

    /** The DICOMweb base as the caller sees it: the configured public URL, or the request's own. */
    protected String sidecarDicomWebBase(HttpServletRequest req, String prefix) {
        return settings.optional(Setting.PUBLIC_BASE_URL)
                .map(base -> (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + prefix)
                .orElseGet(() -> {
                    String hostHeader = req.getHeader("Host");
                    String authority = hostHeader != null ? hostHeader : req.getServerName() + ":" + req.getServerPort();
                    return req.getScheme() + "://" + authority + req.getContextPath() + prefix;
                });
    }

    private static Map<String, List<String>> headers(HttpServletRequest req) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(req.getHeaderNames())) {
            headers.put(name, Collections.list(req.getHeaders(name)));
        }
        return headers;
    }

    protected static void sendError(HttpServletResponse resp, int status, String error, String message) throws IOException {
        resp.reset();
        resp.setStatus(status);
        resp.setContentType("application/json");
        resp.getOutputStream().write(JsonError.of(status, error, message).toString().getBytes(StandardCharsets.UTF_8));
    }
}
