package org.dicomsidecar.delegation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.dicomsidecar.config.SidecarSettings;
import org.junit.jupiter.api.Test;

/** Which credentials the settings choose for the sidecar's own calls, and what the status shows of them. */
class HostCredentialsTest {

    private static HostAuthorization chosen(Map<String, String> values) {
        return HostCredentials.from(SidecarSettings.from(key -> Optional.ofNullable(values.get(key))),
                Clock.systemUTC());
    }

    @Test
    void nothingConfiguredSendsNothing() {
        HostAuthorization a = chosen(Map.of());
        assertEquals(Optional.empty(), a.header());
        assertEquals("{\"method\":\"none\"}", a.status().toJson().toString());
    }

    @Test
    void aUserSendsBasicCredentials() {
        HostAuthorization a = chosen(Map.of("sidecar.host.username", "archive", "sidecar.host.password", "pw"));
        assertEquals(Optional.of("Basic YXJjaGl2ZTpwdw=="), a.header());
        assertEquals("{\"method\":\"basic\",\"user\":\"archive\"}", a.status().toJson().toString());
    }

    @Test
    void aTokenUrlWinsOverBasicAndTheStatusShowsTheClientNotTheSecret() throws Exception {
        HostAuthorization a = chosen(Map.of("sidecar.host.username", "archive", "sidecar.host.password", "pw",
                "sidecar.host.token-url", "http://kc:8080/realms/dcm4che/protocol/openid-connect/token",
                "sidecar.host.client-id", "dicom-sidecar-archive",
                "sidecar.host.client-secret", "sidecar-archive-secret"));
        assertTrue(a instanceof ClientCredentialsTokens, a.getClass().getName());
        String status = a.status().toJson().toString();
        assertEquals("{\"method\":\"client-credentials\",\"clientId\":\"dicom-sidecar-archive\","
                + "\"tokenUrl\":\"http://kc:8080/realms/dcm4che/protocol/openid-connect/token\","
                + "\"lastTokenFetch\":null,\"lastTokenFetchOk\":null,\"lastTokenFetchError\":null,"
                + "\"tokenExpires\":null}", status);
        assertFalse(status.contains("secret"));
        ((AutoCloseable) a).close();
    }
}
