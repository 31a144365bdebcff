package org.dicomsidecar.it;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The identity provider of the security tests: a real Keycloak (keycloak-quarkus-dist, unpacked by the build) in
 * dev mode on a free loopback port, with the realm {@code dcm4che} that run.sh's demo uses
 * (scripts/lib/keycloak) and a second realm, {@code elsewhere}, whose tokens the sidecar must refuse. It needs
 * Java 21 or newer; the test run finds one under /usr/lib/jvm (scripts/lib/common.sh installs one if none).
 * It takes about a minute to start, so it starts in the background when the test run opens and the tests that
 * need it wait for it.
 */
final class Keycloak {

    static final String REALM = "dcm4che";
    private static CompletableFuture<ManagedProcess> starting;

    private Keycloak() {
    }

    /** Starts Keycloak in the background (a fresh database and the realms imported on every run). */
    static synchronized void startInBackground(Path work) {
        starting = CompletableFuture.supplyAsync(() -> {
            ManagedProcess keycloak;
            try {
                keycloak = process(work);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                keycloak.start();
                return keycloak;
            } catch (RuntimeException e) {
                keycloak.stop(); // started but never ready: no process outlives the run
                throw e;
            }
        });
    }

    /** Waits until Keycloak answers; fails the calling test with the reason if it could not start. */
    static ManagedProcess awaitReady() {
        try {
            return starting.join();
        } catch (RuntimeException e) {
            throw new IllegalStateException("Keycloak did not start: " + e.getCause(), e);
        }
    }

    /** Stops it by its PID, waiting for a start still under way to finish first. */
    static synchronized void stop() {
        if (starting == null) {
            return;
        }
        try {
            starting.join().stop();
        } catch (RuntimeException failedToStart) {
            // nothing running, or ManagedProcess already stopped what it started
        }
    }

    static String url() {
        return "http://127.0.0.1:" + ExternalServices.port("it.keycloak.port");
    }

    /** The issuer of the realm's tokens, as the sidecar is configured with it (sidecar.auth.provider-url). */
    static String issuer(String realm) {
        return url() + "/realms/" + realm;
    }

    /** An access token of a demo user by the password grant (password = user name). */
    static String userToken(String user) {
        return userToken(REALM, "sidecar-ui", user);
    }

    static String userToken(String realm, String client, String user) {
        return token(realm, Map.of("grant_type", "password", "client_id", client, "username", user, "password", user));
    }

    /** An access token of a confidential client's service account (the client-credentials grant). */
    static String clientToken(String client, String secret) {
        return token(REALM, Map.of("grant_type", "client_credentials", "client_id", client, "client_secret", secret));
    }

    private static String token(String realm, Map<String, String> form) {
        awaitReady();
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpResponse<byte[]> r = Http.send(HttpRequest.newBuilder(
                        URI.create(issuer(realm) + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("Keycloak refused a token: " + r.statusCode() + " " + Http.text(r));
        }
        JsonObject answer = Http.json(r.body()).asJsonObject();
        return answer.getString("access_token");
    }

    private static ManagedProcess process(Path work) throws IOException {
        Path home = Path.of(System.getProperty("it.keycloak.home"));
        if (!Files.isExecutable(home.resolve("bin/kc.sh"))) {
            throw new IllegalStateException("Keycloak is not unpacked at " + home + " (mvn verify unpacks it)");
        }
        // a fresh H2 database each run, so that the realms are imported as they are in the files
        ExternalServices.deleteTree(home.resolve("data"));
        Path imports = Files.createDirectories(home.resolve("data/import"));
        Files.copy(ExternalServices.projectRoot().resolve("scripts/lib/keycloak/dcm4che-realm.json"),
                imports.resolve("dcm4che-realm.json"));
        Files.copy(ExternalServices.projectRoot().resolve("ear/src/test/resources/keycloak/elsewhere-realm.json"),
                imports.resolve("elsewhere-realm.json"));
        int port = ExternalServices.port("it.keycloak.port");
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("JAVA_HOME", javaHome().toString());
        environment.put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
        environment.put("KC_BOOTSTRAP_ADMIN_PASSWORD", "admin");
        environment.put("JAVA_OPTS_KC_HEAP", "-Xms64m -Xmx512m");
        List<String> command = List.of(home.resolve("bin/kc.sh").toString(), "start-dev", "--import-realm",
                "--http-host=127.0.0.1", "--http-port=" + port);
        return new ManagedProcess("Keycloak", command, environment, work.resolve("keycloak.log"),
                issuer(REALM) + "/.well-known/openid-configuration", port, Duration.ofSeconds(240));
    }

    /** A JDK of version 21 or newer: -Dit.keycloak.java.home, else the newest under /usr/lib/jvm. */
    static Path javaHome() {
        String configured = System.getProperty("it.keycloak.java.home", "");
        if (!configured.isBlank()) {
            return Path.of(configured);
        }
        try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
            Optional<Path> newest = jdks.filter(p -> Files.isExecutable(p.resolve("bin/java")))
                    .filter(p -> featureVersion(p) >= 21)
                    .max(Comparator.comparingInt(Keycloak::featureVersion));
            return newest.orElseThrow(() -> new IllegalStateException(
                    "Keycloak needs Java 21+; none under /usr/lib/jvm (scripts/test.sh installs one)"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The feature version in a JDK's release file (JAVA_VERSION="25.0.3"), 0 if unreadable. */
    static int featureVersion(Path jdk) {
        try {
            for (String line : Files.readAllLines(jdk.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    return Integer.parseInt(v.split("[.+-]")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
