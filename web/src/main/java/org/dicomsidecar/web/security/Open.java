package org.dicomsidecar.web.security;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A resource of the API that answers without a token (liveness, the API description): it must reveal nothing
 * about the archive's content. {@link AccessPolicy#OPEN_API_PATHS} lists the same paths for the servlet filter,
 * which a unit test keeps in step.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Open {
}
