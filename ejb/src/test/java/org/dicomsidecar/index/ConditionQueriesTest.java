package org.dicomsidecar.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.dicomsidecar.catalog.MirrorDocuments;
import org.dicomsidecar.dicom.Fixtures;
import org.dicomsidecar.dicom.Reference;
import org.dicomsidecar.dicom.ReferenceExtractor;
import org.dicomsidecar.dicom.Tags;
import org.dicomsidecar.json.Jsonp;
import org.dicomsidecar.qido.QidoQuery;
import org.dicomsidecar.qido.QidoRequest;
import org.dicomsidecar.query.CohortQuery.Level;
import org.dicomsidecar.query.CohortQueryParser;
import org.dicomsidecar.query.Condition;
import org.dicomsidecar.query.ConditionEvaluator;
import org.dicomsidecar.query.ConditionEvaluator.Truth;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The index's bounds agree with the evaluator: over the instance documents of real and hand-made datasets, every
 * document of the lower bound matches, every match is in the upper bound, and where the index decides a test
 * exactly both bounds are the matches. Over series documents (built as mirroring builds them, from series whose
 * instances differ), the lower bound is inside the series the evaluator calls TRUE and the upper bound holds every
 * series it calls TRUE or UNKNOWN; for exact forms, both are equalities.
 */
class ConditionQueriesTest {

    /** Real datasets (see the README.md of src/test/resources/references) and the cohort fixtures. */
    private static final List<String> REAL = Stream.concat(
            Stream.of("cohorts/ct-chest.json", "cohorts/mr-brain.json", "cohorts/seg-liver.json"),
            Fixtures.ALL.stream().map(f -> "references/" + f)).toList();

    private static final String LONG_TEXT = "x".repeat(1030) + "END";

    /** An instance of a series of two alike but for their UIDs. */
    private static final String ALIKE = """
            {"0020000D": {"vr": "UI", "Value": ["2.25.901"]}, "0020000E": {"vr": "UI", "Value": ["2.25.901.1"]},
             "00080018": {"vr": "UI", "Value": ["2.25.901.1.1"]}, "00080060": {"vr": "CS", "Value": ["MR"]},
             "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Doe^Jane"}, {"Alphabetic": "Roe^Richard"}]},
             "00080008": {"vr": "CS", "Value": ["ORIGINAL", null, "M"]},
             "00080020": {"vr": "DA", "Value": ["20231215"]}, "00200013": {"vr": "IS", "Value": ["007"]},
             "00180050": {"vr": "DS", "Value": ["1e2"]}, "00280030": {"vr": "DS", "Value": ["0.5", "0.7"]},
             "00180087": {"vr": "DS", "Value": [3]}, "0008103E": {"vr": "LO", "Value": [""]},
             "00080070": {"vr": "LO", "Value": ["ge medical systems"]}}
            """;

    /**
     * Hand-made instances, three series: 2.25.900.1 (three instances that differ in type, numbers, dates, names,
     * empty and malformed values), 2.25.901.1 (two instances alike but their UIDs), 2.25.902.1 (one odd instance).
     */
    private static final List<String> SYNTHETIC = List.of("""
            {"0020000D": {"vr": "UI", "Value": ["2.25.900"]}, "0020000E": {"vr": "UI", "Value": ["2.25.900.1"]},
             "00080018": {"vr": "UI", "Value": ["2.25.900.1.1"]}, "00080060": {"vr": "CS", "Value": ["CT"]},
             "00080008": {"vr": "CS", "Value": ["ORIGINAL", "PRIMARY", "AXIAL"]},
             "00280030": {"vr": "DS", "Value": [0.5, 0.5]}, "00180050": {"vr": "DS", "Value": ["1.25"]},
             "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Müller^Hans^Peter^Dr^Jr",
                 "Ideographic": "ミュラー^ハンス", "Phonetic": "myuller^hans"}]},
             "00080020": {"vr": "DA", "Value": ["2024-01-31"]}, "00080030": {"vr": "TM", "Value": ["10:15:00"]},
             "0008002A": {"vr": "DT", "Value": ["20240131101500.25+0100"]},
             "00200013": {"vr": "IS", "Value": [1]}, "0008103E": {"vr": "LO", "Value": ["Thorax ?x*"]},
             "00111010": {"vr": "LO", "Value": ["SIDECAR TEST"]}, "00111011": {"vr": "FD", "Value": [2.5]},
             "00111012": {"vr": "DS", "Value": ["7.5"]},
             "00111013": {"vr": "SQ", "Value": [{"00111014": {"vr": "LO", "Value": ["inner"]}}]},
             "00081115": {"vr": "SQ", "Value": [{"0020000E": {"vr": "UI", "Value": ["9.8.7"]},
                 "00081199": {"vr": "SQ", "Value": [{"00081155": {"vr": "UI", "Value": ["9.8.7.1"]}}]}}]},
             "00180015": {"vr": "CS", "Value": ["CHEST"]}, "00080070": {"vr": "LO", "Value": ["SIEMENS"]}}
            """, """
            {"0020000D": {"vr": "UI", "Value": ["2.25.900"]}, "0020000E": {"vr": "UI", "Value": ["2.25.900.1"]},
             "00080018": {"vr": "UI", "Value": ["2.25.900.1.2"]}, "00080060": {"vr": "CS", "Value": ["CT"]},
             "00080008": {"vr": "CS", "Value": ["DERIVED", "SECONDARY"]},
             "00280030": {"vr": "DS", "Value": [0.5, 0.5]}, "00180050": {"vr": "DS", "Value": ["abc"]},
             "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Müller^Hans^Peter^Dr^Jr",
                 "Ideographic": "ミュラー^ハンス", "Phonetic": "myuller^hans"}]},
             "00080020": {"vr": "DA", "Value": ["20240131"]}, "00080030": {"vr": "TM", "Value": ["101500"]},
             "0008002A": {"vr": "DT", "Value": ["2024"]},
             "00200013": {"vr": "IS", "Value": ["2"]}, "0008103E": {"vr": "LO", "Value": ["Thorax ?x*"]},
             "00111010": {"vr": "LO", "Value": ["SIDECAR TEST"]}, "00111011": {"vr": "FD", "Value": [3.5]},
             "00111013": {"vr": "SQ", "Value": [{"00111014": {"vr": "LO", "Value": ["other"]}}]},
             "00081115": {"vr": "SQ", "Value": [{"0020000E": {"vr": "UI", "Value": ["9.8.7"]},
                 "00081199": {"vr": "SQ", "Value": [{"00081155": {"vr": "UI", "Value": ["9.8.7.1"]}}]}}]},
             "00180015": {"vr": "CS", "Value": ["CHEST"]}, "00080070": {"vr": "LO"}}
            """, """
            {"0020000D": {"vr": "UI", "Value": ["2.25.900"]}, "0020000E": {"vr": "UI", "Value": ["2.25.900.1"]},
             "00080018": {"vr": "UI", "Value": ["2.25.900.1.3"]}, "00080060": {"vr": "CS", "Value": ["CT"]},
             "00080008": {"vr": "CS", "Value": ["ORIGINAL", "PRIMARY", "LOCALIZER"]},
             "00280030": {"vr": "DS", "Value": [0.7, 0.5]}, "00180050": {"vr": "DS", "Value": [1.25]},
             "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Müller^Hans^Peter^Dr^Jr",
                 "Ideographic": "ミュラー^ハンス", "Phonetic": "myuller^hans"}]},
             "00080020": {"vr": "DA", "Value": ["20240131"]}, "00080030": {"vr": "TM", "Value": ["101501.5"]},
             "0008002A": {"vr": "DT", "Value": ["202401311015"]},
             "00200013": {"vr": "IS", "Value": ["3"]}, "0008103E": {"vr": "LO", "Value": ["Thorax ?x*"]},
             "00111010": {"vr": "LO", "Value": ["SIDECAR TEST"]}, "00111011": {"vr": "FD", "Value": [2.5]},
             "00111013": {"vr": "SQ", "Value": [{"00111014": {"vr": "LO", "Value": ["inner"]}}]},
             "00081115": {"vr": "SQ", "Value": [{"0020000E": {"vr": "UI", "Value": ["9.8.7"]},
                 "00081199": {"vr": "SQ", "Value": [{"00081155": {"vr": "UI", "Value": ["9.8.7.1"]}}]}}]},
             "00180015": {"vr": "CS", "Value": ["CHEST"]}, "00080070": {"vr": "LO", "Value": ["ACME"]}}
            """, ALIKE, ALIKE.replace("2.25.901.1.1\"", "2.25.901.1.2\""), """
            {"0020000D": {"vr": "UI", "Value": ["2.25.902"]}, "0020000E": {"vr": "UI", "Value": ["2.25.902.1"]},
             "00080018": {"vr": "UI", "Value": ["2.25.902.1.1"]}, "00080060": {"vr": "CS", "Value": ["OT"]},
             "00100010": {"vr": "PN", "Value": [{"Alphabetic": ""}, {"Ideographic": "山田^太郎"}]},
             "00080090": {"vr": "PN", "Value": ["Yamada^Tarou=山田^太郎"]},
             "00180050": {"vr": "DS", "Value": ["1e400"]}, "00181030": {"vr": "LO", "Value": ["LONGTEXT"]},
             "00080020": {"vr": "DA", "Value": ["20240230"]}, "00080030": {"vr": "TM", "Value": ["2500"]},
             "00204000": {"vr": "LT", "Value": ["LONGTEXT"]}, "00080070": {"vr": "LO", "Value": ["İstanbul ıi"]},
             "00200013": {"vr": "IS", "Value": []}, "00280030": {"vr": "DS", "Value": [null, 0.25]},
             "0040a160": {"vr": "UT", "Value": ["a tag in lower case"]},
             "00180088": {"vr": "LO", "Value": ["2.5"]}, "00181000": {"vr": "LO", "Value": [5]}, "00181020": {"vr": "DS", "Value": ["V1.0"]},
             "00091020": {"vr": "UN", "Value": [{"00091021": {"vr": "LO", "Value": ["deep"]}}]}}
            """.replace("LONGTEXT", LONG_TEXT));

    /** A condition, and whether ConditionQueries says it decides it exactly (equal bounds on instances). */
    record Case(String name, Condition condition, boolean exact) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case exact(String where) {
        return new Case(where, parse(where), true);
    }

    private static Case bounded(String where) {
        return new Case(where, parse(where), false);
    }

    private static Case qido(String query, boolean exact) {
        return new Case("QIDO " + query, QidoQuery.parse(Level.SERIES, null, null, QidoRequest.parameters(query)).where(),
                exact);
    }

    private static Condition parse(String where) {
        String json = "{\"where\": " + where.replace('\'', '"') + "}";
        return CohortQueryParser.parse(Jsonp.createReader(new StringReader(json)).readObject()).where();
    }

    static Stream<Case> cases() {
        return Stream.of(
                exact("{'attribute': 'Modality', 'equals': 'CT'}"),
                exact("{'attribute': 'Modality', 'equals': 'ct'}"),
                exact("{'attribute': 'Modality', 'equals': 'ct', 'caseInsensitive': true}"),
                exact("{'attribute': 'Manufacturer', 'equals': 'GE MEDICAL SYSTEMS', 'caseInsensitive': true}"),
                exact("{'attribute': 'Manufacturer', 'equals': 'İSTANBUL Ii', 'caseInsensitive': true}"),
                exact("{'attribute': 'Manufacturer', 'equals': 'istanbul II', 'caseInsensitive': true}"),
                exact("{'attribute': 'SeriesDescription', 'equals': ''}"),
                exact("{'attribute': 'ImageType', 'equals': 'PRIMARY'}"),
                exact("{'attribute': 'ImageType', 'in': ['LOCALIZER', 'SECONDARY']}"),
                exact("{'attribute': 'Modality', 'in': ['mr', 'SEG'], 'caseInsensitive': true}"),
                exact("{'attribute': 'PatientName', 'equals': 'Doe^Jane'}"),
                exact("{'attribute': 'PatientName', 'equals': 'müller^hans^peter^dr^jr', 'caseInsensitive': true}"),
                exact("{'attribute': 'PatientName', 'equals': ''}"),
                exact("{'attribute': 'ReferringPhysicianName', 'equals': 'Yamada^Tarou=山田^太郎'}"),
                exact("{'attribute': 'SliceThickness', 'equals': 1.25}"),
                exact("{'attribute': 'SliceThickness', 'equals': 100}"),
                exact("{'attribute': 'SliceThickness', 'equals': 1}"),
                exact("{'attribute': 'SliceThickness', 'in': [1.0, 3, 100]}"),
                exact("{'attribute': 'InstanceNumber', 'equals': 7}"),
                exact("{'attribute': 'InstanceNumber', 'gte': 2}"),
                exact("{'attribute': 'InstanceNumber', 'lt': 3}"),
                exact("{'attribute': 'PixelSpacing', 'gt': 0.5}"),
                exact("{'attribute': 'PixelSpacing', 'lte': 0.25}"),
                exact("{'attribute': 'PixelSpacing', 'gt': 0.4, 'lt': 0.6}"),
                exact("{'attribute': 'PixelSpacing', 'range': [0.5, 0.7]}"),
                exact("{'attribute': 'SliceThickness', 'near': 1.2, 'tolerance': 0.05}"),
                exact("{'attribute': 'MagneticFieldStrength', 'near': 3}"),
                exact("{'attribute': 'Rows', 'gte': 384}"),
                exact("{'attribute': 'SliceThickness', 'gte': 1e300}"),
                bounded("{'attribute': 'SliceThickness', 'lte': 1e400}"),
                exact("{'attribute': 'StudyDate', 'equals': '2024-01-31'}"),
                exact("{'attribute': 'StudyDate', 'range': ['20231201', '20240131']}"),
                exact("{'attribute': 'StudyDate', 'gt': '20240101'}"),
                exact("{'attribute': 'StudyTime', 'gte': '10:15:00', 'lt': '101501'}"),
                exact("{'attribute': 'StudyTime', 'lt': '12'}"),
                exact("{'attribute': 'SeriesTime', 'range': ['080000', '120000']}"),
                exact("{'attribute': 'AcquisitionDateTime', 'gte': '2024-01-31T10:00'}"),
                exact("{'attribute': 'AcquisitionDateTime', 'lt': '20240131'}"),
                exact("{'attribute': 'SeriesDescription', 'matches': 'Thorax*'}"),
                exact("{'attribute': 'SeriesDescription', 'matches': '*?x\\\\*'}"),
                exact("{'attribute': 'SeriesDescription', 'matches': '*chest*', 'caseInsensitive': true}"),
                exact("{'attribute': 'SeriesDescription', 'matches': 'T? ??????'}"),
                exact("{'attribute': 'SeriesDescription', 'matches': '*'}"),
                exact("{'attribute': 'PatientName', 'matches': '*^J*'}"),
                exact("{'attribute': 'PatientName', 'matches': 'mü*', 'caseInsensitive': true}"),
                exact("{'attribute': 'Manufacturer', 'matches': '*i', 'caseInsensitive': true}"),
                bounded("{'attribute': 'ImageComments', 'matches': 'x*END'}"),
                bounded("{'attribute': 'ImageComments', 'matches': '*END'}"),
                bounded("{'attribute': 'ImageComments', 'matches': 'x*x'}"),
                bounded("{'attribute': 'ImageComments', 'matches': '" + "x".repeat(1024) + "*'}"),
                bounded("{'attribute': 'ImageComments', 'equals': '" + "x".repeat(1024) + "'}"),
                bounded("{'attribute': 'ImageComments', 'equals': '" + "x".repeat(1022) + "'}"),
                exact("{'attribute': 'ImageComments', 'equals': '" + "x".repeat(1020) + "'}"),
                exact("{'attribute': 'ImageComments', 'gte': '" + "x".repeat(900) + "'}"),
                bounded("{'attribute': 'ImageComments', 'gte': '" + "x".repeat(1020) + "'}"),
                bounded("{'attribute': 'ImageComments', 'lte': '" + "x".repeat(1024) + "'}"),
                bounded("{'attribute': 'ImageComments', 'values': 1, 'matches': '*END'}"),
                exact("{'attribute': '00111012', 'gt': 7}"),
                bounded("{'attribute': '00111012', 'exists': false}"),
                bounded("{'attribute': 'ImageComments', 'equals': '" + LONG_TEXT + "'}"),
                exact("{'attribute': 'Manufacturer', 'exists': true}"),
                exact("{'attribute': 'Manufacturer', 'exists': false}"),
                exact("{'attribute': 'InstanceNumber', 'exists': true}"),
                exact("{'attribute': 'PatientName', 'exists': true}"),
                exact("{'attribute': 'PatientName', 'exists': false}"),
                exact("{'attribute': 'ImageType', 'values': 'every', 'exists': true}"),
                exact("{'attribute': 'ReferencedSeriesSequence.SeriesInstanceUID', 'exists': true}"),
                exact("{'attribute': 'ReferencedSeriesSequence.SeriesInstanceUID', 'equals': '9.8.7'}"),
                exact("{'attribute': 'ReferencedSeriesSequence.ReferencedSOPSequence.ReferencedSOPInstanceUID',"
                        + " 'matches': '9.8.7.*'}"),
                exact("{'attribute': 'SegmentSequence.SegmentAlgorithmType', 'in': ['AUTOMATIC', 'SEMIAUTOMATIC']}"),
                exact("{'attribute': 'SegmentSequence.SegmentAlgorithmType', 'exists': false}"),
                exact("{'attribute': 'PerFrameFunctionalGroupsSequence.PixelMeasuresSequence.SliceThickness',"
                        + " 'gt': 0}"),
                exact("{'attribute': 'SharedFunctionalGroupsSequence.MRTimingAndRelatedParametersSequence"
                        + ".RepetitionTime', 'lt': 100}"),
                exact("{'attribute': 'ContentSequence.ConceptNameCodeSequence.CodeMeaning', 'matches': '*finding*',"
                        + " 'caseInsensitive': true}"),
                exact("{'attribute': 'ContentSequence.ContentSequence.TextValue', 'exists': true}"),
                exact("{'attribute': 'ROIContourSequence.ContourSequence.NumberOfContourPoints', 'gte': 4}"),
                exact("{'attribute': 'StructureSetROISequence.ROIName', 'equals': 'Tumor', 'caseInsensitive': true}"),
                exact("{'attribute': 'BeamSequence.BeamName', 'exists': true}"),
                exact("{'attribute': 'DoseUnits', 'equals': 'GY'}"),
                exact("{'attribute': 'TextValue', 'equals': 'a tag in lower case'}"),
                exact("{'attribute': 'TextValue', 'exists': true}"), // a tag in lower case is no attribute
                exact("{'attribute': 'SpacingBetweenSlices', 'equals': 2.5}"), // read by the dictionary's VR
                exact("{'attribute': 'SoftwareVersions', 'equals': 'V1.0'}"),
                exact("{'attribute': 'DeviceSerialNumber', 'equals': '5'}"), // a JSON number is no text
                exact("{'attribute': 'DeviceSerialNumber', 'matches': '5*'}"),
                exact("{'attribute': 'DeviceSerialNumber', 'gte': '0'}"),
                exact("{'attribute': 'DeviceSerialNumber', 'exists': true}"),
                bounded("{'attribute': '00091020.00091021', 'equals': 'deep'}"),
                exact("{'attribute': '00091001', 'equals': 2.5}"),
                exact("{'attribute': '(0011,1011)', 'gte': 3}"),
                exact("{'attribute': '00111012', 'equals': 7.5}"),
                bounded("{'attribute': '00111012', 'equals': '7.5'}"),
                bounded("{'attribute': '00111010', 'equals': 'SIDECAR TEST'}"),
                bounded("{'attribute': '00111013.00111014', 'equals': 'inner'}"),
                bounded("{'attribute': '00111013', 'exists': true}"),
                bounded("{'attribute': '20011003', 'exists': true}"),
                bounded("{'attribute': 'PixelSpacing', 'values': 1, 'equals': 0.7}"),
                bounded("{'attribute': 'PixelSpacing', 'values': 2, 'gte': 0.5}"),
                exact("{'attribute': 'PixelSpacing', 'values': 'every', 'equals': 0.5}"),
                exact("{'attribute': 'PixelSpacing', 'values': 'every', 'gte': 0.5}"),
                exact("{'attribute': 'PixelSpacing', 'values': 'every', 'lte': 0.3}"),
                exact("{'attribute': 'PixelSpacing', 'values': 'every', 'near': 0.5, 'tolerance': 0.01}"),
                exact("{'attribute': 'SliceThickness', 'values': 'every', 'gte': 1}"),
                exact("{'not': {'attribute': 'PixelSpacing', 'values': 'every', 'gt': 0.4}}"),
                bounded("{'attribute': 'ImageType', 'values': 'every', 'matches': '*A*'}"),
                bounded("{'attribute': 'ImageType', 'values': 3, 'equals': 'AXIAL'}"),
                bounded("{'attribute': 'ImageType', 'values': 2, 'exists': true}"),
                bounded("{'attribute': 'PixelSpacing', 'values': 1, 'exists': false}"),
                exact("{'and': [{'attribute': 'Modality', 'equals': 'CT'}, {'attribute': 'SliceThickness', 'lt': 2}]}"),
                exact("{'or': [{'attribute': 'Modality', 'equals': 'SEG'}, {'attribute': 'BodyPartExamined',"
                        + " 'equals': 'CHEST'}]}"),
                exact("{'not': {'attribute': 'Modality', 'in': ['CT', 'MR']}}"),
                exact("{'not': {'attribute': 'InstanceNumber', 'gte': 2}}"),
                exact("{'not': {'not': {'attribute': 'ImageType', 'equals': 'DERIVED'}}}"),
                exact("{'and': [{'not': {'attribute': 'Manufacturer', 'exists': true}},"
                        + " {'or': [{'attribute': 'StudyDate', 'lt': '20240201'}, {'attribute': 'PatientName',"
                        + " 'matches': 'Doe*'}]}]}"),
                bounded("{'or': [{'attribute': 'PixelSpacing', 'values': 1, 'equals': 0.7},"
                        + " {'attribute': 'Modality', 'equals': 'MR'}]}"),
                bounded("{'not': {'attribute': 'ImageType', 'values': 'every', 'in': ['ORIGINAL', 'PRIMARY', 'AXIAL']}}"),
                bounded("{'and': [{'attribute': 'Modality', 'equals': 'CT'}, {'not': {'attribute': 'PixelSpacing',"
                        + " 'values': 2, 'equals': 0.5}}]}"),
                qido("PatientName=doe&fuzzymatching=true", true),
                qido("PatientName=HANS&fuzzymatching=true", true),
                qido("PatientName=m*&fuzzymatching=true", true),
                qido("PatientName=?&fuzzymatching=true", true),
                qido("PatientName=doe^j&fuzzymatching=true", false),
                qido("PatientName=Doe*", true),
                qido("StudyDate=20240101-", true),
                qido("StudyDate=-2023", true),
                qido("StudyDate=2023-2024", true),
                qido("StudyTime=1015-", true),
                qido("Modality=CT&StudyDate=20240131", true),
                qido("SeriesInstanceUID=2.25.900.1,2.25.901.1", true),
                qido("SeriesDescription=T*", true),
                qido("PixelSpacing=0.5\\0.5", false),
                qido("ImageType=ORIGINAL\\PRIMARY", false),
                qido("ReferencedSeriesSequence.SeriesInstanceUID=9.8.7", true),
                qido("SliceThickness=1.25", true));
    }

    private static ByteBuffersDirectory instanceIndex;
    private static ByteBuffersDirectory seriesIndex;
    private static IndexSearcher instances;
    private static IndexSearcher series;
    /** Instance datasets (as the instance documents hold them) by document id. */
    private static final Map<String, JsonObject> instanceDatasets = new LinkedHashMap<>();
    /** Series documents (shared attributes and varying tags) by document id. */
    private static final Map<String, JsonObject> seriesDocuments = new LinkedHashMap<>();

    @BeforeAll
    static void indexEveryDataset() throws IOException {
        List<JsonObject> datasets = new ArrayList<>();
        REAL.forEach(f -> datasets.add(load(f)));
        SYNTHETIC.forEach(s -> datasets.add(Jsonp.createReader(new StringReader(s)).readObject()));
        Map<String, List<JsonObject>> bySeries = new LinkedHashMap<>();
        for (JsonObject d : datasets) {
            bySeries.computeIfAbsent(MirrorDocuments.string(d, Tags.SERIES_INSTANCE_UID).orElseThrow(),
                    k -> new ArrayList<>()).add(MirrorDocuments.withoutBulkData(d));
        }
        instanceIndex = new ByteBuffersDirectory();
        seriesIndex = new ByteBuffersDirectory();
        try (IndexWriter iw = new IndexWriter(instanceIndex, new IndexWriterConfig());
             IndexWriter sw = new IndexWriter(seriesIndex, new IndexWriterConfig())) {
            for (List<JsonObject> members : bySeries.values()) {
                Map<String, String> hashes = new LinkedHashMap<>();
                Map<String, List<Reference>> references = new LinkedHashMap<>();
                for (JsonObject d : members) {
                    String sop = MirrorDocuments.string(d, Tags.SOP_INSTANCE_UID).orElseThrow();
                    List<Reference> refs = ReferenceExtractor.references(d);
                    hashes.put(sop, MirrorDocuments.hash(d));
                    references.put(sop, refs);
                    JsonObject doc = MirrorDocuments.instanceDocument(d, hashes.get(sop), Instant.EPOCH, refs);
                    instanceDatasets.put(doc.getString("_id"), doc.getJsonObject("dicom"));
                    iw.addDocument(DocumentMapper.map(doc).orElseThrow());
                }
                JsonObject doc = MirrorDocuments.seriesDocument(members, hashes, Instant.EPOCH, references);
                seriesDocuments.put(doc.getString("_id"), doc);
                sw.addDocument(DocumentMapper.map(doc).orElseThrow());
            }
        }
        instances = new IndexSearcher(DirectoryReader.open(instanceIndex));
        series = new IndexSearcher(DirectoryReader.open(seriesIndex));
        assertTrue(seriesDocuments.values().stream().anyMatch(s -> s.getJsonArray("varying").size() > 3),
                "some series' instances differ");
    }

    @AfterAll
    static void close() throws IOException {
        instances.getIndexReader().close();
        series.getIndexReader().close();
        instanceIndex.close();
        seriesIndex.close();
    }

    private static JsonObject load(String file) {
        return file.startsWith("references/") ? Fixtures.load(file.substring("references/".length()))
                : org.dicomsidecar.catalog.InMemoryCatalogStore.fixture(file.substring("cohorts/".length()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void onInstancesTheBoundsHoldTheEvaluatorsMatches(Case c) {
        ConditionQueries.Bounds bounds = ConditionQueries.onInstances(c.condition());
        Set<String> matches = new TreeSet<>();
        instanceDatasets.forEach((id, d) -> {
            if (ConditionEvaluator.matches(c.condition(), d)) {
                matches.add(id);
            }
        });
        Set<String> lower = ids(instances, bounds.lower());
        Set<String> upper = ids(instances, bounds.upper());
        assertSubset(lower, matches, "lower bound outside the matches");
        assertSubset(matches, upper, "matches outside the upper bound");
        if (c.exact()) {
            assertEquals(matches, lower, "decided exactly: the lower bound is every match");
            assertEquals(matches, upper, "decided exactly: the upper bound is every match");
        }
    }

    /**
     * Every value compared with numbers: the lower bound is every match where all values are numbers; a path that
     * also holds an empty position ([null, 0.25]) is left to the evaluator, which says no.
     */
    @ParameterizedTest
    @ValueSource(strings = {"{'attribute': 'PixelSpacing', 'values': 'every', 'gte': 0.5}",
        "{'attribute': 'PixelSpacing', 'values': 'every', 'equals': 0.5}",
        "{'attribute': 'PixelSpacing', 'values': 'every', 'near': 0.5, 'tolerance': 0.2}",
        "{'attribute': 'PixelSpacing', 'values': 'every', 'lte': 0.3}"})
    void everyValueComparedWithNumbersIsDecidedWhereEveryValueIsANumber(String where) {
        Condition c = parse(where);
        Set<String> matches = new TreeSet<>();
        instanceDatasets.forEach((id, d) -> {
            if (ConditionEvaluator.matches(c, d)) {
                matches.add(id);
            }
        });
        assertEquals(matches, ids(instances, ConditionQueries.onInstances(c).lower()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void onSeriesTheBoundsHoldWhatTheEvaluatorDecides(Case c) {
        ConditionQueries.Bounds bounds = ConditionQueries.onSeries(c.condition());
        Set<String> surely = new TreeSet<>();
        Set<String> maybe = new TreeSet<>();
        seriesDocuments.forEach((id, doc) -> {
            Set<String> varying = new TreeSet<>();
            doc.getJsonArray("varying").forEach(v -> varying.add(((jakarta.json.JsonString) v).getString()));
            Truth t = ConditionEvaluator.evaluate(c.condition(), doc.getJsonObject("dicom"), varying);
            if (t == Truth.TRUE) {
                surely.add(id);
            }
            if (t != Truth.FALSE) {
                maybe.add(id);
            }
        });
        Set<String> lower = ids(series, bounds.lower());
        Set<String> upper = ids(series, bounds.upper());
        assertSubset(lower, surely, "lower bound outside the series that surely match");
        assertSubset(maybe, upper, "series that may match outside the upper bound");
        if (c.exact()) {
            assertEquals(surely, lower, "decided exactly: the lower bound is what surely matches");
            assertEquals(maybe, upper, "decided exactly: the upper bound is what may match");
        }
    }

    private static Set<String> ids(IndexSearcher searcher, Query q) {
        try {
            Set<String> out = new TreeSet<>();
            for (ScoreDoc d : searcher.search(q, Math.max(1, searcher.getIndexReader().maxDoc())).scoreDocs) {
                out.add(searcher.storedFields().document(d.doc).get(IndexFields.ID));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertSubset(Set<String> part, Set<String> whole, String what) {
        Set<String> outside = new TreeSet<>(part);
        outside.removeAll(whole);
        assertTrue(outside.isEmpty(), what + ": " + outside);
    }
}
