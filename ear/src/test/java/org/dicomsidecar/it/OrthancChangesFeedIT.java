package org.dicomsidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sidecar follows Orthanc's change log (sidecar.ingest.orthanc-url, set in arquillian.xml): instances
 * stored in Orthanc reach the mirror through the feed, the status counts them under "orthanc-changes" and
 * shows how far the feed has read; an Orthanc outage shows as the feed's poll error and passes.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OrthancChangesFeedIT extends SidecarDeployment {

    private static final String SOURCE = "orthanc-changes";

    @AfterEach
    void orthancBack() {
        ExternalServices.orthanc().start();
        Http.awaitStatus(200, 60);
    }

    @Test
    void instancesStoredInOrthancArriveThroughItsChangesFeed() {
        Http.awaitStatus(200, 60);
        Mirror.await("the feed has read Orthanc's log", 30, () -> !feed().isNull("lastSeq"));
        long before = Mirror.eventsFrom(SOURCE);
        List<SyntheticDicom.Instance> stored = new ArrayList<>();
        String study = SyntheticDicom.newUid();
        for (int series = 0; series < 2; series++) {
            String seriesUid = SyntheticDicom.newUid();
            for (int n = 0; n < 12; n++) {
                stored.add(SyntheticDicom.image(16, study, seriesUid));
            }
        }
        stored.add(SyntheticDicom.image(16)); // a study of its own
        long start = System.nanoTime();
        stored.forEach(i -> Mirror.storeInHost(i.bytes()));
        long orthancLast = Http.json(Http.get(ExternalServices.orthancRestUrl() + "/changes?last", "application/json")
                .body()).asJsonObject().getJsonNumber("Last").longValue();

        Mirror.await("the changes feed read every stored instance", 30,
                () -> Mirror.eventsFrom(SOURCE) >= before + stored.size());
        Mirror.await("every stored instance is in the mirror", 30,
                () -> stored.stream().allMatch(i -> Mirror.instance(i.sopUid()).isPresent()));
        System.out.printf("%d instances read from Orthanc's changes and mirrored in %d ms%n", stored.size(),
                (System.nanoTime() - start) / 1_000_000);
        for (SyntheticDicom.Instance i : stored) {
            JsonObject doc = Mirror.instance(i.sopUid()).orElseThrow();
            assertEquals(i.studyUid(), doc.getString("study"));
            assertEquals(i.seriesUid(), doc.getString("series"));
        }

        JsonObject feed = feed();
        assertTrue(feed.getBoolean("enabled"));
        assertTrue(feed.getJsonNumber("lastSeq").longValue() >= orthancLast, feed + " vs Orthanc's " + orthancLast);
        assertEquals(JsonValue.NULL, feed.get("lastPollError"), feed.toString());
        Mirror.await("eventsReceived is the total of eventsBySource", 15, () -> {
            JsonObject m = Mirror.mirrorStatus();
            long sum = m.getJsonObject("eventsBySource").values().stream()
                    .mapToLong(v -> ((jakarta.json.JsonNumber) v).longValue()).sum();
            return sum == m.getJsonNumber("eventsReceived").longValue();
        });
    }

    @Test
    void anOrthancOutageShowsAsThePollErrorAndTheFeedCarriesOnAfterIt() {
        Mirror.await("the feed has read Orthanc's log", 30, () -> !feed().isNull("lastSeq"));
        ExternalServices.orthanc().stop();
        Mirror.await("the status shows the feed's failing poll", 15, () -> !feed().isNull("lastPollError"));
        String error = feed().getString("lastPollError");
        assertTrue(error.contains("cannot reach Orthanc at " + ExternalServices.orthancRestUrl()), error);

        ExternalServices.orthanc().start();
        Mirror.await("the poll error clears", 15, () -> feed().isNull("lastPollError"));
        long before = Mirror.eventsFrom(SOURCE);
        SyntheticDicom.Instance i = SyntheticDicom.image(16);
        Mirror.storeInHost(i.bytes());
        Mirror.await("read from the changes after the outage", 15, () -> Mirror.eventsFrom(SOURCE) >= before + 1);
        Mirror.await("and mirrored", 15, () -> Mirror.instance(i.sopUid()).isPresent());
    }

    private static JsonObject feed() {
        return Mirror.mirrorStatus().getJsonObject("orthancChanges");
    }
}
