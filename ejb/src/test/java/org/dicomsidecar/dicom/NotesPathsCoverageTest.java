package org.dicomsidecar.dicom;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every reference path listed in ../shared/NOTES.md ("Where references between objects live") is found in at least
 * one fixture, named here, real where one exists. (NOTES also lists SegmentSequence > SegmentAlgorithmType, which is
 * an attribute of the SEG itself, not a reference.)
 */
class NotesPathsCoverageTest {

    /** NOTES path (as a pattern over {@link Reference#path()}) and a fixture that exercises it. */
    static List<Object[]> cases() {
        List<Object[]> m = new ArrayList<>();
        // SEG
        add(m, "ReferencedSeriesSequence>ReferencedInstanceSequence", "seg_liver_1frame.json");
        add(m, "SourceImageSequence", "seg_shared_cross_study.json");
        add(m, "PerFrameFunctionalGroupsSequence>DerivationImageSequence>SourceImageSequence", "seg_liver_1frame.json");
        add(m, "SharedFunctionalGroupsSequence>DerivationImageSequence>SourceImageSequence",
                "seg_shared_cross_study.json");
        // SR / KOS
        add(m, "CurrentRequestedProcedureEvidenceSequence>ReferencedSeriesSequence>ReferencedSOPSequence", "kos.json");
        add(m, "ContentSequence(>ContentSequence)*>ReferencedSOPSequence", "sr_test.json");
        add(m, "PertinentOtherEvidenceSequence>ReferencedSeriesSequence>ReferencedSOPSequence", "sr_comprehensive.json");
        // RT
        add(m, "ReferencedFrameOfReferenceSequence>RTReferencedStudySequence>RTReferencedSeriesSequence"
                + ">ContourImageSequence", "rtstruct_varian.json");
        add(m, "ReferencedStructureSetSequence", "rtplan.json");
        add(m, "ReferencedRTPlanSequence", "rtdose.json");
        // presentation states
        add(m, "ReferencedSeriesSequence>ReferencedImageSequence", "ps_gsps.json");
        // plain images
        add(m, "ReferencedImageSequence", "mr_siemens_source_image.json");
        add(m, "SourceImageSequence", "mr_siemens_source_image.json");
        add(m, "SourceImageSequence", "sc_source_image.json");
        add(m, "SharedFunctionalGroupsSequence>ReferencedImageSequence", "mr_philips_enhanced.json.gz");
        // cross-study
        add(m, "StudiesContainingOtherReferencedInstancesSequence>ReferencedSeriesSequence>ReferencedInstanceSequence",
                "seg_shared_cross_study.json");
        return m;
    }

    private static void add(List<Object[]> cases, String path, String fixture) {
        cases.add(new Object[] {path, fixture});
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("cases")
    void everyNotesPathIsExercised(String path, String fixture) {
        Pattern pattern = Pattern.compile(path);
        List<Reference> refs = ReferenceExtractor.references(Fixtures.load(fixture));
        assertFalse(refs.isEmpty(), fixture);
        assertTrue(refs.stream().anyMatch(r -> pattern.matcher(r.path()).matches()),
                () -> "no reference with path " + path + " in " + fixture + ": " + refs);
    }
}
