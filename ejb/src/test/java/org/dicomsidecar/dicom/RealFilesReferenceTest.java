package org.dicomsidecar.dicom;

import static org.dicomsidecar.dicom.Fixtures.CT;
import static org.dicomsidecar.dicom.Fixtures.DETACHED_STUDY;
import static org.dicomsidecar.dicom.Fixtures.ENHANCED_MR;
import static org.dicomsidecar.dicom.Fixtures.MR;
import static org.dicomsidecar.dicom.Fixtures.RT_PLAN;
import static org.dicomsidecar.dicom.Fixtures.RT_STRUCT;
import static org.dicomsidecar.dicom.Fixtures.SC;
import static org.dicomsidecar.dicom.Fixtures.assertSameReferences;
import static org.dicomsidecar.dicom.Fixtures.instance;
import static org.dicomsidecar.dicom.Fixtures.load;
import static org.dicomsidecar.dicom.Fixtures.series;
import static org.dicomsidecar.dicom.Fixtures.study;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * References of real files written by others, as Orthanc converts them to DICOM JSON (fixtures in
 * src/test/resources/references/, README.md there).
 *
 * <p>The expected references were read from the original DICOM files, not from the extractor: with dcmtk's
 * {@code dcmdump FILE}, and with a pydicom 2.3 one-off that prints, for every item of every sequence at any depth,
 * the chain of sequence keywords above it and the item's StudyInstanceUID, SeriesInstanceUID, ReferencedSOPClassUID,
 * ReferencedSOPInstanceUID and ReferencedFrameNumber ({@code pydicom.dcmread(f, stop_before_pixels=True, force=True)},
 * recursive over {@code el.VR == "SQ"}). The rules of the extractor (own UIDs left out, study and series context,
 * de-duplication) were then applied by hand.
 */
class RealFilesReferenceTest {

    // ---- pydicom test_files/liver_1frame.dcm: a SEG of three CT images ------------------------------------------
    private static final String LIVER_STUDY = "1.2.392.200103.20080913.113635.0.2009.6.22.21.43.10.22941.1";
    private static final String LIVER_CT_SERIES = "1.2.392.200103.20080913.113635.1.2009.6.22.21.43.10.23430.1";
    private static final String LIVER_CT = "1.2.392.200103.20080913.113635.2.2009.6.22.21.43.10.";

    @Test
    void segmentationReferencesItsImagesByReferencedSeriesAndPerFrameDerivation() {
        // dcmdump: ReferencedSeriesSequence item with SeriesInstanceUID ...23430.1 and ReferencedInstanceSequence of
        // CT ...23433.1, ...23432.1, ...23431.1; PerFrameFunctionalGroupsSequence items 1-3 each with
        // DerivationImageSequence > SourceImageSequence of one of the same three CTs. The top-level
        // ReferencedSeriesSequence (Common Instance Reference module) is in the SEG's own study.
        List<Reference> expected = new ArrayList<>();
        for (String n : List.of("23433.1", "23432.1", "23431.1")) {
            expected.add(instance(LIVER_CT + n, LIVER_STUDY, LIVER_CT_SERIES, CT,
                    "ReferencedSeriesSequence>ReferencedInstanceSequence"));
            expected.add(instance(LIVER_CT + n, LIVER_STUDY, LIVER_CT_SERIES, CT,
                    "PerFrameFunctionalGroupsSequence>DerivationImageSequence>SourceImageSequence"));
        }
        assertSameReferences(expected, ReferenceExtractor.references(load("seg_liver_1frame.json")));
    }

    // ---- pydicom test_files/test-SR.dcm: Comprehensive SR with predecessor and image content items -------------
    @Test
    void structuredReportReferencesThroughPredecessorsAndTheContentTreeAtAnyDepth() {
        String root = "1.2.276.0.7230010.3.1.4.2139363186.7819.982086466.";
        // pydicom one-off:
        // PredecessorDocumentsSequence [0] study ...466.2 (own study)
        // PredecessorDocumentsSequence>ReferencedSeriesSequence [0] series ...466.3 (own series)
        // PredecessorDocumentsSequence>ReferencedSeriesSequence>ReferencedSOPSequence class 1.2.840.10008.5.1.4.1.1.88.33
        //   REF ...466.1
        // ContentSequence>ReferencedSOPSequence class ...88.11 REF 9.8.7.6
        // ContentSequence>ReferencedSOPSequence class CT REF 1.2.3.4.5.0 frames [5, 2]
        // ContentSequence>ReferencedSOPSequence>ReferencedSOPSequence class ...11.1 REF 1.2.3.5.6.7
        // ContentSequence>ContentSequence>ContentSequence>ReferencedSOPSequence class MR REF 1.2.3.4.0.1
        // ContentSequence>ContentSequence>ContentSequence>ReferencedSOPSequence class ...9.2.1 REF 1.2.3.4.5
        List<Reference> expected = List.of(
                instance(root + "1", root + "2", root + "3", Fixtures.COMPREHENSIVE_SR,
                        "PredecessorDocumentsSequence>ReferencedSeriesSequence>ReferencedSOPSequence"),
                instance("9.8.7.6", null, null, Fixtures.BASIC_TEXT_SR, "ContentSequence>ReferencedSOPSequence"),
                instance("1.2.3.4.5.0", null, null, CT, "ContentSequence>ReferencedSOPSequence", 2, 5),
                instance("1.2.3.5.6.7", null, null, Fixtures.GSPS,
                        "ContentSequence>ReferencedSOPSequence>ReferencedSOPSequence"),
                instance("1.2.3.4.0.1", null, null, MR,
                        "ContentSequence>ContentSequence>ContentSequence>ReferencedSOPSequence"),
                instance("1.2.3.4.5", null, null, Fixtures.HEMODYNAMIC_WAVEFORM,
                        "ContentSequence>ContentSequence>ContentSequence>ReferencedSOPSequence"));
        assertSameReferences(expected, ReferenceExtractor.references(load("sr_test.json")));
    }

    // ---- pydicom test_files/reportsi.dcm: SR whose image items reference "0" (a dangling reference, kept) --------
    @Test
    void structuredReportWithPlaceholderUidsKeepsThemAsReferences() {
        // dcmdump: two ReferencedSOPSequence items with ReferencedSOPClassUID [0] and ReferencedSOPInstanceUID [0],
        // at content depth 3 and 2.
        List<Reference> expected = List.of(
                instance("0", null, null, "0", "ContentSequence>ContentSequence>ContentSequence>ReferencedSOPSequence"),
                instance("0", null, null, "0", "ContentSequence>ContentSequence>ReferencedSOPSequence"));
        assertSameReferences(expected, ReferenceExtractor.references(load("sr_reportsi.json")));
    }

    // ---- pydicom test_files/rtstruct.dcm: RT structure set whose referenced series lists no contour images -----
    @Test
    void rtStructureSetWithoutContourImagesReferencesTheStudyAndSeries() {
        // dcmdump: ReferencedFrameOfReferenceSequence > RTReferencedStudySequence item: ReferencedSOPClassUID
        // RETIRED_DetachedStudyManagementSOPClass, ReferencedSOPInstanceUID ...001.2.1; inside,
        // RTReferencedSeriesSequence item with SeriesInstanceUID ...001.2.1.1 and no ContourImageSequence.
        // StructureSetROISequence items carry ReferencedFrameOfReferenceUID ...001.2: not a reference.
        String root = "1.2.826.0.1.3680043.8.498.2010020400001.";
        List<Reference> expected = List.of(
                study(root + "2.1", DETACHED_STUDY, "ReferencedFrameOfReferenceSequence>RTReferencedStudySequence"),
                series(root + "2.1.1", root + "2.1",
                        "ReferencedFrameOfReferenceSequence>RTReferencedStudySequence>RTReferencedSeriesSequence"));
        assertSameReferences(expected, ReferenceExtractor.references(load("rtstruct_pydicom.json")));
    }

    // ---- pydicom test_files/rtplan.dcm and rtdose.dcm ----------------------------------------------------------
    @Test
    void rtPlanReferencesItsPredecessorPlanAndStructureSet() {
        // dcmdump: ReferencedRTPlanSequence RTPlanStorage [1.9.999.999.99.9.9999.9999.20030903145128];
        // ReferencedStructureSetSequence RTStructureSetStorage [1.2.333.444.55.6.7777.88888].
        List<Reference> expected = List.of(
                instance("1.9.999.999.99.9.9999.9999.20030903145128", null, null, RT_PLAN, "ReferencedRTPlanSequence"),
                instance("1.2.333.444.55.6.7777.88888", null, null, RT_STRUCT, "ReferencedStructureSetSequence"));
        assertSameReferences(expected, ReferenceExtractor.references(load("rtplan.json")));
    }

    @Test
    void rtDoseReferencesItsPlan() {
        // dcmdump: ReferencedRTPlanSequence RTPlanStorage [1.2.123.456.78.9.0123.4567.89012345678901], with a
        // ReferencedFractionGroupSequence > ReferencedBeamSequence inside (numbers, no UIDs).
        List<Reference> expected = List.of(instance("1.2.123.456.78.9.0123.4567.89012345678901", null, null, RT_PLAN,
                "ReferencedRTPlanSequence"));
        assertSameReferences(expected, ReferenceExtractor.references(load("rtdose.json")));
    }

    // ---- octave-dicom imdata/rtstruct.dcm (Varian): the full RT chain down to the contour images --------------
    private static final String VARIAN = "1.2.246.352.91.0000217.20050503182534";

    @Test
    void varianRtStructureSetReferencesContourImagesThroughTheChainAndTheRoiContours() {
        // pydicom one-off: own study 1.2.246.352.91.0000217.20050503182534; RTReferencedStudySequence REF the same
        // UID (its own study: not a reference to another object, so left out, but the context of what is inside);
        // RTReferencedSeriesSequence series ...534.1 with ContourImageSequence of 11 CT images (suffixes below);
        // ROIContourSequence > ContourSequence > ContourImageSequence: 34 items naming 10 distinct CT images, all
        // among the 11 (so their study and series are those of the chain).
        String chain = "ReferencedFrameOfReferenceSequence>RTReferencedStudySequence>RTReferencedSeriesSequence"
                + ">ContourImageSequence";
        String roi = "ROIContourSequence>ContourSequence>ContourImageSequence";
        List<Reference> expected = new ArrayList<>();
        for (String n : List.of("671535", "671515", "671505", "671555", "671575", "671605", "671425", "671235",
                "671485", "671445", "671465")) {
            expected.add(instance(VARIAN + n, VARIAN, VARIAN + ".1", CT, chain));
        }
        for (String n : List.of("671425", "671445", "671465", "671485", "671505", "671515", "671535", "671555",
                "671575", "671605")) {
            expected.add(instance(VARIAN + n, VARIAN, VARIAN + ".1", CT, roi));
        }
        assertSameReferences(expected, ReferenceExtractor.references(load("rtstruct_varian.json")));
    }

    // ---- octave-dicom imdata/simple-test.dcm: a secondary capture derived from two others ----------------------
    @Test
    void secondaryCaptureReferencesItsSourceImages() {
        // dcmdump: SourceImageSequence, two items of SecondaryCaptureImageStorage.
        String root = "1.2.826.0.1.3680043.2.1143.";
        List<Reference> expected = List.of(
                instance(root + "5454945631107875701960631908088518757", null, null, SC, "SourceImageSequence"),
                instance(root + "4161729666518980361474488350255550793", null, null, SC, "SourceImageSequence"));
        assertSameReferences(expected, ReferenceExtractor.references(load("sc_source_image.json")));
    }

    // ---- heudiconv tests/data/b0dwiForFmap/b0dwi_for_fmap+00001.dcm: Siemens MR ------------------------------------
    @Test
    void siemensMrReferencesItsLocalizerAndEightyOneSourceImages() {
        // pydicom one-off: ds.ReferencedImageSequence: one MR item; ds.SourceImageSequence: 81 MR items, 81 distinct
        // UIDs (listed below in file order), only ReferencedSOPClassUID and ReferencedSOPInstanceUID in each.
        List<Reference> expected = new ArrayList<>();
        expected.add(instance("1.3.12.2.1107.5.2.43.166018.2018081011325767595850012", null, null, MR,
                "ReferencedImageSequence"));
        for (String uid : SIEMENS_SOURCES.strip().split("\\s+")) {
            expected.add(instance(uid, null, null, MR, "SourceImageSequence"));
        }
        assertEquals(82, expected.size());
        assertSameReferences(expected, ReferenceExtractor.references(load("mr_siemens_source_image.json")));
    }

    // ---- nibabel nicom/tests/data/philips_mprage.dcm.gz: Philips enhanced MR -------------------------------------
    @Test
    void philipsEnhancedMrReferencesThroughEvidenceAndSharedFunctionalGroupsButNotItsPerformedProcedureStep() {
        // pydicom one-off: ReferencedPerformedProcedureStepSequence: class 1.2.840.10008.3.1.2.3.3 (MPPS, not a
        // stored object) REF ...182001; ReferencedImageEvidenceSequence: three identical items, study ...182000 (own),
        // ReferencedSeriesSequence series ...4680.2012031016323403000 > ReferencedSOPSequence Enhanced MR
        // ...5.20.1.1.4680.2012031016323403000; SharedFunctionalGroupsSequence > ReferencedImageSequence: three items
        // of that same image, ReferencedFrameNumber 2, 5 and 8. No reference in the per-frame groups.
        String study = "1.3.46.670589.11.17388.5.0.10236.2012031016303182000";
        String seriesUid = "1.3.46.670589.11.17388.5.0.4680.2012031016323403000";
        String image = "1.3.46.670589.11.17388.5.20.1.1.4680.2012031016323403000";
        List<Reference> expected = List.of(
                instance(image, study, seriesUid, ENHANCED_MR,
                        "ReferencedImageEvidenceSequence>ReferencedSeriesSequence>ReferencedSOPSequence"),
                instance(image, study, seriesUid, ENHANCED_MR, "SharedFunctionalGroupsSequence>ReferencedImageSequence",
                        2, 5, 8));
        assertSameReferences(expected, ReferenceExtractor.references(load("mr_philips_enhanced.json.gz")));
    }

    /** From the pydicom one-off: {@code for it in ds.SourceImageSequence: print(it.ReferencedSOPInstanceUID)}. */
    private static final String SIEMENS_SOURCES = """
            1.3.12.2.1107.5.2.43.166018.2018081012084241487246019
            1.3.12.2.1107.5.2.43.166018.2018081012084241672046021
            1.3.12.2.1107.5.2.43.166018.2018081012084241704746022
            1.3.12.2.1107.5.2.43.166018.2018081012084241733846023
            1.3.12.2.1107.5.2.43.166018.2018081012084241762346024
            1.3.12.2.1107.5.2.43.166018.2018081012084241794346025
            1.3.12.2.1107.5.2.43.166018.2018081012084241822346026
            1.3.12.2.1107.5.2.43.166018.2018081012084241850346027
            1.3.12.2.1107.5.2.43.166018.2018081012084241878346028
            1.3.12.2.1107.5.2.43.166018.2018081012084241906246029
            1.3.12.2.1107.5.2.43.166018.2018081012084241933746030
            1.3.12.2.1107.5.2.43.166018.2018081012084241960846031
            1.3.12.2.1107.5.2.43.166018.2018081012084241987446032
            1.3.12.2.1107.5.2.43.166018.2018081012084242014846033
            1.3.12.2.1107.5.2.43.166018.2018081012084242044346035
            1.3.12.2.1107.5.2.43.166018.2018081012084242072146037
            1.3.12.2.1107.5.2.43.166018.2018081012084242100746038
            1.3.12.2.1107.5.2.43.166018.2018081012084242129746039
            1.3.12.2.1107.5.2.43.166018.2018081012084243414046044
            1.3.12.2.1107.5.2.43.166018.2018081012084243451046045
            1.3.12.2.1107.5.2.43.166018.2018081012084244037746050
            1.3.12.2.1107.5.2.43.166018.2018081012084245210746059
            1.3.12.2.1107.5.2.43.166018.2018081012084245244446060
            1.3.12.2.1107.5.2.43.166018.2018081012084245271146061
            1.3.12.2.1107.5.2.43.166018.2018081012084250254746068
            1.3.12.2.1107.5.2.43.166018.2018081012084250402846069
            1.3.12.2.1107.5.2.43.166018.2018081012084250430946070
            1.3.12.2.1107.5.2.43.166018.2018081012084252895246077
            1.3.12.2.1107.5.2.43.166018.2018081012084252929946078
            1.3.12.2.1107.5.2.43.166018.2018081012084252956946079
            1.3.12.2.1107.5.2.43.166018.2018081012084260401346092
            1.3.12.2.1107.5.2.43.166018.2018081012084260439146093
            1.3.12.2.1107.5.2.43.166018.2018081012084260467646094
            1.3.12.2.1107.5.2.43.166018.2018081012084260495646095
            1.3.12.2.1107.5.2.43.166018.2018081012084260522646096
            1.3.12.2.1107.5.2.43.166018.2018081012084260553746097
            1.3.12.2.1107.5.2.43.166018.2018081012084266550046116
            1.3.12.2.1107.5.2.43.166018.2018081012084266900946117
            1.3.12.2.1107.5.2.43.166018.2018081012084266936346118
            1.3.12.2.1107.5.2.43.166018.2018081012084267470346119
            1.3.12.2.1107.5.2.43.166018.2018081012084267500046120
            1.3.12.2.1107.5.2.43.166018.2018081012084267526646121
            1.3.12.2.1107.5.2.43.166018.2018081012084274099246134
            1.3.12.2.1107.5.2.43.166018.2018081012084274324746135
            1.3.12.2.1107.5.2.43.166018.2018081012084274455746136
            1.3.12.2.1107.5.2.43.166018.2018081012084275394246137
            1.3.12.2.1107.5.2.43.166018.2018081012084275426446138
            1.3.12.2.1107.5.2.43.166018.2018081012084275457346139
            1.3.12.2.1107.5.2.43.166018.2018081012084281482546158
            1.3.12.2.1107.5.2.43.166018.2018081012084281810646159
            1.3.12.2.1107.5.2.43.166018.2018081012084281838646160
            1.3.12.2.1107.5.2.43.166018.2018081012084282062246161
            1.3.12.2.1107.5.2.43.166018.2018081012084282129546162
            1.3.12.2.1107.5.2.43.166018.2018081012084282157346163
            1.3.12.2.1107.5.2.43.166018.2018081012084288387346176
            1.3.12.2.1107.5.2.43.166018.2018081012084288641746177
            1.3.12.2.1107.5.2.43.166018.2018081012084288678746178
            1.3.12.2.1107.5.2.43.166018.2018081012084289450146179
            1.3.12.2.1107.5.2.43.166018.2018081012084289488246180
            1.3.12.2.1107.5.2.43.166018.2018081012084289516446181
            1.3.12.2.1107.5.2.43.166018.2018081012084295590946198
            1.3.12.2.1107.5.2.43.166018.2018081012084296095346201
            1.3.12.2.1107.5.2.43.166018.2018081012084296137246202
            1.3.12.2.1107.5.2.43.166018.2018081012084296821746203
            1.3.12.2.1107.5.2.43.166018.2018081012084296853946204
            1.3.12.2.1107.5.2.43.166018.2018081012084297165046205
            1.3.12.2.1107.5.2.43.166018.201808101208432720646212
            1.3.12.2.1107.5.2.43.166018.201808101208434281346219
            1.3.12.2.1107.5.2.43.166018.201808101208434320346220
            1.3.12.2.1107.5.2.43.166018.201808101208434348946221
            1.3.12.2.1107.5.2.43.166018.201808101208435053346222
            1.3.12.2.1107.5.2.43.166018.201808101208435087746223
            1.3.12.2.1107.5.2.43.166018.2018081012084310208346236
            1.3.12.2.1107.5.2.43.166018.2018081012084310542846241
            1.3.12.2.1107.5.2.43.166018.2018081012084310576846242
            1.3.12.2.1107.5.2.43.166018.2018081012084311631746245
            1.3.12.2.1107.5.2.43.166018.2018081012084311904746246
            1.3.12.2.1107.5.2.43.166018.2018081012084311933746247
            1.3.12.2.1107.5.2.43.166018.2018081012084317917646258
            1.3.12.2.1107.5.2.43.166018.2018081012084318163446261
            1.3.12.2.1107.5.2.43.166018.2018081012084318732046262
            """;
}
