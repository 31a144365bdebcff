package org.dicomsidecar.dicom;

import static org.dicomsidecar.dicom.Fixtures.CT;
import static org.dicomsidecar.dicom.Fixtures.ENHANCED_MR;
import static org.dicomsidecar.dicom.Fixtures.KOS;
import static org.dicomsidecar.dicom.Fixtures.MR;
import static org.dicomsidecar.dicom.Fixtures.SEG;
import static org.dicomsidecar.dicom.Fixtures.assertSameReferences;
import static org.dicomsidecar.dicom.Fixtures.instance;
import static org.dicomsidecar.dicom.Fixtures.load;
import static org.dicomsidecar.dicom.Fixtures.series;
import static org.dicomsidecar.dicom.Fixtures.study;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * References of hand-made DICOM JSON datasets (src/test/resources/references/, README.md there) for the paths no real
 * file at hand exercises: presentation states, key object selection, pertinent other evidence, shared functional
 * groups derivation, cross-study references. The UIDs are made up (2.25.N); the expected references follow from how
 * each fixture was written.
 */
class HandMadeReferenceTest {

    @Test
    void presentationStateReferencesImagesByReferencedSeriesAndInItsDisplayModules() {
        // ReferencedSeriesSequence: series 2.25.200 with ReferencedImageSequence CT 2.25.201, enhanced MR 2.25.202
        // frames "3","1" (strings) and again 2.25.202 frame 7 (a number); series 2.25.300 with no image.
        // GraphicAnnotationSequence > ReferencedImageSequence 2.25.201; SoftcopyVOILUTSequence >
        // ReferencedImageSequence 2.25.202 frame 1. Own study 2.25.100.
        List<Reference> refs = ReferenceExtractor.references(load("ps_gsps.json"));
        assertSameReferences(List.of(
                instance("2.25.201", "2.25.100", "2.25.200", CT, "ReferencedSeriesSequence>ReferencedImageSequence"),
                instance("2.25.202", "2.25.100", "2.25.200", ENHANCED_MR,
                        "ReferencedSeriesSequence>ReferencedImageSequence", 1, 3, 7),
                series("2.25.300", "2.25.100", "ReferencedSeriesSequence"),
                instance("2.25.201", "2.25.100", "2.25.200", CT, "GraphicAnnotationSequence>ReferencedImageSequence"),
                instance("2.25.202", "2.25.100", "2.25.200", ENHANCED_MR,
                        "SoftcopyVOILUTSequence>ReferencedImageSequence", 1)),
                refs);
        // in tag order: ReferencedSeriesSequence (0008,1115), SoftcopyVOILUTSequence (0028,3110),
        // GraphicAnnotationSequence (0070,0001); within a sequence, in item order
        assertEquals(List.of("ReferencedSeriesSequence>ReferencedImageSequence",
                "ReferencedSeriesSequence>ReferencedImageSequence", "ReferencedSeriesSequence",
                "SoftcopyVOILUTSequence>ReferencedImageSequence", "GraphicAnnotationSequence>ReferencedImageSequence"),
                refs.stream().map(Reference::path).toList());
    }

    @Test
    void keyObjectSelectionReferencesThroughEvidenceIdenticalDocumentsAndContent() {
        // CurrentRequestedProcedureEvidenceSequence: own study 2.25.1100 > series 2.25.1200 > CT 2.25.1201, 2.25.1202;
        // study 2.25.1300 > series 2.25.1310 > SEG 2.25.1311, and series 2.25.1320 with no instance; study 2.25.1400
        // alone; own study 2.25.1100 alone (left out). IdenticalDocumentsSequence: study 2.25.1500 > series
        // 2.25.1510 > KOS 2.25.1511. ContentSequence: IMAGE 2.25.1201, COMPOSITE 2.25.1311.
        // ReferencedPerformedProcedureStepSequence: MPPS 2.25.1900 (left out).
        String evidence = "CurrentRequestedProcedureEvidenceSequence";
        String evidenceSop = evidence + ">ReferencedSeriesSequence>ReferencedSOPSequence";
        List<Reference> refs = ReferenceExtractor.references(load("kos.json"));
        assertSameReferences(List.of(
                instance("2.25.1201", "2.25.1100", "2.25.1200", CT, evidenceSop),
                instance("2.25.1202", "2.25.1100", "2.25.1200", CT, evidenceSop),
                instance("2.25.1311", "2.25.1300", "2.25.1310", SEG, evidenceSop),
                series("2.25.1320", "2.25.1300", evidence + ">ReferencedSeriesSequence"),
                study("2.25.1400", null, evidence),
                instance("2.25.1511", "2.25.1500", "2.25.1510", KOS,
                        "IdenticalDocumentsSequence>ReferencedSeriesSequence>ReferencedSOPSequence"),
                instance("2.25.1201", "2.25.1100", "2.25.1200", CT, "ContentSequence>ReferencedSOPSequence"),
                instance("2.25.1311", "2.25.1300", "2.25.1310", SEG, "ContentSequence>ReferencedSOPSequence")),
                refs);
    }

    @Test
    void comprehensiveSrReferencesThroughEvidencePertinentOtherEvidenceAndDeepContent() {
        // CurrentRequestedProcedureEvidenceSequence: own study > series 2.25.2200 > CT 2.25.2201.
        // PertinentOtherEvidenceSequence: study 2.25.2300 > series 2.25.2310 > MR 2.25.2311.
        // ContentSequence: CONTAINER > NUM > SCOORD > IMAGE CT 2.25.2201 frame 1 (four levels); IMAGE MR 2.25.2311.
        assertSameReferences(List.of(
                instance("2.25.2201", "2.25.2100", "2.25.2200", CT,
                        "CurrentRequestedProcedureEvidenceSequence>ReferencedSeriesSequence>ReferencedSOPSequence"),
                instance("2.25.2311", "2.25.2300", "2.25.2310", MR,
                        "PertinentOtherEvidenceSequence>ReferencedSeriesSequence>ReferencedSOPSequence"),
                instance("2.25.2201", "2.25.2100", "2.25.2200", CT,
                        "ContentSequence>ContentSequence>ContentSequence>ContentSequence>ReferencedSOPSequence", 1),
                instance("2.25.2311", "2.25.2300", "2.25.2310", MR, "ContentSequence>ReferencedSOPSequence")),
                ReferenceExtractor.references(load("sr_comprehensive.json")));
    }

    @Test
    void segmentationReferencesThroughSharedAndPerFrameDerivationAndOtherStudies() {
        // ReferencedSeriesSequence: series 2.25.3200 > CT 2.25.3201, 2.25.3202 (own study 2.25.3100).
        // StudiesContainingOtherReferencedInstancesSequence: study 2.25.3300 > series 2.25.3310 > CT 2.25.3311;
        // study 2.25.3400 alone. RelatedSeriesSequence: study 2.25.3300, series 2.25.3320.
        // SourceImageSequence: CT 2.25.3203. SharedFunctionalGroupsSequence > DerivationImageSequence >
        // SourceImageSequence: 2.25.3201, 2.25.3311. PerFrameFunctionalGroupsSequence: two frames, each derived from
        // 2.25.3202. Not references: ReferencedStudySequence of its own study, FrameOfReferenceUID 2.25.3950,
        // DimensionOrganizationUID 2.25.3900.
        List<Reference> refs = ReferenceExtractor.references(load("seg_shared_cross_study.json"));
        String derivation = "DerivationImageSequence>SourceImageSequence";
        assertSameReferences(List.of(
                instance("2.25.3201", "2.25.3100", "2.25.3200", CT,
                        "ReferencedSeriesSequence>ReferencedInstanceSequence"),
                instance("2.25.3202", "2.25.3100", "2.25.3200", CT,
                        "ReferencedSeriesSequence>ReferencedInstanceSequence"),
                instance("2.25.3311", "2.25.3300", "2.25.3310", CT, "StudiesContainingOtherReferencedInstancesSequence"
                        + ">ReferencedSeriesSequence>ReferencedInstanceSequence"),
                study("2.25.3400", null, "StudiesContainingOtherReferencedInstancesSequence"),
                series("2.25.3320", "2.25.3300", "RelatedSeriesSequence"),
                instance("2.25.3203", null, null, CT, "SourceImageSequence"),
                instance("2.25.3201", "2.25.3100", "2.25.3200", CT, "SharedFunctionalGroupsSequence>" + derivation),
                instance("2.25.3311", "2.25.3300", "2.25.3310", CT, "SharedFunctionalGroupsSequence>" + derivation),
                instance("2.25.3202", "2.25.3100", "2.25.3200", CT, "PerFrameFunctionalGroupsSequence>" + derivation)),
                refs);
        for (Reference r : refs) {
            assertFalse(List.of("2.25.3100", "2.25.3900", "2.25.3950").contains(r.targetUid()), r::toString);
        }
    }

    @Test
    void plainImageReferencesItsLocalizerAndSourceButNotItsOwnStudyOrProcedureStep() {
        // ReferencedImageSequence: CT 2.25.4201; SourceImageSequence: CT 2.25.4202; private sequence (0009,1010):
        // CT 2.25.4300. Not references: RequestAttributesSequence with its own study 2.25.4100,
        // ReferencedStudySequence of its own study, MPPS 2.25.4900, FrameOfReferenceUID 2.25.4950.
        assertSameReferences(List.of(
                instance("2.25.4201", null, null, CT, "ReferencedImageSequence"),
                instance("2.25.4202", null, null, CT, "SourceImageSequence"),
                instance("2.25.4300", null, null, CT, "00091010")),
                ReferenceExtractor.references(load("ct_image.json")));
    }
}
