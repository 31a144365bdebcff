package org.dicomsidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Settings come from MicroProfile Config: system properties and environment variables override defaults. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ConfigurationIT extends SidecarDeployment {

    @Test
    void systemPropertyOnTheCommandLineOverridesTheDefault() {
        JsonObject settings = Http.awaitStatus(200, 60).getJsonObject("settings");
        // defaults 5000 and 60000; arquillian.xml passes -D...=1000 and 4000
        assertEquals("1000", settings.getString("sidecar.couchdb.retry-interval-ms"));
        assertEquals("4000", settings.getString("sidecar.host.read-timeout-ms"));
    }

    @Test
    void environmentVariableOverridesTheDefault() {
        // default 32; failsafe sets SIDECAR_HOST_MAX_CONNECTIONS=24 for the WildFly it starts (ear/pom.xml)
        assertEquals("24", Http.awaitStatus(200, 60).getJsonObject("settings").getString("sidecar.host.max-connections"));
    }

    @Test
    void systemPropertySetWithJbossCliAppliesAfterReload() throws Exception {
        String base = "https://pacs.example.test/sidecar";
        try {
            cli("/system-property=sidecar.public-base-url:add(value=\"" + base + "\")", "reload");
            awaitReloaded(base);
            JsonObject settings = Http.status().getJsonObject("settings");
            assertEquals(base, settings.getString("sidecar.public-base-url"));
            String qido = Http.text(Http.get(ExternalServices.sidecarDicomWebUrl() + "/studies", "application/dicom+json"));
            assertTrue(qido.contains(base + "/dicomweb/studies/"), "RetrieveURLs use the configured public base");
        } finally {
            cli("/system-property=sidecar.public-base-url:remove", "reload");
            awaitReloaded("");
        }
    }

    private static void awaitReloaded(String expectedBase) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            try {
                JsonObject s = Http.status();
                if (s.getJsonObject("settings").getString("sidecar.public-base-url").equals(expectedBase)
                        && Http.statusCode() == 200) {
                    return;
                }
            } catch (RuntimeException reloading) {
                // not back yet
            }
            ManagedProcess.sleep(500);
        }
        throw new AssertionError("the server did not come back with sidecar.public-base-url=" + expectedBase);
    }

    /** Runs jboss-cli.sh against the test server, as an administrator would. */
    static void cli(String... commands) throws IOException, InterruptedException {
        Path cli = Path.of(System.getProperty("jboss.home"), "bin", "jboss-cli.sh");
        Process p = new ProcessBuilder(List.of(cli.toString(), "--connect",
                "--controller=remote+http://127.0.0.1:" + ExternalServices.port("it.wildfly.management.port"),
                "--commands=" + String.join(",", commands)))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "jboss-cli finished");
        assertEquals(0, p.exitValue(), "jboss-cli: " + output);
    }
}
