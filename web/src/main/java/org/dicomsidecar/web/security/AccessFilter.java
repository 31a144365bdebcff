package org.dicomsidecar.web.security;

import jakarta.inject.Inject;
import jakarta.json.JsonObject;
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
import java.util.Optional;
import java.util.Set;
import org.dicomsidecar.config.SidecarSettings;
import org.dicomsidecar.web.AuditFilter;
import org.dicomsidecar.web.JsonError;

/**
 * The gate of every request while authentication is on ({@code sidecar.auth.provider-url}). WildFly's
 * elytron-oidc-client (bearer-only, applied by enable-authentication.cli) has already checked the bearer token,
 * if any: signature against the realm's keys, issuer, expiry. Here a request without an accepted token gets 401,
 * unless it is open (a CORS preflight, liveness); a request to a DICOMweb base without the role for its method
 * gets 403. The API's resource methods are judged by {@link ApiRoleCheck}, which knows which method answers.
 */
@WebFilter(filterName = "AccessFilter", urlPatterns = "/*", asyncSupported = true,
        dispatcherTypes = DispatcherType.REQUEST)
public class AccessFilter implements Filter {

    @Inject
    SidecarSettings settings;

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        boolean misconfigured = Authentication.misconfigured(settings);
        if (!Authentication.enabled(settings) && !misconfigured) {
            chain.doFilter(request, response);
            return;
        }
        String path = request.getRequestURI().substring(request.getContextPath().length());
        String method = request.getMethod();
        boolean preflight = request.getHeader("Origin") != null
                && request.getHeader("Access-Control-Request-Method") != null;
        if (AccessPolicy.isOpen(method, path, preflight)) {
            chain.doFilter(request, response);
            return;
        }
        if (misconfigured) {
            refuse(response, Authentication.notConfigured());
            return;
        }
        if (request.getUserPrincipal() == null) {
            refuse(response, Authentication.unauthenticated(request.getHeader("Authorization") != null));
            return;
        }
        Optional<Set<Role>> allowed = AccessPolicy.dicomWeb(method, path);
        if (allowed.isPresent()) {
            Optional<String> granted = Authentication.grantingRole(allowed.get(), request::isUserInRole, settings);
            if (granted.isEmpty()) {
                refuse(response, Authentication.forbidden(allowed.get(), settings));
                return;
            }
            request.setAttribute(AuditFilter.ROLE_ATTRIBUTE, granted.get());
        }
        chain.doFilter(request, response);
    }

    /** Answers the error and closes the connection: a body the caller may not send is not worth reading. */
    private static void refuse(HttpServletResponse response, JsonObject error) throws IOException {
        if (error.getInt("status") == 401) {
            response.setHeader("WWW-Authenticate", Authentication.challenge(error));
        }
        response.setHeader("Connection", "close");
        JsonError.write(response, error);
    }
}
