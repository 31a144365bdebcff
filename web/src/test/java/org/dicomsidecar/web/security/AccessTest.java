package org.dicomsidecar.web.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.dicomsidecar.config.SidecarSettings;
import org.dicomsidecar.web.ResourceOperations;
import org.junit.jupiter.api.Test;

/** Who may do what: the API's annotations against the table the documentation gives, and the servlet gate. */
class AccessTest {

    private static final SidecarSettings DEFAULTS = SidecarSettings.from(key -> Optional.empty());

    /** docs/security.md's table, operation by operation. A new operation fails here until someone decides. */
    private static final Map<String, String> EXPECTED = new TreeMap<>(Map.ofEntries(
            Map.entry("GET /live", "open"),
            Map.entry("GET /openapi", "open"),
            Map.entry("GET /status", "ADMIN READER"),
            Map.entry("POST /admin/reconcile", "ADMIN"),
            Map.entry("GET /admin/reconcile", "ADMIN"),
            Map.entry("DELETE /admin/reconcile", "ADMIN"),
            Map.entry("GET /references/{uid}", "READER"),
            Map.entry("GET /compare", "READER"),
            Map.entry("POST /cohorts/query", "READER"),
            Map.entry("POST /cohorts/export", "READER"),
            Map.entry("GET /cohorts/saved", "READER"),
            Map.entry("GET /cohorts/saved/{name}", "READER"),
            Map.entry("PUT /cohorts/saved/{name}", "WRITER"),
            Map.entry("DELETE /cohorts/saved/{name}", "WRITER"),
            Map.entry("GET /workflow/studies/{study}", "READER"),
            Map.entry("GET /workflow/studies/{study}/steps/{step}", "READER"),
            Map.entry("GET /workflow/studies/{study}/series/{series}/steps/{step}", "READER"),
            Map.entry("PUT /workflow/studies/{study}/steps/{step}", "WRITER"),
            Map.entry("PUT /workflow/studies/{study}/series/{series}/steps/{step}", "WRITER"),
            Map.entry("POST /workflow/query", "READER"),
            Map.entry("GET /workflow/changes", "READER"),
            Map.entry("POST /events/stored", "NOTIFIER"),
            Map.entry("GET /events/wado/studies/{study}", "NOTIFIER"),
            Map.entry("GET /events/wado/studies/{study}/series/{series}", "NOTIFIER"),
            Map.entry("GET /events/wado/studies/{study}/series/{series}/instances/{instance}", "NOTIFIER"),
            Map.entry("POST /fhir/ImagingStudy", "NOTIFIER"),
            Map.entry("POST /ups/workitems", "NOTIFIER")));

    @Test
    void everyOperationOfTheApiAllowsExactlyTheDocumentedRoles() throws Exception {
        Map<String, String> actual = new TreeMap<>();
        for (ResourceOperations.Operation o : ResourceOperations.all()) {
            String who = ApiRoleCheck.isOpen(o.method(), o.type()) ? "open"
                    : ApiRoleCheck.allowedRoles(o.method(), o.type()).stream().map(Enum::name).sorted()
                    .collect(Collectors.joining(" "));
            actual.put(o.verb() + " " + o.path(), who.isEmpty() ? "nobody" : who);
        }
        assertEquals(EXPECTED, actual);
    }

    @Test
    void theServletGateOpensExactlyTheOpenResources() throws Exception {
        Set<String> open = ResourceOperations.all().stream()
                .filter(o -> ApiRoleCheck.isOpen(o.method(), o.type()))
                .map(o -> "/api" + o.path()).collect(Collectors.toSet());
        assertEquals(open, AccessPolicy.OPEN_API_PATHS);
    }

    @Test
    void openRequestsAreLivenessTheApiDescriptionAndPreflights() {
        assertTrue(AccessPolicy.isOpen("GET", "/api/live", false));
        assertTrue(AccessPolicy.isOpen("HEAD", "/api/openapi", false));
        assertTrue(AccessPolicy.isOpen("OPTIONS", "/dicomweb/studies", true));
        assertFalse(AccessPolicy.isOpen("OPTIONS", "/dicomweb/studies", false), "a bare OPTIONS reaches the archive");
        assertFalse(AccessPolicy.isOpen("POST", "/api/live", false));
        assertFalse(AccessPolicy.isOpen("GET", "/api/live/", false));
        assertFalse(AccessPolicy.isOpen("GET", "/api/%6cive", false), "odd spellings need a token");
        assertFalse(AccessPolicy.isOpen("GET", "/api/live;x=1", false));
        assertFalse(AccessPolicy.isOpen("GET", "/api/status", false));
        assertFalse(AccessPolicy.isOpen("GET", "/nowhere", false));
    }

    @Test
    void theDicomWebBasesAreJudgedByMethod() {
        assertEquals(Optional.of(EnumSet.of(Role.READER)), AccessPolicy.dicomWeb("GET", "/dicomweb/studies"));
        assertEquals(Optional.of(EnumSet.of(Role.READER)), AccessPolicy.dicomWeb("HEAD", "/dicomweb"));
        assertEquals(Optional.of(EnumSet.of(Role.WRITER)), AccessPolicy.dicomWeb("POST", "/dicomweb/studies"));
        assertEquals(Optional.of(EnumSet.of(Role.ADMIN)), AccessPolicy.dicomWeb("DELETE", "/dicomweb/studies/1.2"));
        assertEquals(Optional.of(EnumSet.of(Role.ADMIN)), AccessPolicy.dicomWeb("PATCH", "/dicomweb/studies/1.2"));
        assertEquals(Optional.of(EnumSet.of(Role.READER)), AccessPolicy.dicomWeb("GET", "/mirror/dicomweb/studies"));
        assertEquals(Optional.of(EnumSet.of(Role.WRITER)), AccessPolicy.dicomWeb("POST", "/mirror/dicomweb/studies"),
                "the mirror's base delegates STOW-RS");
        assertEquals(Optional.of(EnumSet.of(Role.ADMIN)), AccessPolicy.dicomWeb("DELETE", "/mirror/dicomweb/studies"));
        assertEquals(Optional.empty(), AccessPolicy.dicomWeb("DELETE", "/dicomwebx/studies"));
        assertEquals(Optional.empty(), AccessPolicy.dicomWeb("POST", "/api/admin/reconcile"));
    }

    @Test
    void theGrantingRoleIsTheConfiguredRealmRoleTheCallerHolds() {
        assertEquals(Optional.of("sidecar-admin"), Authentication.grantingRole(EnumSet.of(Role.READER, Role.ADMIN),
                "sidecar-admin"::equals, DEFAULTS));
        assertEquals(Optional.empty(), Authentication.grantingRole(EnumSet.of(Role.WRITER),
                r -> r.equals("sidecar-reader"), DEFAULTS));
        SidecarSettings site = SidecarSettings.from(key -> key.equals("sidecar.auth.reader-role")
                ? Optional.of("auth") : Optional.empty());
        assertEquals(Optional.of("auth"), Authentication.grantingRole(EnumSet.of(Role.READER), "auth"::equals, site),
                "a site maps the reader onto dcm4chee's own role");
    }

    @Test
    void refusalsSayWhatIsMissing() {
        assertEquals(401, Authentication.unauthenticated(false).getInt("status"));
        assertEquals("invalid-token", Authentication.unauthenticated(true).getString("error"));
        assertTrue(Authentication.challenge(Authentication.unauthenticated(true)).contains("error=\"invalid_token\""));
        assertEquals("this needs the realm role 'sidecar-reader' or 'sidecar-admin'",
                Authentication.forbidden(EnumSet.of(Role.ADMIN, Role.READER), DEFAULTS).getString("message"));
        assertFalse(Authentication.enabled(DEFAULTS), "off unless a provider is configured");
    }
}
