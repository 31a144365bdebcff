package org.dicomsidecar.web.delegation;

import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import org.dicomsidecar.config.SidecarSettings;
import org.dicomsidecar.delegation.DelegatedRequest;
import org.dicomsidecar.delegation.DicomWebPath;
import org.dicomsidecar.delegation.DicomWebQuery;
import org.dicomsidecar.delegation.ForwardedHeaders;
import org.dicomsidecar.delegation.HostDicomWebClient;
import org.dicomsidecar.delegation.HostResponse;
import org.dicomsidecar.delegation.HostUnavailableException;
import org.dicomsidecar.delegation.HostUrlRewriter;
import org.dicomsidecar.delegation.RefusedRequestException;
import org.dicomsidecar.mirror.DelegatedChanges;
import org.dicomsidecar.web.JsonError;
import org.dicomsidecar.web.LoggedFailure;
import org.dicomsidecar.web.PublicBaseUrl;

/**
 * {@code /sidecar/dicomweb/*}: standard DICOMweb (QIDO-RS, WADO-RS, STOW-RS) passed to the host archive.
 * A servlet rather than a JAX-RS resource so that nothing (content negotiation, entity providers) stands
 * between the caller and the host: bodies stream both ways and headers cross as the allow-lists say.
 * Only normalised PS3.18 paths reach the host ({@link DicomWebPath}): the host's native API usually shares
 * its port, and nothing else of it must be reachable through the sidecar.
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
        Target target = checkedTarget(req, resp, PREFIX);
        if (target != null) {
            delegate(req, resp, PREFIX, target);
        }
    }

    /**
     * Where a request goes below this DICOMweb root: its normalised path and query. Null when the request was
     * refused (and answered here, never forwarded): a method DICOMweb does not use, a path that is malformed or
     * names no DICOMweb resource, a query with control characters.
     */
    protected static Target checkedTarget(HttpServletRequest req, HttpServletResponse resp, String prefix)
            throws IOException {
        String method = req.getMethod();
        if (!METHODS.contains(method)) {
            sendError(resp, 405, "method-not-allowed", method + " is not a DICOMweb method");
            return null;
        }
        try {
            return new Target(DicomWebPath.parse(method, rawPathBelow(req, prefix)),
                    DicomWebQuery.normalise(req.getQueryString()));
        } catch (RefusedRequestException e) {
            sendError(resp, e.status(), e.error(), e.getMessage());
            return null;
        }
    }

    /**
     * The request path below this root, as the request line carried it (still encoded). The container routes a
     * request here after normalising its own copy of the path ("/sidecar/x/../dicomweb/..."), so the raw path
     * must start with the root exactly as written.
     */
    private static String rawPathBelow(HttpServletRequest req, String prefix) throws RefusedRequestException {
        String raw = req.getRequestURI();
        String root = req.getContextPath() + prefix;
        if (raw == null || !raw.startsWith(root)
                || (raw.length() > root.length() && raw.charAt(root.length()) != '/')) {
            throw new RefusedRequestException(400, "invalid-path",
                    "the request path must start with " + root + "/ as written, without dot segments or escapes");
        }
        return raw.substring(root.length());
    }

    /** Passes the call to the host; {@code prefix} is where this DICOMweb root is mounted in the WAR. */
    protected void delegate(HttpServletRequest req, HttpServletResponse resp, String prefix, Target target)
            throws IOException {
        String method = req.getMethod();
        String path = target.path();
        boolean hasBody = "POST".equals(method) || "PUT".equals(method);
        DelegatedRequest request = new DelegatedRequest(method, path, target.query(), headers(req),
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
            // the code and the causes' classes: the message (sent to the caller) may quote a library's exception,
            // and those can quote the request's URL, query included
            LOG.warning(() -> method + " delegated to the host failed: " + e.status() + " " + e.code() + " "
                    + LoggedFailure.classes(e.getCause()));
            if (resp.isCommitted()) {
                throw new IOException("host failed after the answer had started", e);
            }
            sendError(resp, e.status(), e.code(), e.getMessage());
        }
    }

    /**
     * A checked request's destination below the DICOMweb root.
     *
     * @param path normalised path, e.g. "/studies/1.2.3/metadata"
     * @param query normalised query string, or null
     */
    protected record Target(String path, String query) {
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

    /** The DICOMweb base as the caller sees it: see {@link PublicBaseUrl}. */
    protected String sidecarDicomWebBase(HttpServletRequest req, String prefix) {
        return PublicBaseUrl.of(req, settings) + prefix;
    }

    private static Map<String, List<String>> headers(HttpServletRequest req) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(req.getHeaderNames())) {
            headers.put(name, Collections.list(req.getHeaders(name)));
        }
        return headers;
    }

    protected static void sendError(HttpServletResponse resp, int status, String error, String message) throws IOException {
        sendError(resp, JsonError.of(status, error, message));
    }

    /** Answers a JSON error ({@link JsonError}'s shape), with its status. */
    protected static void sendError(HttpServletResponse resp, JsonObject error) throws IOException {
        resp.reset();
        JsonError.write(resp, error);
    }
}
