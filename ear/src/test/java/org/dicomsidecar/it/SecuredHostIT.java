package org.dicomsidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The secured sidecar (arquillian.xml's wildfly-secured) in front of an archive that takes only Keycloak tokens
 * (TokenCheckingHost before Orthanc): the sidecar's own calls (Orthanc's changes feed, the mirror's metadata
 * fetches, the health check) carry its client-credentials token, renewed before it expires (20 s tokens here), so
 * the archive never refuses one; a caller's QIDO reaches the archive with the caller's own token.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SecuredHostIT {

    private static final String CLIENT = "dicom-sidecar-archive";
    private static final String SECRET = "sidecar-archive-secret";
    private static final int TOKEN_LIFETIME_SECONDS = 20;

    @Deployment(name = "secured", testable = false)
    @TargetsContainer("wildfly-secured")
    static EnterpriseArchive ear() {
        return SidecarDeployment.ear();
    }

    @BeforeAll
    static void identityProviderAndArchiveAreUp() {
        Keycloak.awaitReady();
        ExternalServices.securedHost();
    }

    @Test
    void theMirrorKeepsWorkingThroughTheTokenCheckAcrossTokenLifetimes() {
        TokenCheckingHost host = ExternalServices.securedHost();
        Mirror.await("the secured sidecar reaches its archive with its token", 120,
                () -> status().getJsonObject("host").getBoolean("reachable"));
        // stored only once the feed reads Orthanc's log: its first read starts from Orthanc's end
        Mirror.await("the secured sidecar follows Orthanc's changes", 60, () -> {
            JsonObject feed = status().getJsonObject("mirror").getJsonObject("orthancChanges");
            return !feed.isNull("lastSeq") && feed.isNull("lastPollError");
        });
        int refusedBefore = host.refused();
        Instant start = Instant.now();

        List<SyntheticDicom.Instance> first = storeSeries(6);
        awaitMirrored(first);

        // past a token's lifetime: the feed polls all along, on tokens renewed before they expire
        ManagedProcess.sleep((TOKEN_LIFETIME_SECONDS + 5) * 1000L);
        List<SyntheticDicom.Instance> second = storeSeries(6);
        awaitMirrored(second);

        List<TokenCheckingHost.AcceptedToken> ours = host.accepted().stream()
                .filter(t -> CLIENT.equals(t.azp()) && t.issued() != null && !t.issued().isBefore(start.minusSeconds(
                        TOKEN_LIFETIME_SECONDS)))
                .toList();
        Set<String> tokens = ours.stream().map(t -> t.tokenId() + "@" + t.issued()).collect(Collectors.toSet());
        System.out.printf("%d requests of the sidecar accepted on %d tokens since the test began; %d refused%n",
                ours.size(), tokens.size(), host.refused() - refusedBefore);
        assertTrue(tokens.size() >= 2, "the sidecar renewed its token: " + tokens + " " + host);
        assertTrue(ours.stream().anyMatch(t -> t.path().startsWith("/changes")), "the changes feed carried it");
        assertTrue(ours.stream().anyMatch(t -> t.path().startsWith("/dicom-web/") && t.path().endsWith("/metadata")),
                "the mirror's metadata fetches carried it");
        assertEquals(refusedBefore, host.refused(),
                "no request of the sidecar was refused (renewal before expiry): " + host.refusals());
    }

    @Test
    void aCallersQidoReachesTheArchiveWithTheCallersToken() {
        TokenCheckingHost host = ExternalServices.securedHost();
        int before = host.accepted().size();
        HttpResponse<byte[]> r = AuthIT.send("GET", "/dicomweb/studies?limit=1", Keycloak.userToken("reader"), null);
        assertEquals(200, r.statusCode(), Http.text(r));
        List<TokenCheckingHost.AcceptedToken> after = host.accepted();
        List<TokenCheckingHost.AcceptedToken> readers = new ArrayList<>(after.subList(before, after.size()));
        readers.removeIf(t -> !"reader".equals(t.preferredUsername()));
        assertEquals(1, readers.size(), "forwarded once, with the reader's token: " + readers);
        assertEquals("GET", readers.get(0).method());
        assertEquals("/dicom-web/studies", readers.get(0).path());
        assertEquals("sidecar-ui", readers.get(0).azp());
    }

    @Test
    void theStatusShowsHowTheSidecarAuthenticatesAndNoSecret() {
        Mirror.await("the secured sidecar has fetched a token", 120, () -> !status().getJsonObject("host")
                .getJsonObject("authentication").isNull("tokenExpires"));
        HttpResponse<byte[]> r = AuthIT.send("GET", "/api/status", adminToken(), null);
        String body = Http.text(r);
        JsonObject auth = Http.json(r.body()).asJsonObject().getJsonObject("host").getJsonObject("authentication");
        assertEquals("client-credentials", auth.getString("method"), body);
        assertEquals(CLIENT, auth.getString("clientId"));
        assertEquals(Keycloak.issuer(Keycloak.REALM) + "/protocol/openid-connect/token", auth.getString("tokenUrl"));
        assertTrue(auth.getBoolean("lastTokenFetchOk"), auth.toString());
        assertTrue(Instant.parse(auth.getString("tokenExpires")).isAfter(Instant.now()), auth.toString());
        assertFalse(body.contains(SECRET), "the client secret is never shown");
        assertFalse(body.contains("eyJ"), "nor a token");
    }

    private static JsonObject status() {
        return Http.json(AuthIT.send("GET", "/api/status", adminToken(), null).body()).asJsonObject();
    }

    private static String adminToken;
    private static Instant adminTokenTaken = Instant.MIN;

    /** The admin's token, taken again after a minute (the realm's user tokens live five). */
    private static synchronized String adminToken() {
        if (adminTokenTaken.isBefore(Instant.now().minusSeconds(60))) {
            adminToken = Keycloak.userToken("admin");
            adminTokenTaken = Instant.now();
        }
        return adminToken;
    }

    private static List<SyntheticDicom.Instance> storeSeries(int instances) {
        String study = SyntheticDicom.newUid();
        String series = SyntheticDicom.newUid();
        List<SyntheticDicom.Instance> stored = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            SyntheticDicom.Instance instance = SyntheticDicom.image(16, study, series);
            Mirror.storeInHost(instance.bytes());
            stored.add(instance);
        }
        return stored;
    }

    /** Waits until the secured sidecar's own mirror (a database of its own) holds every instance. */
    private static void awaitMirrored(List<SyntheticDicom.Instance> stored) {
        Mirror.await("the secured sidecar mirrored " + stored.size() + " instances", 120,
                () -> stored.stream().allMatch(i -> Http.get(ExternalServices.couchDbUrl() + "/dicom-sidecar-secured/"
                        + URLEncoder.encode("instance:" + i.sopUid(), StandardCharsets.UTF_8), "application/json")
                        .statusCode() == 200));
    }
}
