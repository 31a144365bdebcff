package org.dicomsidecar.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class JsonpTest {

    private static final Pattern UNCACHED = Pattern.compile("\\bJson\\s*\\.\\s*create");

    @Test
    void buildsAndReadsLikeJson() {
        var o = Jsonp.createObjectBuilder().add("a", Jsonp.createArrayBuilder().add(1)).build();
        assertEquals("{\"a\":[1]}", o.toString());
        assertEquals(o, Jsonp.createReader(new java.io.StringReader(o.toString())).readObject());
    }

    /** Json.createXxx looks its provider up on every call (a jar scan in WildFly): main code must use Jsonp. */
    @Test
    void mainSourcesDoNotUseJsonCreate() throws IOException {
        List<String> offenders;
        try (Stream<Path> files = Stream.of(Path.of("src/main/java"), Path.of("../web/src/main/java"))
                .filter(Files::isDirectory).flatMap(JsonpTest::walk)) {
            offenders = files.filter(p -> p.toString().endsWith(".java") && !p.endsWith("Jsonp.java"))
                    .filter(p -> UNCACHED.matcher(read(p)).find()).map(Path::toString).toList();
        }
        assertTrue(offenders.isEmpty(), "use Jsonp instead of Json.create in " + offenders);
    }

    private static Stream<Path> walk(Path root) {
        try {
            return Files.walk(root);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
