package org.dicomsidecar.web.security;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The roles, any one of which lets a caller use a resource method of the API (on the method, or on its class for
 * all its methods). A method of the API with neither is refused to everyone while authentication is on: a new
 * endpoint is closed until someone decides who may use it. {@link Open} marks the few that need no token.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Allowed {
    Role[] value();
}
