package org.dicomsidecar.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SettingTest {

    @Test
    void environmentVariableFollowsMicroProfileConfigMapping() {
        assertEquals("SIDECAR_HOST_DICOMWEB_URL", Setting.HOST_DICOMWEB_URL.environmentVariable());
        assertEquals("SIDECAR_COUCHDB_URL", Setting.COUCHDB_URL.environmentVariable());
        assertEquals("SIDECAR_COUCHDB_MAX_CONNECTIONS", Setting.COUCHDB_MAX_CONNECTIONS.environmentVariable());
        assertEquals("SIDECAR_PUBLIC_BASE_URL", Setting.PUBLIC_BASE_URL.environmentVariable());
        for (Setting s : Setting.values()) {
            String env = s.environmentVariable();
            assertTrue(env.matches("[A-Z0-9_]+"), env);
            assertEquals(s.key().toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), env);
        }
    }

    @Test
    void keysAndEnvironmentVariablesAreUnique() {
        Set<String> keys = new HashSet<>();
        Set<String> envs = new HashSet<>();
        for (Setting s : Setting.values()) {
            assertTrue(keys.add(s.key()), "duplicate key " + s.key());
            assertTrue(envs.add(s.environmentVariable()), "duplicate environment variable " + s.environmentVariable());
        }
    }

    @Test
    void everyKeyIsNamespacedAndDocumented() {
        for (Setting s : Setting.values()) {
            assertTrue(s.key().startsWith("sidecar."), s.key());
            assertTrue(s.key().matches("[a-z0-9.-]+"), s.key());
            assertEquals(s.key().trim(), s.key());
            assertNotNull(s.defaultValue(), s.key());
            assertEquals(s.defaultValue().trim(), s.defaultValue(), s.key());
            assertFalse(s.description().isBlank(), s.key());
        }
    }

    @Test
    void passwordsAreSecret() {
        assertTrue(Setting.COUCHDB_PASSWORD.secret());
        assertTrue(Setting.HOST_PASSWORD.secret());
        for (Setting s : Setting.values()) {
            // a token endpoint's URL is where to ask, not what to keep secret
            boolean tokenEndpoint = s.key().endsWith("token-url");
            if (s.key().contains("password") || s.key().contains("secret")
                    || (s.key().contains("token") && !tokenEndpoint)) {
                assertTrue(s.secret(), s.key() + " must be secret");
            }
        }
        assertFalse(Setting.COUCHDB_USERNAME.secret());
        assertFalse(Setting.HOST_DICOMWEB_URL.secret());
    }

    @Test
    void secretsHaveNoDefault() {
        for (Setting s : Setting.values()) {
            if (s.secret()) {
                assertEquals("", s.defaultValue(), s.key());
            }
        }
    }
}
