package org.dicomsidecar.web;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The sidecar's own REST API, under {@code /sidecar/api}. DICOMweb delegation is a servlet at /dicomweb. */
@ApplicationPath("/api")
public class SidecarApi extends Application {
}
