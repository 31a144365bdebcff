package org.dicomsidecar.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The extension queries on a generated dataset (scripts/lib/generate_dataset.py, seeded): the generator's
 * manifest is the ground truth, written from what it put in the files, independently of the sidecar.
 * Every reference path of the dataset is looked up end to end.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class GeneratedDataIT extends SidecarDeployment {

    private static JsonObject manifest;

    @BeforeAll
    static void generateAndLoad() throws IOException, InterruptedException {
        Path out = Path.of(System.getProperty("it.work"), "dataset");
        Process p = new ProcessBuilder("/usr/bin/python3",
                ExternalServices.projectRoot().resolve("scripts/lib/generate_dataset.py").toString(),
                "--seed", "7", "--studies", "16", "--out", out.toString(),
                "--load-orthanc", ExternalServices.orthancRestUrl())
                .redirectErrorStream(true).redirectOutput(out.getParent().resolve("generator.log").toFile()).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the generator finished");
        assertEquals(0, p.exitValue(), "the generator and the load succeeded; see " + out.getParent().resolve("generator.log"));
        manifest = Http.json(Files.readString(out.resolve("manifest.json"))).asJsonObject();
    }

    private static void awaitMirrored() {
        Http.awaitStatus(200, 60);
        Set<String> sops = new HashSet<>();
        manifest.getJsonArray("instances").forEach(i -> sops.add(i.asJsonObject().getString("sop")));
        Mirror.await("the generated dataset is mirrored", 120, () -> Mirror.instances().containsAll(sops));
        Mirror.awaitQueueEmpty(60);
    }

    @Test
    void everyReferencePathIsFoundFromItsTarget() {
        awaitMirrored();
        Map<String, JsonObject> onePerPath = new LinkedHashMap<>();
        for (JsonObject r : manifest.getJsonArray("references").getValuesAs(JsonObject.class)) {
            if (r.getString("level").equals("instance") && !r.getBoolean("dangling")) {
                onePerPath.putIfAbsent(r.getString("path"), r);
            }
        }
        assertTrue(onePerPath.size() >= 10, "reference paths in the dataset: " + onePerPath.keySet());
        for (JsonObject r : onePerPath.values()) {
            JsonObject answer = Http.getJson("/api/references/" + r.getString("target"));
            assertTrue(answer.getJsonArray("references").stream().map(JsonValue::asJsonObject)
                    .anyMatch(x -> x.getString("sopInstanceUID").equals(r.getString("source"))
                            && x.getString("path").equals(r.getString("path"))),
                    "found through " + r.getString("path") + ": " + answer);
        }
        // dangling references are reported as such from their source
        JsonObject dangling = manifest.getJsonArray("references").getValuesAs(JsonObject.class).stream()
                .filter(r -> r.getBoolean("dangling") && r.getString("level").equals("instance")).findFirst().orElseThrow();
        JsonObject out = Http.getJson("/api/references/" + dangling.getString("source") + "?direction=outgoing");
        assertTrue(out.getJsonArray("references").stream().map(JsonValue::asJsonObject)
                .anyMatch(x -> x.getString("target").equals(dangling.getString("target")) && x.getBoolean("dangling")));
    }

    @Test
    void chainsAreFollowedTransitively() {
        awaitMirrored();
        // an SR that references a SEG, and an image that SEG references: the SR is found from the image
        Map<String, JsonObject> segRefsBySource = new LinkedHashMap<>();
        for (JsonObject r : manifest.getJsonArray("references").getValuesAs(JsonObject.class)) {
            if (r.getString("sourceModality").equals("SEG") && r.getString("level").equals("instance") && !r.getBoolean("dangling")) {
                segRefsBySource.putIfAbsent(r.getString("source"), r);
            }
        }
        JsonObject srToSeg = manifest.getJsonArray("references").getValuesAs(JsonObject.class).stream()
                .filter(r -> r.getString("sourceModality").equals("SR") && segRefsBySource.containsKey(r.getString("target")))
                .findFirst().orElseThrow(() -> new AssertionError("the dataset has an SR -> SEG -> image chain"));
        String image = segRefsBySource.get(srToSeg.getString("target")).getString("target");
        JsonObject direct = Http.getJson("/api/references/" + image);
        assertTrue(direct.getJsonArray("references").stream().noneMatch(x -> x.asJsonObject()
                .getString("sopInstanceUID").equals(srToSeg.getString("source")) && x.asJsonObject().getInt("depth") > 1));
        JsonObject chain = Http.getJson("/api/references/" + image + "?transitive=true");
        assertTrue(chain.getJsonArray("references").stream().map(JsonValue::asJsonObject)
                .anyMatch(x -> x.getString("sopInstanceUID").equals(srToSeg.getString("source")) && x.getInt("depth") == 2),
                "SR -> SEG -> image: " + chain);
    }

    @Test
    void cohortAndAbsenceAnswersEqualTheManifest() {
        awaitMirrored();
        Set<String> studies = new HashSet<>();
        manifest.getJsonArray("studies").forEach(s -> studies.add(s.asJsonObject().getString("study")));
        // CT series, every PixelSpacing 0.5 +- 0.01, SliceThickness <= 1 (from the manifest's series rows)
        Set<String> expectedSeries = new HashSet<>();
        for (JsonObject s : manifest.getJsonArray("series").getValuesAs(JsonObject.class)) {
            if (s.getString("modality").equals("CT") && s.containsKey("PixelSpacing") && s.containsKey("SliceThickness")) {
                JsonArray ps = s.getJsonArray("PixelSpacing");
                boolean half = ps.stream().allMatch(v -> Math.abs(((JsonNumber) v).doubleValue() - 0.5) <= 0.01);
                if (half && s.getJsonNumber("SliceThickness").doubleValue() <= 1) {
                    expectedSeries.add(s.getString("series"));
                }
            }
        }
        JsonObject cohort = Http.postJson("/api/cohorts/query", "{\"level\": \"series\", \"limit\": 1000, \"where\": {\"and\": ["
                + "{\"attribute\": \"Modality\", \"equals\": \"CT\"},"
                + "{\"attribute\": \"PixelSpacing\", \"values\": \"every\", \"near\": 0.5, \"tolerance\": 0.01},"
                + "{\"attribute\": \"SliceThickness\", \"lte\": 1}]}}");
        Set<String> found = new HashSet<>();
        cohort.getJsonArray("results").forEach(r -> {
            if (studies.contains(r.asJsonObject().getString("studyInstanceUID"))) {
                found.add(r.asJsonObject().getString("seriesInstanceUID"));
            }
        });
        assertEquals(expectedSeries, found);

        // CT studies without a MANUAL segmentation (from the manifest's study rows)
        Set<String> expectedStudies = new HashSet<>();
        for (JsonObject s : manifest.getJsonArray("studies").getValuesAs(JsonObject.class)) {
            boolean ct = s.getJsonArray("modalities").stream().anyMatch(m -> m.toString().equals("\"CT\""));
            boolean manual = s.getJsonArray("segmentAlgorithmTypes").stream().anyMatch(m -> m.toString().equals("\"MANUAL\""));
            if (ct && !manual) {
                expectedStudies.add(s.getString("study"));
            }
        }
        JsonObject absent = Http.postJson("/api/workflow/query", "{\"has\": [{\"fact\": \"modalities\", \"contains\": \"CT\"}],"
                + " \"lacks\": [{\"fact\": \"segmentAlgorithmTypes\", \"contains\": \"MANUAL\"}], \"limit\": 1000}");
        Set<String> foundStudies = new HashSet<>();
        absent.getJsonArray("results").forEach(r -> {
            String s = r.asJsonObject().getString("studyInstanceUID");
            if (studies.contains(s)) {
                foundStudies.add(s);
            }
        });
        assertEquals(expectedStudies, foundStudies);
    }



}
