package org.dicomsidecar.web.qido;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dicomsidecar.cohorts.CohortQuery.Level;
import org.dicomsidecar.cohorts.QueryException;
import org.dicomsidecar.qido.MirrorQidoService;
import org.dicomsidecar.qido.QidoQuery;
import org.dicomsidecar.web.delegation.DicomWebDelegationServlet;

/**
 * {@code /sidecar/mirror/dicomweb/*}: QIDO-RS answered from the mirror on any attribute; everything else
 * (WADO-RS, STOW-RS) delegated to the host like {@code /sidecar/dicomweb}. A DICOMweb client or viewer
 * pointed here gets cohort power without a new API.
 */
@WebServlet(urlPatterns = "/mirror/dicomweb/*")
public class MirrorDicomWebServlet extends DicomWebDelegationServlet {

    private static final long serialVersionUID = 1L;
    private static final String PREFIX = "/mirror/dicomweb";
    private static final Pattern QIDO = Pattern.compile(
            "^/(?:studies/([0-9.]+)/)?(?:series/([0-9.]+)/)?(studies|series|instances)/?$");

    @Inject
    transient MirrorQidoService qido;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getRequestURI().substring(req.getContextPath().length() + PREFIX.length());
        Matcher m = QIDO.matcher(path);
        if (!"GET".equals(req.getMethod()) || !m.matches() || !validScope(m)) {
            delegate(req, resp, PREFIX);
            return;
        }
        String accept = req.getHeader("Accept");
        if (accept != null && !accept.isBlank() && !accept.contains("json") && !accept.contains("*/*")) {
            sendError(resp, 406, "not-acceptable", "the mirror answers QIDO-RS as application/dicom+json");
            return;
        }
        Level level = switch (m.group(3)) {
            case "studies" -> Level.STUDY;
            case "series" -> Level.SERIES;
            default -> Level.INSTANCE;
        };
        try {
            QidoQuery q = QidoQuery.parse(level, m.group(1), m.group(2), params(req.getQueryString()));
            var answer = qido.query(q, sidecarDicomWebBase(req, PREFIX), m.group(1) != null, m.group(2) != null);
            resp.setStatus(200);
            resp.setContentType("application/dicom+json");
            resp.getOutputStream().write(answer.toString().getBytes(StandardCharsets.UTF_8));
        } catch (QueryException e) {
            sendError(resp, 400, "invalid-query", e.getMessage());
        }
    }

    /** studies/{s}/studies or series/{se}/... without a study are not QIDO paths. */
    private static boolean validScope(Matcher m) {
        String target = m.group(3);
        if (m.group(2) != null && (m.group(1) == null || !target.equals("instances"))) {
            return false;
        }
        return m.group(1) == null || !target.equals("studies");
    }

    private static Map<String, List<String>> params(String query) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return out;
        }
        for (String pair : query.split("&")) {
            String[] kv = pair.split("=", 2);
            String key = URLDecoder.decode(kv[0], StandardCharsets.UTF_8);
            String value = kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "";
            if (!key.isEmpty()) {
                out.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
            }
        }
        return out;
    }
}
