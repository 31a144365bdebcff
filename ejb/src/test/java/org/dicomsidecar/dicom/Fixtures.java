package org.dicomsidecar.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/** The DICOM JSON fixtures in src/test/resources/references/ (see the README.md there) and assertion helpers. */
public final class Fixtures {

    static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    static final String MR = "1.2.840.10008.5.1.4.1.1.4";
    static final String ENHANCED_MR = "1.2.840.10008.5.1.4.1.1.4.1";
    static final String SC = "1.2.840.10008.5.1.4.1.1.7";
    static final String SEG = "1.2.840.10008.5.1.4.1.1.66.4";
    static final String KOS = "1.2.840.10008.5.1.4.1.1.88.59";
    static final String COMPREHENSIVE_SR = "1.2.840.10008.5.1.4.1.1.88.33";
    static final String BASIC_TEXT_SR = "1.2.840.10008.5.1.4.1.1.88.11";
    static final String GSPS = "1.2.840.10008.5.1.4.1.1.11.1";
    static final String HEMODYNAMIC_WAVEFORM = "1.2.840.10008.5.1.4.1.1.9.2.1";
    static final String RT_PLAN = "1.2.840.10008.5.1.4.1.1.481.5";
    static final String RT_STRUCT = "1.2.840.10008.5.1.4.1.1.481.3";
    static final String DETACHED_STUDY = "1.2.840.10008.3.1.2.3.1";

    /** Every fixture, real and hand-made. */
    public static final List<String> ALL = List.of(
            "seg_liver_1frame.json", "sr_test.json", "sr_reportsi.json", "rtstruct_pydicom.json", "rtplan.json",
            "rtdose.json", "rtstruct_varian.json", "sc_source_image.json", "mr_siemens_source_image.json",
            "mr_philips_enhanced.json.gz",
            "ps_gsps.json", "kos.json", "sr_comprehensive.json", "seg_shared_cross_study.json", "ct_image.json");

    private Fixtures() {
    }

    public static JsonObject load(String name) {
        try (InputStream raw = Fixtures.class.getResourceAsStream("/references/" + name)) {
            if (raw == null) {
                throw new IllegalStateException("no test resource references/" + name);
            }
            InputStream in = name.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
            try (JsonReader reader = Json.createReader(in)) {
                return reader.readObject();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonObject parse(String json) {
        try (JsonReader reader = Json.createReader(new StringReader(json))) {
            return reader.readObject();
        }
    }

    static Reference instance(String uid, String study, String series, String sopClass, String path,
            Integer... frames) {
        return new Reference(Reference.INSTANCE, uid, study, series, sopClass, List.of(frames), path);
    }

    static Reference series(String uid, String study, String path) {
        return new Reference(Reference.SERIES, uid, study, uid, null, List.of(), path);
    }

    static Reference study(String uid, String sopClass, String path) {
        return new Reference(Reference.STUDY, uid, uid, null, sopClass, List.of(), path);
    }

    /** The same references, in any order, each once. */
    static void assertSameReferences(List<Reference> expected, List<Reference> actual) {
        assertEquals(new HashSet<>(actual).size(), actual.size(), () -> "duplicates in " + actual);
        Set<Reference> missing = new LinkedHashSet<>(expected);
        missing.removeAll(new HashSet<>(actual));
        Set<Reference> extra = new LinkedHashSet<>(actual);
        extra.removeAll(new HashSet<>(expected));
        if (!missing.isEmpty() || !extra.isEmpty()) {
            fail("missing: " + describe(missing) + "\nunexpected: " + describe(extra));
        }
        assertEquals(expected.size(), actual.size());
    }

    static List<Reference> withPath(List<Reference> refs, String path) {
        List<Reference> result = new ArrayList<>();
        for (Reference r : refs) {
            if (r.path().equals(path)) {
                result.add(r);
            }
        }
        return result;
    }

    private static String describe(Set<Reference> refs) {
        StringBuilder s = new StringBuilder();
        for (Reference r : refs) {
            s.append("\n  ").append(r);
        }
        return s.length() == 0 ? "none" : s.toString();
    }
}
