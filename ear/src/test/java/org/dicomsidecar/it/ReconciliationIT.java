package org.dicomsidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Whatever notifications were lost (here: the sidecar was not running), reconciliation makes the mirror
 * equal to the host, and removes what the host deleted on its own.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ReconciliationIT {

    private static final String SIDECAR = "sidecar";

    @Deployment(name = SIDECAR, managed = false, testable = false)
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("it.ear")));
    }

    @ArquillianResource
    Deployer deployer;

    @Test
    void instancesStoredWhileTheSidecarWasDownAreMirroredAndHostDeletionsRemoved() {
        // the sidecar is not deployed: the host's hook notifies nobody (lost notifications)
        List<SyntheticDicom.Instance> stored = new ArrayList<>();
        for (int study = 0; study < 4; study++) {
            String studyUid = SyntheticDicom.newUid();
            for (int series = 0; series < 2; series++) {
                String seriesUid = SyntheticDicom.newUid();
                for (int n = 0; n < 25; n++) {
                    SyntheticDicom.Instance i = SyntheticDicom.image(16, studyUid, seriesUid);
                    Mirror.storeInHost(i.bytes());
                    stored.add(i);
                }
            }
        }
        assertEquals(200, stored.size());
        assertTrue(stored.stream().noneMatch(i -> Mirror.instance(i.sopUid()).isPresent()));
        // nor can its changes feed tell it: without its checkpoint (left by an earlier test class), the feed
        // starts at Orthanc's current end, as on a first start
        forgetChangesFeedCheckpoint();

        deployer.deploy(SIDECAR);
        try {
            Http.awaitStatus(200, 60);
            Mirror.await("the start-up reconciliation makes the mirror equal to the host", 120,
                    () -> Mirror.instances().equals(Mirror.hostInstances()));
            JsonObject last = awaitReconciliationDone();
            assertTrue(last.getInt("missingFound") >= 8, "the 8 new series were found missing: " + last);

            // a series deleted in the host directly leaves the mirror at the next reconciliation
            SyntheticDicom.Instance victim = stored.get(0);
            Set<String> victimSops = new HashSet<>();
            stored.stream().filter(i -> i.seriesUid().equals(victim.seriesUid())).forEach(i -> victimSops.add(i.sopUid()));
            Mirror.deleteSeriesInHost(victim.seriesUid());
            HttpResponse<byte[]> started = Http.send(HttpRequest.newBuilder(
                    URI.create(ExternalServices.sidecarUrl() + "/api/admin/reconcile"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build());
            assertEquals(202, started.statusCode(), Http.text(started));
            JsonObject run = awaitRunFinished();
            assertEquals("done", run.getString("state"), run.toString());
            assertEquals(run.getInt("studiesTotal"), run.getInt("studiesDone"));
            assertTrue(run.getInt("removed") >= 1, run.toString());
            assertTrue(run.containsKey("studiesPerSecond"));
            assertFalse(Mirror.doc("series:" + victim.seriesUid()).isPresent(), "the series document is gone");
            assertTrue(victimSops.stream().noneMatch(sop -> Mirror.instance(sop).isPresent()), "its instances are gone");
            assertEquals(Mirror.hostInstances(), Mirror.instances(), "mirror == host");
            JsonObject status = Mirror.mirrorStatus().getJsonObject("lastReconciliation");
            assertTrue(status.getInt("removed") >= 1, status.toString());
        } finally {
            deployer.undeploy(SIDECAR);
        }
    }

    private static void forgetChangesFeedCheckpoint() {
        try {
            Files.deleteIfExists(Path.of(System.getProperty("it.server.base"), "data", "dicom-sidecar", "journal",
                    "orthanc-changes.checkpoint"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonObject awaitReconciliationDone() {
        Mirror.await("a reconciliation has finished", 120, () -> {
            JsonObject m = Mirror.mirrorStatus();
            return !m.isNull("lastReconciliation") && "done".equals(m.getJsonObject("lastReconciliation").getString("state"));
        });
        return Mirror.mirrorStatus().getJsonObject("lastReconciliation");
    }

    private static JsonObject awaitRunFinished() {
        JsonObject[] last = new JsonObject[1];
        Mirror.await("the requested reconciliation finishes", 120, () -> {
            last[0] = Http.json(Http.get(ExternalServices.sidecarUrl() + "/api/admin/reconcile", "application/json")
                    .body()).asJsonObject();
            return last[0].containsKey("finished") && "request".equals(last[0].getString("trigger"));
        });
        return last[0];
    }
}
