package org.dicomsidecar.web;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every JAX-RS operation of the web module is in openapi.yaml, with its method. */
class OpenApiDocumentTest {

    @Test
    void everyResourceOperationIsDocumented() throws IOException, URISyntaxException, ClassNotFoundException {
        String doc;
        try (InputStream in = getClass().getResourceAsStream("/openapi.yaml")) {
            doc = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> missing = new ArrayList<>();
        List<ResourceOperations.Operation> operations = ResourceOperations.all();
        for (ResourceOperations.Operation o : operations) {
            String verb = o.verb().toLowerCase(java.util.Locale.ROOT);
            int at = doc.indexOf("\n  " + o.path() + ":\n");
            int next = at < 0 ? -1 : doc.indexOf("\n  /", at + 3);
            String section = at < 0 ? "" : doc.substring(at, next < 0 ? doc.length() : next);
            if (!section.contains("\n    " + verb + ":")) {
                missing.add(o.verb() + " " + o.path());
            }
        }
        assertTrue(operations.size() >= 20, "operations found: " + operations.size());
        assertTrue(missing.isEmpty(), "not in openapi.yaml: " + missing);
    }
}
