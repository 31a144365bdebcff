package org.dicomsidecar.delegation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.dicomsidecar.json.Jsonp;
import org.junit.jupiter.api.Test;

/**
 * The embedded Orthanc (scripts/lib/orthanc.json: run.sh, the benchmarks and the integration tests all start it
 * from this template) cannot bind HTTP to the loopback alone, so it must refuse remote callers itself, and its
 * DICOM server, which nothing here uses, must be off (and closed to unknown hosts, should anyone turn it on).
 * Option names as Orthanc 1.10.1 writes them with {@code Orthanc --config=FILE}.
 */
class EmbeddedOrthancConfigTest {

    private static final Path ROOT = Path.of(System.getProperty("sidecar.project.root", "..")).toAbsolutePath();

    private static JsonObject config() throws IOException {
        String text = Files.readString(ROOT.resolve("scripts/lib/orthanc.json"))
                .replace("@NAME@", "test").replace("@DATA@", "/tmp/x")
                .replace("@HTTP_PORT@", "18042").replace("@DICOM_PORT@", "14242");
        try (JsonReader r = Jsonp.createReader(new StringReader(text))) {
            return r.readObject();
        }
    }

    @Test
    void httpRefusesRemoteCallersAndExposesNoExtraSurface() throws IOException {
        JsonObject c = config();
        assertEquals(false, c.getBoolean("RemoteAccessAllowed"), "remote callers get 403");
        assertEquals(false, c.getBoolean("WebDavEnabled"));
        assertEquals(false, c.getBoolean("ExecuteLuaEnabled"), "no Lua from the REST API");
        assertEquals(false, c.getBoolean("RestApiWriteToFileSystemEnabled"));
        assertTrue(c.getJsonObject("DicomWeb").getString("Host").startsWith("127.0.0.1:"));
    }

    @Test
    void dicomServerIsOffAndWouldAdmitOnlyDeclaredLoopbackModalities() throws IOException {
        JsonObject c = config();
        assertEquals(false, c.getBoolean("DicomServerEnabled"), "nothing here speaks DIMSE to Orthanc");
        for (Map.Entry<String, Boolean> e : Map.of("DicomCheckModalityHost", true, "DicomCheckCalledAet", true,
                "DicomAlwaysAllowEcho", false, "DicomAlwaysAllowStore", false, "DicomAlwaysAllowFind", false,
                "DicomAlwaysAllowFindWorklist", false, "DicomAlwaysAllowGet", false, "DicomAlwaysAllowMove", false)
                .entrySet()) {
            assertEquals(e.getValue(), c.getBoolean(e.getKey()), e.getKey());
        }
        c.getJsonObject("DicomModalities").values().forEach(m ->
                assertEquals("127.0.0.1", m.asJsonArray().getString(1), "modalities only on the loopback"));
    }
}
