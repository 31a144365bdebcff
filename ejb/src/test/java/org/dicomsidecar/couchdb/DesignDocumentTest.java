package org.dicomsidecar.couchdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class DesignDocumentTest {

    private static final String FOLDER = "/couchdb/design/";

    private static List<String> indexedNames() throws IOException {
        try (InputStream in = DesignDocumentTest.class.getResourceAsStream(FOLDER + "index.txt")) {
            assertNotNull(in, "index.txt on the classpath");
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().map(String::trim)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        }
    }

    private static JsonObject resource(String name) throws IOException {
        try (InputStream in = DesignDocumentTest.class.getResourceAsStream(FOLDER + name)) {
            assertNotNull(in, "missing " + FOLDER + name);
            try (JsonReader reader = Json.createReader(in)) {
                return reader.readObject();
            }
        }
    }

    private static DesignDocument sample(int version) {
        return DesignDocument.of(Json.createObjectBuilder()
                .add("_id", "_design/sample")
                .add("sidecar_version", version)
                .add("language", "javascript")
                .add("views", Json.createObjectBuilder()
                        .add("all", Json.createObjectBuilder().add("map", "function (doc) { emit(doc._id, null); }")))
                .build());
    }

    private static Optional<JsonObject> stored(Integer version, String rev) {
        var b = Json.createObjectBuilder().add("_id", "_design/sample").add("views", Json.createObjectBuilder());
        if (version != null) {
            b.add("sidecar_version", version);
        }
        if (rev != null) {
            b.add("_rev", rev);
        }
        return Optional.of(b.build());
    }

    @Test
    void bundledLoadsEveryIndexedFile() throws IOException {
        List<String> names = indexedNames();
        assertFalse(names.isEmpty(), "index.txt lists no design document");
        List<DesignDocument> bundled = DesignDocument.bundled();
        assertEquals(names.size(), bundled.size());
        for (int i = 0; i < names.size(); i++) {
            JsonObject file = resource(names.get(i));
            DesignDocument doc = bundled.get(i);
            assertEquals(file.getString("_id"), doc.id(), names.get(i));
            assertEquals(file, doc.body(), names.get(i));
        }
    }

    @Test
    void everyBundledDocumentHasADesignIdAndAVersion() {
        for (DesignDocument doc : DesignDocument.bundled()) {
            assertTrue(doc.id().startsWith("_design/") && doc.id().length() > "_design/".length(), doc.id());
            assertTrue(doc.version() >= 1, doc.id() + " version " + doc.version());
            assertEquals(doc.id(), doc.body().getString("_id"));
            assertEquals(doc.version(), doc.body().getInt(DesignDocument.VERSION_FIELD));
            assertFalse(doc.body().containsKey("_rev"), doc.id() + ": a bundled document must not carry a _rev");
        }
    }

    @Test
    void everyBundledViewHasAMapFunction() {
        for (DesignDocument doc : DesignDocument.bundled()) {
            JsonObject views = doc.body().getJsonObject("views");
            if (views == null) {
                continue;
            }
            for (Map.Entry<String, JsonValue> view : views.entrySet()) {
                String map = view.getValue().asJsonObject().getString("map", "");
                assertTrue(map.trim().startsWith("function"), doc.id() + "/" + view.getKey() + ": " + map);
            }
        }
    }

    @Test
    void bundledIdsAreUnique() {
        Set<String> ids = new HashSet<>();
        for (DesignDocument doc : DesignDocument.bundled()) {
            assertTrue(ids.add(doc.id()), "duplicate " + doc.id());
        }
    }

    @Test
    void everyDesignFileInTheSourceTreeIsIndexed() throws IOException {
        // surefire runs in the module's directory; a file not in index.txt would never be installed
        Path folder = Path.of("src/main/resources/couchdb/design");
        if (!Files.isDirectory(folder)) {
            return; // run from elsewhere (an IDE with another working directory): nothing to compare
        }
        Set<String> files;
        try (Stream<Path> list = Files.list(folder)) {
            files = list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).collect(Collectors.toSet());
        }
        assertEquals(files, Set.copyOf(indexedNames()));
    }

    @Test
    void replacesWhenMissing() {
        assertTrue(sample(2).shouldReplace(Optional.empty()));
    }

    @Test
    void replacesAnOlderStoredVersion() {
        assertTrue(sample(2).shouldReplace(stored(1, "1-a")));
    }

    @Test
    void replacesAStoredCopyWithoutVersion() {
        assertTrue(sample(1).shouldReplace(stored(null, "1-a")));
    }

    @Test
    void keepsTheSameVersion() {
        assertFalse(sample(2).shouldReplace(stored(2, "5-b")));
    }

    @Test
    void keepsANewerStoredVersion() {
        assertFalse(sample(2).shouldReplace(stored(3, "7-c")), "a node on a later release installed it");
    }

    @Test
    void withRevisionOfCarriesTheStoredRevision() {
        DesignDocument doc = sample(2);
        JsonObject update = doc.withRevisionOf(stored(1, "4-abcdef"));
        assertEquals("4-abcdef", update.getString("_rev"));
        JsonObject withoutRev = Json.createObjectBuilder(update).remove("_rev").build();
        assertEquals(doc.body(), withoutRev, "everything else is ours, not the stored copy's");
        assertFalse(doc.body().containsKey("_rev"), "the bundled body itself is not changed");
    }

    @Test
    void withRevisionOfWithoutStoredCopyIsTheBody() {
        DesignDocument doc = sample(2);
        assertSame(doc.body(), doc.withRevisionOf(Optional.empty()));
        assertEquals(doc.body(), doc.withRevisionOf(stored(1, null)));
    }

    @Test
    void rejectsADocumentWithoutDesignId() {
        JsonObject body = Json.createObjectBuilder().add("_id", "types").add("sidecar_version", 1).build();
        assertThrows(IllegalArgumentException.class, () -> DesignDocument.of(body));
        JsonObject noId = Json.createObjectBuilder().add("sidecar_version", 1).build();
        assertThrows(IllegalArgumentException.class, () -> DesignDocument.of(noId));
    }

    @Test
    void rejectsADocumentWithoutVersion() {
        JsonObject body = Json.createObjectBuilder().add("_id", "_design/types").build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DesignDocument.of(body));
        assertTrue(e.getMessage().contains("_design/types"), e.getMessage());
    }
}
