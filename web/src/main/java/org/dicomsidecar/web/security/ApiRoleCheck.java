package org.dicomsidecar.web.security;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.lang.reflect.Method;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.dicomsidecar.config.SidecarSettings;
import org.dicomsidecar.web.AuditFilter;
import org.dicomsidecar.web.JsonError;

/**
 * Lets a call reach a resource method of the API only with one of the roles its {@link Allowed} names. Judged on
 * the method JAX-RS matched, not on the path as sent, so that no spelling of a path (encoded, with matrix
 * parameters) reaches an administrator's endpoint with a reader's token.
 */
@Provider
@Priority(Priorities.AUTHORIZATION)
public class ApiRoleCheck implements ContainerRequestFilter {

    @Context
    ResourceInfo resource;

    @Context
    HttpServletRequest request;

    @Inject
    SidecarSettings settings;

    @Override
    public void filter(ContainerRequestContext context) {
        if (!Authentication.enabled(settings)) {
            return;
        }
        Method method = resource.getResourceMethod();
        Class<?> type = resource.getResourceClass();
        if (method == null || isOpen(method, type)) {
            return; // no method matched: JAX-RS answers 404/405 itself
        }
        if (context.getSecurityContext().getUserPrincipal() == null) {
            abort(context, Authentication.unauthenticated(context.getHeaderString("Authorization") != null));
            return;
        }
        Set<Role> allowed = allowedRoles(method, type);
        Optional<String> granted = Authentication.grantingRole(allowed, context.getSecurityContext()::isUserInRole,
                settings);
        if (granted.isEmpty()) {
            abort(context, allowed.isEmpty()
                    ? JsonError.of(403, "forbidden", "no role may use this endpoint")
                    : Authentication.forbidden(allowed, settings));
            return;
        }
        request.setAttribute(AuditFilter.ROLE_ATTRIBUTE, granted.get());
    }

    static boolean isOpen(Method method, Class<?> type) {
        return method.isAnnotationPresent(Open.class) || type.isAnnotationPresent(Open.class);
    }

    /** The method's {@link Allowed}, else its class's; none: nobody. */
    static Set<Role> allowedRoles(Method method, Class<?> type) {
        Allowed allowed = method.getAnnotation(Allowed.class);
        if (allowed == null) {
            allowed = type.getAnnotation(Allowed.class);
        }
        if (allowed == null || allowed.value().length == 0) {
            return EnumSet.noneOf(Role.class);
        }
        return EnumSet.copyOf(java.util.List.of(allowed.value()));
    }

    private static void abort(ContainerRequestContext context, JsonObject error) {
        Response.ResponseBuilder answer = Response.status(error.getInt("status"))
                .type(MediaType.APPLICATION_JSON_TYPE).entity(error.toString());
        if (error.getInt("status") == 401) {
            answer.header("WWW-Authenticate", Authentication.challenge(error));
        }
        context.abortWith(answer.build());
    }
}
