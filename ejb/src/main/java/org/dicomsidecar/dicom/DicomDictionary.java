package org.dicomsidecar.dicom;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The standard DICOM data dictionary (every keyword, tag, VR and information entity), exported from
 * PixelMed's dictionary at build time into {@code dicom/dictionary.tsv}.
 */
public final class DicomDictionary {

    /** One attribute of the dictionary. {@code level} is Patient, Study, Series, Instance, ... or empty. */
    public record Entry(String tag, String keyword, String vr, String level, String name) {
    }

    private static final DicomDictionary STANDARD = load();

    private final Map<String, Entry> byKeyword;
    private final Map<String, Entry> byTag;

    private DicomDictionary(Map<String, Entry> byKeyword, Map<String, Entry> byTag) {
        this.byKeyword = byKeyword;
        this.byTag = byTag;
    }

    public static DicomDictionary standard() {
        return STANDARD;
    }

    public Optional<Entry> byKeyword(String keyword) {
        return Optional.ofNullable(byKeyword.get(keyword));
    }

    /** By tag: 8 hex digits, either case. */
    public Optional<Entry> byTag(String tag) {
        return Optional.ofNullable(byTag.get(tag.toUpperCase(Locale.ROOT)));
    }

    public int size() {
        return byTag.size();
    }

    private static DicomDictionary load() {
        Map<String, Entry> byKeyword = new HashMap<>();
        Map<String, Entry> byTag = new HashMap<>();
        try (InputStream in = DicomDictionary.class.getResourceAsStream("/dicom/dictionary.tsv")) {
            if (in == null) {
                throw new IllegalStateException("dicom/dictionary.tsv is missing: the build exports it from PixelMed");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                Entry e = new Entry(f[0], f[1], f[2], f[3], f.length > 4 ? f[4] : "");
                byTag.putIfAbsent(e.tag(), e);
                byKeyword.putIfAbsent(e.keyword(), e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new DicomDictionary(Map.copyOf(byKeyword), Map.copyOf(byTag));
    }
}
