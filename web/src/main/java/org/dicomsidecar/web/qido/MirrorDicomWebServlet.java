package org.dicomsidecar.web.qido;

import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.dicomsidecar.qido.MirrorQidoService;
import org.dicomsidecar.qido.QidoAnswer;
import org.dicomsidecar.qido.QidoQuery;
import org.dicomsidecar.qido.QidoRequest;
import org.dicomsidecar.web.JsonExceptionMapper;
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

    @Inject
    transient MirrorQidoService qido;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Target target = checkedTarget(req, resp, PREFIX);
        if (target == null) {
            return;
        }
        Optional<QidoRequest> qidoRequest =
                "GET".equals(req.getMethod()) ? QidoRequest.of(target.path()) : Optional.empty();
        if (qidoRequest.isEmpty()) {
            delegate(req, resp, PREFIX, target);
            return;
        }
        String accept = req.getHeader("Accept");
        if (accept != null && !accept.isBlank() && !accept.contains("json") && !accept.contains("*/*")) {
            sendError(resp, 406, "not-acceptable", "the mirror answers QIDO-RS as application/dicom+json");
            return;
        }
        QidoRequest r = qidoRequest.get();
        QidoAnswer answer;
        try {
            QidoQuery q = r.query(QidoRequest.parameters(target.query()));
            answer = qido.query(q, sidecarDicomWebBase(req, PREFIX));
        } catch (RuntimeException e) {
            // the API's own mapping: 400 invalid-query, 503 query-timeout or couchdb-unavailable, else a 500
            // logged without the message (it may quote the query's values)
            sendError(resp, (JsonObject) new JsonExceptionMapper().toResponse(e).getEntity());
            return;
        }
        resp.setStatus(200);
        resp.setContentType("application/dicom+json");
        // the rows' stored JSON is spliced, not parsed and written again; a caller that goes away while it is
        // written ends the request as an I/O failure of its own, not as a failed query
        java.io.Writer out = new java.io.BufferedWriter(
                new java.io.OutputStreamWriter(resp.getOutputStream(), StandardCharsets.UTF_8), 1 << 16);
        try {
            answer.writeTo(out);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        out.flush();
    }
}
