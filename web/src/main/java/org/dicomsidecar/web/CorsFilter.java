package org.dicomsidecar.web;

import jakarta.inject.Inject;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.util.Optional;
import org.dicomsidecar.config.Setting;
import org.dicomsidecar.config.SidecarSettings;

/**
 * CORS for the whole WAR (the API and both DICOMweb bases), answered by the sidecar itself: a preflight is
 * answered here and never reaches a servlet (nor the host archive, which would answer its own OPTIONS, or
 * none); an actual request from an allowed origin gets its headers before anything else runs, so that they are
 * on every answer, errors and long-polls included. Before the access check: a preflight carries no token.
 */
@WebFilter(filterName = "CorsFilter", urlPatterns = "/*", asyncSupported = true,
        dispatcherTypes = {DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR})
public class CorsFilter implements Filter {

    @Inject
    SidecarSettings settings;

    private CorsPolicy policy;

    @Override
    public void init(FilterConfig config) {
        policy = CorsPolicy.of(settings.list(Setting.CORS_ALLOWED_ORIGINS));
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        if (!policy.enabled()) {
            chain.doFilter(request, response);
            return;
        }
        Optional<String> origin = policy.allowedOrigin(request.getHeader("Origin"));
        if (request.getDispatcherType() == DispatcherType.REQUEST && isPreflight(request)) {
            answerPreflight(request, response, origin);
            return;
        }
        CorsHeaders headers = new CorsHeaders(origin.orElse(null));
        headers.applyTo(response);
        chain.doFilter(request, new Response(response, headers));
    }

    private static boolean isPreflight(HttpServletRequest request) {
        return "OPTIONS".equals(request.getMethod()) && request.getHeader("Origin") != null
                && request.getHeader("Access-Control-Request-Method") != null;
    }

    private static void answerPreflight(HttpServletRequest request, HttpServletResponse response, Optional<String> origin)
            throws IOException {
        response.setHeader("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
        if (origin.isEmpty()) {
            refuse(response, "cors-origin-not-allowed",
                    "this origin is not in sidecar.cors.allowed-origins (or is not a well-formed origin)");
            return;
        }
        if (!CorsPolicy.isAllowedMethod(request.getHeader("Access-Control-Request-Method"))) {
            refuse(response, "cors-method-not-allowed", "the sidecar serves " + CorsPolicy.ALLOW_METHODS + " only");
            return;
        }
        response.setStatus(204);
        response.setHeader("Access-Control-Allow-Origin", origin.get());
        response.setHeader("Access-Control-Allow-Methods", CorsPolicy.ALLOW_METHODS);
        response.setHeader("Access-Control-Allow-Headers", CorsPolicy.ALLOW_HEADERS);
        response.setHeader("Access-Control-Max-Age", CorsPolicy.MAX_AGE);
    }

    private static void refuse(HttpServletResponse response, String code, String message) throws IOException {
        JsonError.write(response, JsonError.of(403, code, message));
    }

    /** What an actual request's answer carries: Vary always (the answer depends on Origin), the rest if allowed. */
    private record CorsHeaders(String allowedOrigin) {

        void applyTo(HttpServletResponse response) {
            if (response.getHeaders("Vary").stream().noneMatch(v -> v.contains("Origin"))) {
                response.addHeader("Vary", "Origin");
            }
            if (allowedOrigin != null) {
                response.setHeader("Access-Control-Allow-Origin", allowedOrigin);
                response.setHeader("Access-Control-Expose-Headers", CorsPolicy.EXPOSE_HEADERS);
            }
        }
    }

    /** Puts the headers back when a later writer resets the response to answer an error of its own. */
    private static final class Response extends HttpServletResponseWrapper {

        private final CorsHeaders headers;

        Response(HttpServletResponse response, CorsHeaders headers) {
            super(response);
            this.headers = headers;
        }

        @Override
        public void reset() {
            super.reset();
            headers.applyTo(this);
        }
    }
}
