package org.dicomsidecar.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.time.Instant;
import java.util.List;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.SortedSetDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.WildcardQuery;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.util.BytesRef;
import org.dicomsidecar.cluster.Lease;
import org.dicomsidecar.cluster.NodeHeartbeat;
import org.dicomsidecar.json.Jsonp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Documents are indexed into a real in-memory Lucene index and found by real queries. */
class DocumentMapperTest {

    private static final String STUDY = "1.2.3";
    private static final String SERIES = "1.2.3.4";

    /** One attribute of every VR group (OB/OW as bulk data), multi-valued ones, sequences, a private tag. */
    private static final String EVERY_VR = """
            {
              "00080005": {"vr": "CS", "Value": ["ISO_IR 192"]},
              "00080008": {"vr": "CS", "Value": ["ORIGINAL", "PRIMARY", "AXIAL"]},
              "00080018": {"vr": "UI", "Value": ["1.2.3.4.5"]},
              "00080020": {"vr": "DA", "Value": ["20240131"]},
              "00080030": {"vr": "TM", "Value": ["101500.25"]},
              "0008002A": {"vr": "DT", "Value": ["20240131101500.25+0100"]},
              "00080054": {"vr": "AE", "Value": ["ORTHANC"]},
              "00080060": {"vr": "CS", "Value": ["CT"]},
              "00080070": {"vr": "LO", "Value": ["Siemens Healthineers"]},
              "00080090": {"vr": "PN", "Value": [{"Alphabetic": "Welby^Marcus^A^Dr^MD",
                                                  "Ideographic": "ウェルビー^マーカス", "Phonetic": "welbi^markus"}]},
              "00081190": {"vr": "UR", "Value": ["http://archive.invalid/studies/1.2.3"]},
              "00081115": {"vr": "SQ", "Value": [
                {"0020000E": {"vr": "UI", "Value": ["9.8.7"]},
                 "00081199": {"vr": "SQ", "Value": [
                   {"00081150": {"vr": "UI", "Value": ["1.2.840.10008.5.1.4.1.1.2"]},
                    "00081155": {"vr": "UI", "Value": ["9.8.7.1"]}},
                   {"00081155": {"vr": "UI", "Value": ["9.8.7.2"]}}]}},
                {"0020000E": {"vr": "UI", "Value": ["9.8.6"]}}]},
              "00090010": {"vr": "LO", "Value": ["ACME CT RECON 1.0"]},
              "00091001": {"vr": "FD", "Value": [2.5]},
              "00091002": {"vr": "UN", "InlineBinary": "AAECAw=="},
              "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Doe^Jane"}]},
              "00101010": {"vr": "AS", "Value": ["042Y"]},
              "00102000": {"vr": "LT", "Value": ["Allergic to iodine"]},
              "00104000": {"vr": "LT", "Value": []},
              "00180015": {"vr": "CS"},
              "00180050": {"vr": "DS", "Value": ["1.25"]},
              "00181030": {"vr": "LO", "Value": ["Thorax"]},
              "00189306": {"vr": "FD", "Value": [0.6]},
              "00189305": {"vr": "FL", "Value": [1.5]},
              "00200011": {"vr": "IS", "Value": ["3"]},
              "00204000": {"vr": "LT", "Value": ["short"]},
              "00280030": {"vr": "DS", "Value": [0.5, 0.75]},
              "00280010": {"vr": "US", "Value": [512]},
              "00281052": {"vr": "DS", "Value": ["-1024"]},
              "00324000": {"vr": "LT", "Value": ["comment"]},
              "0040A043": {"vr": "SQ", "Value": []},
              "0040A124": {"vr": "UI", "Value": ["1.2.3.9"]},
              "0040A160": {"vr": "UT", "Value": ["A long report text"]},
              "0040A30A": {"vr": "DS", "Value": ["7.5"]},
              "00420011": {"vr": "OB", "BulkDataURI": "http://archive.invalid/bulk/1"},
              "00189219": {"vr": "SS", "Value": [-3]},
              "00189161": {"vr": "SL", "Value": [-70000]},
              "00189172": {"vr": "UL", "Value": [4000000000]},
              "00720064": {"vr": "SV", "Value": [9007199254740993]},
              "00720068": {"vr": "UV", "Value": [18000000000000000000]},
              "00400254": {"vr": "UC", "Value": ["An unlimited characters value"]},
              "00400280": {"vr": "ST", "Value": ["Short text"]},
              "00081030": {"vr": "LO", "Value": ["CT Thorax"]},
              "00080050": {"vr": "SH", "Value": ["ACC-17"]},
              "7FE00010": {"vr": "OW", "InlineBinary": "AAAA"}
            }""";

    private ByteBuffersDirectory directory;
    private DirectoryReader reader;
    private IndexSearcher searcher;

    @BeforeEach
    void openDirectory() {
        directory = new ByteBuffersDirectory();
    }

    @AfterEach
    void close() throws IOException {
        if (reader != null) {
            reader.close();
        }
        directory.close();
    }

    @Test
    void everyVrIsFoundByExactFoldedAndWildcardQueries() throws IOException {
        index(instance("instance:1.2.3.4.5", EVERY_VR));
        assertEquals(1, hits(term(IndexFields.ID, "instance:1.2.3.4.5")));
        assertEquals(1, hits(term(IndexFields.KIND, IndexFields.INSTANCE)));
        assertEquals(1, hits(term(IndexFields.STUDY, STUDY)));
        assertEquals(1, hits(term(IndexFields.SERIES, SERIES)));
        assertEquals(1, hits(term("t.00080060", "CT")));
        assertEquals(0, hits(term("t.00080060", "ct")));
        assertEquals(1, hits(term("t.00080070.fold", "siemens healthineers")));
        assertEquals(1, hits(new WildcardQuery(new Term("t.00080070.fold", "siemens*"))));
        assertEquals(1, hits(new WildcardQuery(new Term("t.00081030", "CT?Thorax"))));
        for (String[] tv : new String[][]{{"00080054", "ORTHANC"}, {"00101010", "042Y"}, {"00102000", "Allergic to iodine"},
                {"00080050", "ACC-17"}, {"00400280", "Short text"}, {"0040A160", "A long report text"},
                {"00400254", "An unlimited characters value"}, {"00081190", "http://archive.invalid/studies/1.2.3"},
                {"00080018", "1.2.3.4.5"}, {"00080020", "20240131"}, {"00080030", "101500.25"},
                {"0008002A", "20240131101500.25+0100"}, {"00180050", "1.25"}, {"00200011", "3"}, {"00280010", "512"}}) {
            assertEquals(1, hits(term("t." + tv[0], tv[1])), tv[0]);
        }
    }

    @Test
    void everyValueOfAMultiValuedAttributeIsAValue() throws IOException {
        index(instance("instance:1", EVERY_VR));
        assertEquals(1, hits(term("t.00080008", "PRIMARY")));
        assertEquals(1, hits(term("t.00080008", "AXIAL")));
        assertEquals(1, hits(DoublePoint.newExactQuery("t.00280030.num", 0.75)));
        assertEquals(1, hits(DoublePoint.newRangeQuery("t.00280030.num", 0.4, 0.6)));
        assertEquals(0, hits(DoublePoint.newRangeQuery("t.00280030.num", 0.8, 1.0)));
    }

    @Test
    void numbersOfEveryNumericVrAreRanges() throws IOException {
        index(instance("instance:1", EVERY_VR));
        assertEquals(1, hits(DoublePoint.newRangeQuery("t.00180050.num", 1.0, 1.5)), "DS as text");
        assertEquals(1, hits(DoublePoint.newExactQuery("t.00200011.num", 3)), "IS as text");
        assertEquals(1, hits(DoublePoint.newExactQuery("t.00281052.num", -1024)), "negative DS");
        assertEquals(1, hits(DoublePoint.newRangeQuery("t.00189305.num", 1.4, 1.6)), "FL");
        assertEquals(1, hits(DoublePoint.newExactQuery("t.00189306.num", 0.6)), "FD");
        assertEquals(1, hits(DoublePoint.newExactQuery("t.00280010.num", 512)), "US");
        assertEquals(1, hits(DoublePoint.newExactQuery("t.00189219.num", -3)), "SS");
        assertEquals(1, hits(DoublePoint.newExactQuery("t.00189161.num", -70000)), "SL");
        assertEquals(1, hits(DoublePoint.newExactQuery("t.00189172.num", 4e9)), "UL");
        assertEquals(1, hits(DoublePoint.newRangeQuery("t.00720064.num", 9e15, 1e16)), "SV");
        assertEquals(1, hits(DoublePoint.newRangeQuery("t.00720068.num", 1e19, 2e19)), "UV");
        assertEquals(1, hits(term("t.00720064", "9007199254740993")), "SV exactly, as text");
        assertEquals(0, hits(DoublePoint.newRangeQuery("t.00080060.num", Double.NEGATIVE_INFINITY,
                Double.POSITIVE_INFINITY)), "a CS is no number");
    }

    @Test
    void datesTimesAndDateTimesAreRanges() throws IOException {
        index(instance("instance:1", EVERY_VR));
        assertEquals(1, hits(LongPoint.newRangeQuery("t.00080020.date", 20240101, 20241231)));
        assertEquals(0, hits(LongPoint.newRangeQuery("t.00080020.date", 20240201, 20241231)));
        assertEquals(1, hits(LongPoint.newRangeQuery("t.00080030.time", 10 * 3_600_000, 11 * 3_600_000)));
        assertEquals(1, hits(LongPoint.newExactQuery("t.00080030.time", 36_900_250)));
        assertEquals(1, hits(LongPoint.newRangeQuery("t.0008002A.datetime", 20240131_100000_000L,
                20240131_110000_000L)));
    }

    @Test
    void sequencesAreFoundByPathThroughEveryItemAndNesting() throws IOException {
        index(instance("instance:1", EVERY_VR));
        assertEquals(1, hits(term("t.00081115.0020000E", "9.8.7")));
        assertEquals(1, hits(term("t.00081115.0020000E", "9.8.6")), "the second item");
        assertEquals(1, hits(term("t.00081115.00081199.00081155", "9.8.7.2")), "nested, second item");
        assertEquals(0, hits(term("t.0020000E", "9.8.7")), "not a top-level value");
        assertEquals(1, hits(term(IndexFields.TAGS, "00081115")));
        assertEquals(1, hits(term(IndexFields.TAGS, "00081115.00081199.00081150")));
        assertEquals(0, hits(term(IndexFields.TAGS, "0040A043")), "a sequence without items is absent");
    }

    @Test
    void privateTagsAreFieldsByNumber() throws IOException {
        index(instance("instance:1", EVERY_VR));
        assertEquals(1, hits(term("t.00090010", "ACME CT RECON 1.0")));
        assertEquals(1, hits(DoublePoint.newRangeQuery("t.00091001.num", 2, 3)));
        assertEquals(0, hits(term(IndexFields.TAGS, "00091002")), "InlineBinary is ignored");
    }

    @Test
    void presenceListsOnlyAttributesWithValues() throws IOException {
        index(instance("instance:1", EVERY_VR));
        assertEquals(1, hits(term(IndexFields.TAGS, "00080060")));
        assertEquals(0, hits(term(IndexFields.TAGS, "00180015")), "no Value");
        assertEquals(0, hits(term(IndexFields.TAGS, "00104000")), "an empty Value");
        assertEquals(0, hits(term(IndexFields.TAGS, "00420011")), "BulkDataURI");
        assertEquals(0, hits(term(IndexFields.TAGS, "7FE00010")), "pixel data");
    }

    @Test
    void personNamesByComponentWordAndGroup() throws IOException {
        index(instance("instance:1", EVERY_VR));
        assertEquals(1, hits(term("t.00080090", "Welby^Marcus^A^Dr^MD")));
        assertEquals(1, hits(term("t.00080090.fold", "welby^marcus^a^dr^md")));
        assertEquals(1, hits(term("t.00080090.family", "welby")));
        assertEquals(1, hits(term("t.00080090.given", "marcus")));
        assertEquals(1, hits(term("t.00080090.middle", "a")));
        assertEquals(1, hits(term("t.00080090.prefix", "dr")));
        assertEquals(1, hits(term("t.00080090.suffix", "md")));
        assertEquals(1, hits(new PrefixQuery(new Term("t.00080090.words", "marc"))), "fuzzy: a word's start");
        assertEquals(1, hits(term("t.00080090.ideographic", "ウェルビー^マーカス")));
        assertEquals(1, hits(term("t.00080090.phonetic", "welbi^markus")));
        assertEquals(1, hits(term("t.00100010.family", "doe")));
        assertEquals(0, hits(new WildcardQuery(new Term("t.00100010.middle", "*"))), "no empty component");
    }

    @Test
    void facetsOnShortCodes() throws IOException {
        index(instance("instance:1", EVERY_VR));
        LeafReader leaf = reader.leaves().get(0).reader();
        SortedSetDocValues modality = leaf.getSortedSetDocValues("t.00080060.facet");
        assertTrue(modality.advanceExact(0));
        assertEquals(new BytesRef("CT"), modality.lookupOrd(modality.nextOrd()));
        SortedSetDocValues imageType = leaf.getSortedSetDocValues("t.00080008.facet");
        assertTrue(imageType.advanceExact(0));
        assertEquals(3, imageType.docValueCount());
        assertEquals(null, leaf.getSortedSetDocValues("t.00080018.facet"), "no facet for UIDs");
    }

    @Test
    void malformedNumbersAndDatesAreTextOnly() throws IOException {
        index(instance("instance:1", """
                {"00180050": {"vr": "DS", "Value": ["1,5"]},
                 "00200013": {"vr": "IS", "Value": ["NaN", "12"]},
                 "00280030": {"vr": "DS", "Value": ["0.5\\\\0.5"]},
                 "00080020": {"vr": "DA", "Value": ["20241399"]},
                 "00080021": {"vr": "DA", "Value": ["unknown"]},
                 "00080030": {"vr": "TM", "Value": ["99"]},
                 "0008002A": {"vr": "DT", "Value": ["2024-13"]},
                 "00180060": {"vr": "DS", "Value": ["1e400"]}}"""));
        assertEquals(1, hits(term("t.00180050", "1,5")));
        assertEquals(0, hits(DoublePoint.newRangeQuery("t.00180050.num", Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY)));
        assertEquals(1, hits(DoublePoint.newExactQuery("t.00200013.num", 12)), "the good value of two");
        assertEquals(1, hits(term("t.00200013", "NaN")));
        assertEquals(1, hits(term("t.00280030", "0.5\\0.5")));
        assertEquals(1, hits(term("t.00080020", "20241399")));
        assertEquals(0, hits(LongPoint.newRangeQuery("t.00080020.date", Long.MIN_VALUE, Long.MAX_VALUE)));
        assertEquals(1, hits(term("t.00080021", "unknown")));
        assertEquals(0, hits(LongPoint.newRangeQuery("t.00080030.time", Long.MIN_VALUE, Long.MAX_VALUE)));
        assertEquals(0, hits(LongPoint.newRangeQuery("t.0008002A.datetime", Long.MIN_VALUE, Long.MAX_VALUE)));
        assertEquals(1, hits(DoublePoint.newExactQuery("t.00180060.num", Double.POSITIVE_INFINITY)),
                "a number beyond a double's range is at an infinity");
    }

    @Test
    void malformedStructureIsSkippedNeverThrown() throws IOException {
        index(instance("instance:1", """
                {"00080060": "CT",
                 "00080070": {"vr": "LO", "Value": "not an array"},
                 "00080080": {"vr": "LO", "Value": [true, null, ["x"], "Hospital"]},
                 "00081115": {"vr": "SQ", "Value": ["not an item", {"0020000E": {"vr": "UI", "Value": ["5.6"]}}]},
                 "not-a-tag": {"vr": "LO", "Value": ["x"]},
                 "0010002x": {"vr": "LO", "Value": ["x"]},
                 "0008103e": {"vr": "LO", "Value": ["lower-case key"]},
                 "00100020": {"vr": 7, "Value": ["id"]},
                 "00100010": {"vr": "PN", "Value": [{"Alphabetic": 5}, "Plain^Name"]},
                 "00091010": {"Value": [{"00091011": {"vr": "LO", "Value": ["inside"]}}]}}"""));
        assertEquals(0, hits(term(IndexFields.TAGS, "00080060")));
        assertEquals(0, hits(term(IndexFields.TAGS, "00080070")));
        assertEquals(1, hits(term("t.00080080", "Hospital")));
        assertEquals(1, hits(term("t.00081115.0020000E", "5.6")));
        assertEquals(1, hits(term("t.00100020", "id")));
        assertEquals(0, hits(term("t.0008103E", "lower-case key")), "a key in lower case is no tag, as the evaluator reads it");
        assertEquals(0, hits(term(IndexFields.TAGS, "0008103E")));
        assertEquals(1, hits(term("t.00100010.family", "plain")), "a PN written as a plain string");
        assertEquals(1, hits(term("t.00091010.00091011", "inside")), "a private sequence without a VR");
        assertEquals(0, hits(term(IndexFields.TAGS, "0010002X")), "not 8 hex digits");
    }

    @Test
    void hugeValuesAreCappedNeverRefused() throws IOException {
        String huge = "é".repeat(40_000);
        index(instance("instance:1", "{\"0040A160\": {\"vr\": \"UT\", \"Value\": [\"" + huge + "\"]},"
                + " \"00081030\": {\"vr\": \"LO\", \"Value\": [\"" + "x".repeat(100) + "\"]}}"));
        assertEquals(1, hits(term("t.0040A160", IndexFields.capped(huge))));
        assertEquals(512, IndexFields.capped(huge).length(), "1024 bytes of two-byte characters");
        assertEquals(1, hits(new PrefixQuery(new Term("t.0040A160.fold", "éééé"))));
        assertEquals(null, reader.leaves().get(0).reader().getSortedSetDocValues("t.00081030.facet"),
                "no facet for a value longer than any code");
    }

    @Test
    void unicodeIsFoldedAsTheQueryMatchersFoldIt() {
        assertEquals("straße", IndexFields.fold("STRAßE"));
        assertEquals("σσ", IndexFields.fold("Σς"));
        assertEquals("müller^jürgen", IndexFields.fold("MÜLLER^Jürgen"));
    }

    @Test
    void aSeriesDocumentHoldsItsSharedAttributesAndVaryingTags() throws IOException {
        JsonObject series = parse("""
                {"_id": "series:1.2.3.4", "type": "series", "study": "1.2.3", "series": "1.2.3.4",
                 "varying": ["00200013", "00200032"],
                 "dicom": {"00080060": {"vr": "CS", "Value": ["MR"]}}}""");
        index(DocumentMapper.map(series).orElseThrow());
        assertEquals(1, hits(term(IndexFields.KIND, IndexFields.SERIES_KIND)));
        assertEquals(1, hits(term(IndexFields.ID, "series:1.2.3.4")));
        assertEquals(1, hits(term(IndexFields.SERIES, SERIES)));
        assertEquals(1, hits(term("t.00080060", "MR")));
        assertEquals(1, hits(term(IndexFields.VARYING, "00200032")));
    }

    @Test
    void otherCouchDocumentsAreNotIndexed() {
        assertTrue(DocumentMapper.map(parse("{\"_id\": \"_design/x\", \"views\": {}}")).isEmpty());
        assertTrue(DocumentMapper.map(parse("{\"_id\": \"cohort:x\", \"type\": \"cohort\"}")).isEmpty());
        assertTrue(DocumentMapper.map(parse("{\"type\": \"instance\"}")).isEmpty());
    }

    @Test
    void theNodesLeaseAndHeartbeatDocumentsAreNotIndexed() {
        Instant now = Instant.parse("2025-03-01T08:00:00Z");
        assertTrue(DocumentMapper.map(Lease.heldBy("node-a", "reconcile", now, 30).document("1-a")).isEmpty());
        assertTrue(DocumentMapper.map(Lease.free("reconcile", now, 30).document("2-a")).isEmpty());
        assertTrue(DocumentMapper.map(new NodeHeartbeat("node-a", now, List.of("reconcile"), -1).document(null)).isEmpty());
    }

    @Test
    void idsComeFromTheDatasetWhenTheDocumentLacksThem() throws IOException {
        JsonObject doc = parse("""
                {"_id": "instance:5", "type": "instance",
                 "dicom": {"0020000D": {"vr": "UI", "Value": ["7.7"]}, "0020000E": {"vr": "UI", "Value": ["7.7.7"]}}}""");
        index(DocumentMapper.map(doc).orElseThrow());
        assertEquals(1, hits(term(IndexFields.STUDY, "7.7")));
        assertEquals(1, hits(term(IndexFields.SERIES, "7.7.7")));
    }

    @Test
    void deepSequencesAreBounded() throws IOException {
        String item = "{\"00081030\": {\"vr\": \"LO\", \"Value\": [\"leaf\"]}}";
        for (int i = 0; i < 40; i++) {
            item = "{\"0040A730\": {\"vr\": \"SQ\", \"Value\": [" + item + "]}}";
        }
        index(instance("instance:1", item));
        assertEquals(1, hits(term(IndexFields.TAGS, "0040A730")));
        assertEquals(0, hits(new WildcardQuery(new Term(IndexFields.TAGS, "*00081030"))));
    }

    @Test
    void realMirroredInstancesIndexAndAnswer() throws IOException {
        List<String> files = List.of("cohorts/ct-chest.json", "cohorts/mr-brain.json", "cohorts/seg-liver.json",
                "references/ct_image.json", "references/rtstruct_varian.json", "references/sr_comprehensive.json",
                "references/seg_liver_1frame.json", "references/rtplan.json", "references/kos.json");
        Document[] docs = new Document[files.size()];
        for (int i = 0; i < files.size(); i++) {
            docs[i] = DocumentMapper.map(couchDocument("instance:" + i, resource(files.get(i)))).orElseThrow();
        }
        index(docs);
        assertEquals(files.size(), searcher.getIndexReader().numDocs());
        assertTrue(hits(term("t.00100010.family", "doe")) >= 1);
        assertEquals(1, hits(DoublePoint.newRangeQuery("t.00091001.num", 2.4, 2.6)), "the CT's private FD");
        int onTheDay = hits(LongPoint.newExactQuery("t.00080020.date", 20240131));
        assertTrue(onTheDay >= 1);
        assertEquals(hits(term("t.00080020", "20240131")), onTheDay, "the point and the text agree");
        assertTrue(hits(term("t.00080060", "CT")) >= 2);
        assertTrue(hits(term(IndexFields.TAGS, "30060020.30060022")) >= 1, "RTSTRUCT ROI numbers");
        assertTrue(hits(term(IndexFields.TAGS, "0040A730")) >= 1, "SR content tree");
    }

    @Test
    void anEnhancedMrWithItsPerFrameGroupsIsOneDocument() throws IOException {
        JsonObject dataset;
        try (InputStream in = new java.util.zip.GZIPInputStream(
                DocumentMapperTest.class.getResourceAsStream("/references/mr_philips_enhanced.json.gz"))) {
            dataset = Jsonp.createReader(in).readObject();
        }
        index(DocumentMapper.map(couchDocument("instance:mr", dataset)).orElseThrow());
        String position = "t.52009230.00209113.00200032.num"; // per frame > plane position > ImagePositionPatient
        assertEquals(1, hits(DoublePoint.newRangeQuery(position, 92.70, 92.71)));
        assertEquals(0, hits(DoublePoint.newRangeQuery(position, 1000, 2000)));
        assertEquals(1, hits(term("t.00100010.words", "phantom")));
        assertEquals(1, hits(term(IndexFields.TAGS, "52009230.2005140F")), "a private sequence inside frames");
    }

    private static Document instance(String id, String dataset) {
        return DocumentMapper.map(couchDocument(id, parse(dataset))).orElseThrow();
    }

    private static JsonObject couchDocument(String id, JsonObject dataset) {
        return Jsonp.createObjectBuilder().add("_id", id).add("type", "instance")
                .add("study", STUDY).add("series", SERIES).add("dicom", dataset).build();
    }

    private static JsonObject parse(String json) {
        return Jsonp.createReader(new StringReader(json)).readObject();
    }

    private static JsonObject resource(String path) throws IOException {
        try (InputStream in = DocumentMapperTest.class.getResourceAsStream("/" + path)) {
            return Jsonp.createReader(in).readObject();
        }
    }

    private void index(Document... docs) throws IOException {
        try (IndexWriter writer = new IndexWriter(directory, new IndexWriterConfig())) {
            for (Document d : docs) {
                writer.addDocument(d);
            }
        }
        reader = DirectoryReader.open(directory);
        searcher = new IndexSearcher(reader);
    }

    private int hits(Query q) throws IOException {
        return searcher.count(q);
    }

    private static Query term(String field, String value) {
        return new TermQuery(new Term(field, value));
    }
}
