package org.dicomsidecar.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.InputStream;
import org.dicomsidecar.json.Jsonp;
import org.junit.jupiter.api.Test;

class IndexSchemaTest {

    @Test
    void theSchemaFileParsesAndItsVersionIsAPositiveWholeNumber() throws Exception {
        try (InputStream in = IndexSchema.class.getResourceAsStream(IndexSchema.RESOURCE)) {
            JsonObject schema = Jsonp.createReader(in).readObject();
            assertTrue(schema.getJsonNumber("version").isIntegral());
            assertEquals(schema.getInt("version"), IndexSchema.version());
        }
        assertTrue(IndexSchema.version() > 0);
    }
}
