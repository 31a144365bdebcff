package org.dicomsidecar.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The settings table of docs/configuration.md and the compose files' variables stay in step with {@link Setting}. */
class SettingsDocumentationTest {

    private static final Path ROOT = Path.of(System.getProperty("sidecar.project.root", "..")).toAbsolutePath();

    @Test
    void configurationTableListsEverySettingWithItsVariableAndDefault() throws IOException {
        Map<String, String[]> rows = new LinkedHashMap<>();
        Pattern row = Pattern.compile("^\\| `(sidecar\\.[^`]+)` \\| `([A-Z0-9_]+)` \\| ([^|]+) \\|", Pattern.MULTILINE);
        Matcher m = row.matcher(Files.readString(ROOT.resolve("docs/configuration.md")));
        while (m.find()) {
            rows.put(m.group(1), new String[]{m.group(2), m.group(3).trim()});
        }
        for (Setting s : Setting.values()) {
            String[] documented = rows.get(s.key());
            assertTrue(documented != null, "docs/configuration.md lists " + s.key());
            assertEquals(s.environmentVariable(), documented[0], s.key());
            String expectedDefault = s.defaultValue().isEmpty() ? "(empty)" : "`" + s.defaultValue() + "`";
            assertEquals(expectedDefault, documented[1], "docs/configuration.md: default of " + s.key());
        }
        Set<String> known = Arrays.stream(Setting.values()).map(Setting::key).collect(Collectors.toSet());
        rows.keySet().forEach(k -> assertTrue(known.contains(k), "docs/configuration.md documents an unknown setting " + k));
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker/docker-compose.yml", "docker/docker-compose.cluster.yml"})
    void composeFileUsesOnlyKnownSettings(String file) throws IOException {
        Set<String> variables = Arrays.stream(Setting.values()).map(Setting::environmentVariable)
                .collect(Collectors.toSet());
        Matcher m = Pattern.compile("\\b(SIDECAR_[A-Z0-9_]+)\\s*:").matcher(Files.readString(ROOT.resolve(file)));
        int found = 0;
        while (m.find()) {
            assertTrue(variables.contains(m.group(1)), file + " sets unknown " + m.group(1));
            found++;
        }
        assertTrue(found >= 4, file + " configures the sidecar by environment variables");
    }
}
