package org.dicomsidecar.web;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Every operation of the JAX-RS API in the web module's classes, found by reflection (for tests). */
public final class ResourceOperations {

    /** One resource method: its HTTP method, its path below /api, its class and method. */
    public record Operation(String verb, String path, Class<?> type, Method method) {
    }

    private ResourceOperations() {
    }

    public static List<Operation> all() throws IOException, URISyntaxException, ClassNotFoundException {
        List<Operation> found = new ArrayList<>();
        var root = Paths.get(SidecarApi.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("org/dicomsidecar/web");
        try (Stream<java.nio.file.Path> files = Files.walk(root)) {
            for (java.nio.file.Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = "org.dicomsidecar.web." + root.relativize(f).toString().replace('/', '.').replace(".class", "");
                Class<?> c = Class.forName(name, false, ResourceOperations.class.getClassLoader());
                Path base = c.getAnnotation(Path.class);
                if (base == null) {
                    continue;
                }
                for (Method m : c.getDeclaredMethods()) {
                    String verb = m.isAnnotationPresent(GET.class) ? "GET" : m.isAnnotationPresent(POST.class) ? "POST"
                            : m.isAnnotationPresent(PUT.class) ? "PUT" : m.isAnnotationPresent(DELETE.class) ? "DELETE" : null;
                    if (verb == null) {
                        continue;
                    }
                    Path sub = m.getAnnotation(Path.class);
                    String path = (base.value() + (sub == null ? "" : "/" + sub.value())).replaceAll("/+", "/")
                            .replaceAll("/$", "");
                    found.add(new Operation(verb, path, c, m));
                }
            }
        }
        return found;
    }
}
