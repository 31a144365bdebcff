package org.dicomsidecar.web;

import jakarta.inject.Inject;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.dicomsidecar.config.Setting;
import org.dicomsidecar.config.SidecarSettings;

/**
 * Receives the (JSON, size-capped) request bodies of the sidecar's own API before the API sees them, with
 * non-blocking reads and no worker thread held while the client is slow: a body over the cap is refused with
 * 413, one not complete within {@code sidecar.api.body-timeout-ms} with 408. A complete body is handed to the
 * API in memory on an async dispatch. (DICOMweb bodies, STOW-RS included, stream to the host and are not here.)
 */
@WebFilter(filterName = "ApiBodyFilter", urlPatterns = "/api/*", asyncSupported = true,
        dispatcherTypes = {DispatcherType.REQUEST, DispatcherType.ASYNC})
public class ApiBodyFilter implements Filter {

    @Inject
    SidecarSettings settings;

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        byte[] received = BodyReceiver.take(request);
        if (received != null) {
            chain.doFilter(new ReceivedBodyRequest(request, received), response);
            return;
        }
        if (request.getDispatcherType() != DispatcherType.REQUEST || !hasBody(request)) {
            chain.doFilter(request, response);
            return;
        }
        boolean notification = isNotification(request);
        long maxBytes = notification ? settings.getLong(Setting.EVENTS_MAX_BODY_BYTES) : ApiBodies.LARGEST_OPERATION_BYTES;
        String limit = notification ? "sidecar.events.max-body-bytes"
                : "the most any operation of the API but the notification receivers takes";
        if (request.getContentLengthLong() > maxBytes) {
            BodyReceiver.refuse(response, BodyReceiver.tooLarge(maxBytes, limit));
            return;
        }
        AsyncContext async = request.startAsync();
        async.setTimeout(settings.getLong(Setting.API_BODY_TIMEOUT_MS));
        BodyReceiver receiver = new BodyReceiver(async, request.getInputStream(), maxBytes, limit);
        async.addListener(receiver);
        request.getInputStream().setReadListener(receiver);
    }

    /** The stored-instance receivers, whose bodies (a large study's UPS workitem) have a limit of their own. */
    private static boolean isNotification(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return path.startsWith("/api/events/") || path.startsWith("/api/ups/") || path.startsWith("/api/fhir/");
    }

    private static boolean hasBody(HttpServletRequest request) {
        return request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
    }
}
