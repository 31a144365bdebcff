package org.dicomsidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link of README.md, docs/*.md and docker/README.md leads somewhere: the file exists, and an
 * {@code #anchor} names a heading of the linked file (GitHub's slugs). A newcomer following the docs never
 * meets a dead end.
 */
class DocumentationLinksTest {

    private static final Path ROOT = Path.of(System.getProperty("sidecar.project.root", "..")).toAbsolutePath()
            .normalize();
    private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.+?)\\s*#*\\s*$");
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

    @Test
    void everyRelativeLinkOfTheDocumentationResolves() throws IOException {
        List<Path> documents = documents();
        assertTrue(documents.size() >= 7, "README.md, docker/README.md and the docs/ pages: " + documents);
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path doc : documents) {
            for (String target : relativeLinks(Files.readString(doc))) {
                checked++;
                String problem = problem(doc, target);
                if (problem != null) {
                    broken.add(ROOT.relativize(doc) + ": " + target + " (" + problem + ")");
                }
            }
        }
        assertTrue(checked >= 20, "the documentation links its pages to each other (" + checked + " links)");
        assertEquals(List.of(), broken, "broken links");
    }

    @Test
    void slugsFollowGitHub() {
        assertEquals("orthancs-changes-feed", slug("Orthanc's changes feed"));
        assertEquals("qido-rs-over-the-mirror-and-comparing-with-the-archive",
                slug("QIDO-RS over the mirror, and comparing with the archive"));
        assertEquals("get-sidecarapistatus", slug("`GET /sidecar/api/status`"));
        assertEquals("a--b", slug("A / B"));
    }

    @Test
    void aBrokenLinkIsFound() throws IOException {
        Path readme = ROOT.resolve("README.md");
        assertTrue(problem(readme, "docs/no-such-page.md") != null);
        assertTrue(problem(readme, "#no-such-heading") != null);
        assertTrue(problem(readme, "docs/api.md#no-such-heading") != null);
        assertEquals(List.of("docs/api.md#x", "#y"), relativeLinks(
                "[a](docs/api.md#x) [b](https://example.org) `[c](ignored.md)` ![d](#y)\n```\n[e](fenced.md)\n```\n"));
    }

    private static List<Path> documents() throws IOException {
        List<Path> out = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("docker/README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(out::add);
        }
        return out;
    }

    /** The link targets outside code blocks and code spans that have no scheme (http:, mailto: ...). */
    static List<String> relativeLinks(String markdown) {
        List<String> out = new ArrayList<>();
        for (String line : prose(markdown)) {
            Matcher m = LINK.matcher(line.replaceAll("`[^`]*`", ""));
            while (m.find()) {
                if (!SCHEME.matcher(m.group(1)).find()) {
                    out.add(m.group(1));
                }
            }
        }
        return out;
    }

    /** Why the link from {@code doc} to {@code target} leads nowhere, or null when it resolves. */
    private static String problem(Path doc, String target) throws IOException {
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        Path linked = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
        if (!linked.startsWith(ROOT)) {
            return "outside the repository";
        }
        if (!Files.exists(linked)) {
            return "no such file";
        }
        if (hash < 0) {
            return null;
        }
        if (!linked.toString().endsWith(".md")) {
            return "an anchor into a file that is not Markdown";
        }
        String anchor = target.substring(hash + 1);
        return anchors(Files.readString(linked)).contains(anchor) ? null : "no heading with this anchor";
    }

    /** The anchors GitHub gives a Markdown file's headings (a repeated slug gets -1, -2 ...). */
    static Set<String> anchors(String markdown) {
        Set<String> out = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : prose(markdown)) {
            Matcher m = HEADING.matcher(line);
            if (m.matches()) {
                String s = slug(m.group(1));
                int n = seen.merge(s, 1, Integer::sum);
                out.add(n == 1 ? s : s + "-" + (n - 1));
            }
        }
        return out;
    }

    /** GitHub's heading slug: lower case, punctuation dropped (hyphens and underscores kept), spaces to hyphens. */
    static String slug(String heading) {
        String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
        return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}\\p{M} _-]", "").replace(' ', '-');
    }

    /** The lines outside fenced code blocks. */
    private static List<String> prose(String markdown) {
        List<String> out = new ArrayList<>();
        boolean fenced = false;
        for (String line : markdown.split("\n", -1)) {
            if (line.stripLeading().startsWith("```")) {
                fenced = !fenced;
            } else if (!fenced) {
                out.add(line);
            }
        }
        return out;
    }
}
