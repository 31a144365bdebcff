package org.dicomsidecar.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.util.List;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.dicomsidecar.json.Jsonp;
import org.dicomsidecar.query.AttributePath;
import org.dicomsidecar.query.ConditionEvaluator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every value the cohort evaluator reads from a real dataset's top-level attribute is found in the index by the
 * field that will answer the same question: text by an exact and a folded term, numbers by an exact point.
 */
class EvaluatorAgreementTest {

    @ParameterizedTest
    @ValueSource(strings = {"cohorts/ct-chest.json", "cohorts/mr-brain.json", "cohorts/seg-liver.json",
            "references/mr_siemens_source_image.json", "references/rtdose.json", "references/sr_test.json"})
    void everyValueTheEvaluatorReadsIsFoundByItsField(String file) throws IOException {
        JsonObject dataset;
        try (InputStream in = getClass().getResourceAsStream("/" + file)) {
            dataset = Jsonp.createReader(in).readObject();
        }
        JsonObject couch = Jsonp.createObjectBuilder().add("_id", "instance:1").add("type", "instance")
                .add("dicom", dataset).build();
        try (ByteBuffersDirectory dir = new ByteBuffersDirectory()) {
            try (IndexWriter w = new IndexWriter(dir, new IndexWriterConfig())) {
                w.addDocument(DocumentMapper.map(couch).orElseThrow());
            }
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                IndexSearcher searcher = new IndexSearcher(reader);
                int checked = 0;
                for (var e : dataset.entrySet()) {
                    JsonValue vr = e.getValue().asJsonObject().get("vr");
                    if (vr == null || "SQ".equals(e.getValue().asJsonObject().getString("vr"))) {
                        continue;
                    }
                    String tag = e.getKey();
                    AttributePath path = AttributePath.parse(tag, "test");
                    for (Object value : ConditionEvaluator.values(dataset, path)) {
                        for (Query q : queries(tag, value)) {
                            assertEquals(1, searcher.count(q), file + " " + tag + " " + q);
                            checked++;
                        }
                    }
                }
                assertEquals(true, checked > 10, "checked " + checked);
            }
        }
    }

    private static List<Query> queries(String tag, Object value) {
        if (value instanceof BigDecimal n) {
            return List.of(DoublePoint.newExactQuery(IndexFields.field(List.of(tag), IndexFields.NUM), n.doubleValue()));
        }
        if (value instanceof String s) {
            return List.of(new TermQuery(new Term(IndexFields.field(List.of(tag), IndexFields.EXACT), IndexFields.capped(s))),
                    new TermQuery(new Term(IndexFields.field(List.of(tag), IndexFields.FOLD),
                            IndexFields.capped(IndexFields.fold(s)))));
        }
        return List.of(); // null: no value
    }
}
