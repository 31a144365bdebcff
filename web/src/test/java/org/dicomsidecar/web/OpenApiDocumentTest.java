package org.dicomsidecar.web;

import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
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
        int operations = 0;
        var root = Paths.get(OpenApiResource.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("org/dicomsidecar/web");
        try (Stream<java.nio.file.Path> files = Files.walk(root)) {
            for (java.nio.file.Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = "org.dicomsidecar.web." + root.relativize(f).toString().replace('/', '.').replace(".class", "");
                Class<?> c = Class.forName(name, false, getClass().getClassLoader());
                Path base = c.getAnnotation(Path.class);
                if (base == null) {
                    continue;
                }
                for (Method m : c.getDeclaredMethods()) {
                    String verb = m.isAnnotationPresent(GET.class) ? "get" : m.isAnnotationPresent(POST.class) ? "post"
                            : m.isAnnotationPresent(PUT.class) ? "put" : m.isAnnotationPresent(DELETE.class) ? "delete" : null;
                    if (verb == null) {
                        continue;
                    }
                    operations++;
                    Path sub = m.getAnnotation(Path.class);
                    String path = (base.value() + (sub == null ? "" : "/" + sub.value())).replaceAll("/+", "/")
                            .replaceAll("/$", "");
                    int at = doc.indexOf("\n  " + path + ":\n");
                    int next = at < 0 ? -1 : doc.indexOf("\n  /", at + 3);
                    String section = at < 0 ? "" : doc.substring(at, next < 0 ? doc.length() : next);
                    if (!section.contains("\n    " + verb + ":")) {
                        missing.add(verb.toUpperCase() + " " + path);
                    }
                }
            }
        }
        assertTrue(operations >= 20, "operations found: " + operations);
        assertTrue(missing.isEmpty(), "not in openapi.yaml: " + missing);
    }
}
