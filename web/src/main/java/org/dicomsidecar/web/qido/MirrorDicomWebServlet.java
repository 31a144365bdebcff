package org.dicomsidecar.web.qido;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.dicomsidecar.query.QueryException;
import org.dicomsidecar.query.QueryTimeoutException;
import org.dicomsidecar.couchdb.CouchUnavailableException;
import org.dicomsidecar.qido.MirrorQidoService;
import org.dicomsidecar.qido.QidoQuery;
import org.dicomsidecar.qido.QidoRequest;
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
    private static final Logger LOG = Logger.getLogger(MirrorDicomWebServlet.class.getName());

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
        try {
            QidoQuery q = r.query(QidoRequest.parameters(target.query()));
            var answer = qido.query(q, sidecarDicomWebBase(req, PREFIX));
            resp.setStatus(200);
            resp.setContentType("application/dicom+json");
            resp.getOutputStream().write(answer.toString().getBytes(StandardCharsets.UTF_8));
        } catch (QueryException e) {
            sendError(resp, 400, "invalid-query", e.getMessage());
        } catch (QueryTimeoutException e) {
            sendError(resp, 503, "query-timeout", e.getMessage());
        } catch (CouchUnavailableException e) {
            sendError(resp, 503, "couchdb-unavailable", e.getMessage());
        } catch (RuntimeException e) {
            // the class and where, not the message: it may quote the query's values (patient data)
            LOG.log(Level.SEVERE, "Mirror QIDO-RS failed: {0} at {1}", new Object[] {e.getClass().getName(),
                    e.getStackTrace().length > 0 ? e.getStackTrace()[0] : "?"});
            sendError(resp, 500, "internal-error", e.getClass().getSimpleName() + ": see the server log");
        }
    }
}
