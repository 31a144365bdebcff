package org.dicomsidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The audit log in the real server's log: one line per request, UIDs masked, never the query string. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AuditLogIT extends SidecarDeployment {

    private static final Pattern LINE = Pattern.compile("\\[org\\.dicomsidecar\\.audit\\] \\([^)]*\\) caller=(\\S+) "
            + "role=(\\S+) method=(\\S+) path=(\\S+) status=(\\d+) ms=(\\d+) remote=(\\S+)$");

    @Test
    void aDicomWebRequestIsOneLineWithItsUidsMaskedAndNoQuery() {
        long frame = ThreadLocalRandom.current().nextLong(100_000_000L, 999_999_999L);
        String probe = "Probe" + frame;
        String path = "/sidecar/dicomweb/studies/1.2.826.0.1.3680043.8.498.1/series/1.2.3.%34/instances/2.25.7/frames/" + frame;
        RawHttp.Answer a = RawHttp.exchange("GET", path + "?PatientName=" + probe + "%5EAudit&PatientID=" + probe,
                Map.of("Accept", "application/octet-stream"), null, -1);
        Matcher line = awaitLine(m -> m.group(4).endsWith("/frames/" + frame));
        assertEquals("-", line.group(1), "no caller without authentication");
        assertEquals("-", line.group(2));
        assertEquals("GET", line.group(3));
        assertEquals("/sidecar/dicomweb/studies/{uid}/series/{uid}/instances/{uid}/frames/" + frame, line.group(4));
        assertEquals(a.status(), Integer.parseInt(line.group(5)));
        assertEquals("127.0.0.1", line.group(7));
        String log = serverLog();
        assertFalse(log.contains(probe), "the query string reached the log");
        assertFalse(log.contains("1.2.826.0.1.3680043.8.498.1"), "a UID reached the log");
    }

    @Test
    void aLongPollIsLoggedWhenItIsAnswered() {
        long before = System.nanoTime();
        RawHttp.Answer a = RawHttp.exchange("GET", "/sidecar/api/workflow/changes?timeout=1500",
                Map.of("Accept", "application/json"), null, -1);
        assertEquals(200, a.status(), a.toString());
        assertTrue(System.nanoTime() - before >= 1_400_000_000L);
        Matcher line = awaitLine(m -> m.group(4).equals("/sidecar/api/workflow/changes") && Long.parseLong(m.group(6)) >= 1400);
        assertEquals("200", line.group(5));
    }

    @Test
    void bodiesReadAsynchronouslyAreLoggedWithTheirFinalStatus() {
        String name = "AuditCohort" + ThreadLocalRandom.current().nextLong(1_000_000L, 9_999_999L);
        RawHttp.Answer saved = RawHttp.exchange("PUT", "/sidecar/api/cohorts/saved/" + name, "application/json",
                "{\"level\": \"series\", \"where\": {\"attribute\": \"Modality\", \"equals\": \"CT\"}}");
        assertEquals(200, saved.status(), saved.toString());
        RawHttp.exchange("DELETE", "/sidecar/api/cohorts/saved/" + name, null, null);
        RawHttp.Answer tooLarge = RawHttp.exchange("POST", "/sidecar/api/cohorts/query", "application/json",
                "{\"x\":\"" + "a".repeat(300 * 1024) + "\"}");
        assertEquals(413, tooLarge.status(), tooLarge.toString());
        Matcher put = awaitLine(m -> m.group(3).equals("PUT") && m.group(4).equals("/sidecar/api/cohorts/saved/{name}"));
        assertEquals(saved.status(), Integer.parseInt(put.group(5)));
        awaitLine(m -> m.group(3).equals("POST") && m.group(4).equals("/sidecar/api/cohorts/query")
                && m.group(5).equals("413"));
        assertFalse(serverLog().contains(name), "a saved cohort's name may name a patient");
    }

    private static Matcher awaitLine(Predicate<Matcher> wanted) {
        Matcher[] found = new Matcher[1];
        Mirror.await("an audit line", 20, () -> {
            List<Matcher> lines = serverLog().lines().map(LINE::matcher).filter(Matcher::find).toList();
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (wanted.test(lines.get(i))) {
                    found[0] = lines.get(i);
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    static String serverLog() {
        try {
            return Files.readString(Path.of(System.getProperty("it.server.base"), "log", "server.log"),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
