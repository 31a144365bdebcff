package org.dicomsidecar.bench;

import jakarta.json.JsonObject;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.lucene.search.IndexSearcher;
import org.dicomsidecar.catalog.CatalogStore;
import org.dicomsidecar.catalog.SeriesCatalog;
import org.dicomsidecar.cohorts.CohortService;
import org.dicomsidecar.index.DocumentMapper;
import org.dicomsidecar.index.IndexSchema;
import org.dicomsidecar.index.IndexSearch;
import org.dicomsidecar.index.IndexStore;
import org.dicomsidecar.json.Jsonp;
import org.dicomsidecar.qido.MirrorQidoService;
import org.dicomsidecar.qido.QidoRequest;
import org.dicomsidecar.query.CohortQueryParser;
import org.dicomsidecar.query.QueryBudget;
import org.dicomsidecar.query.QueryDeadline;

/**
 * Runs the scale benchmark's index questions in one JVM, without WildFly or CouchDB, over an index of the scale
 * dataset written straight into a folder: for profiling the query side (run it under a profiler).
 *
 * <pre>
 * QueryProfile --dir FOLDER --to 200000 [--seed scale] [--seconds 20] [--only cohort,qido-mr]
 * </pre>
 * The folder's index is built once and reused. Instance documents are not read back (no CouchDB): questions that
 * would read them report how many series they asked for.
 */
public final class QueryProfile {

    private QueryProfile() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].substring(2), args[i + 1]);
        }
        Path dir = Path.of(a.get("dir"));
        long to = Long.parseLong(a.getOrDefault("to", "200000"));
        String seed = a.getOrDefault("seed", "scale");
        boolean fresh = !Files.exists(dir.resolve("segments_1")) && !hasSegments(dir);
        IndexStore store = IndexStore.open(dir, IndexSchema.version());
        if (fresh) {
            long t0 = System.nanoTime();
            long n = 0;
            for (StudyPlan plan : ScaleDataset.range(seed, 0, to).added()) {
                for (List<JsonObject> series : StudyDatasets.of(plan)) {
                    for (JsonObject doc : MirrorBatch.documents(series, Instant.EPOCH)) {
                        var mapped = DocumentMapper.map(doc);
                        if (mapped.isPresent()) {
                            store.replace(doc.getString("_id"), mapped.get());
                            n++;
                        }
                    }
                }
            }
            store.commit("0", "profile");
            System.out.printf("built %d documents in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
        }
        store.refresh();
        List<String> readSeries = new ArrayList<>();
        IndexSearch search = new IndexSearch() {
            @Override
            public void current() {
            }

            @Override
            public <T> T search(Function<IndexSearcher, T> query) {
                return store.search(query);
            }
        };
        CatalogStore catalogStore = series -> {
            readSeries.addAll(series);
            return List.of();
        };
        SeriesCatalog catalog = new SeriesCatalog(search, catalogStore);
        QueryBudget budget = new QueryBudget() {
            @Override
            public QueryDeadline start() {
                return QueryDeadline.after(60_000);
            }
        };
        CohortService cohorts = new CohortService();
        set(cohorts, "catalog", catalog);
        set(cohorts, "budget", budget);
        set(cohorts, "instances", (org.dicomsidecar.cohorts.InstanceStore) sops -> List.of());
        MirrorQidoService qido = new MirrorQidoService();
        set(qido, "cohorts", cohorts);
        set(qido, "catalog", catalog);
        set(qido, "budget", budget);

        JsonObject probes = ScaleDataset.probes(seed);
        Map<String, Supplier<Integer>> questions = new java.util.LinkedHashMap<>();
        questions.put("cohort", () -> (int) cohorts.run(CohortQueryParser.parse(json("""
                {"level": "series", "limit": 100, "where": {"and": [
                  {"attribute": "Modality", "equals": "CT"},
                  {"attribute": "PixelSpacing", "values": "every", "near": 0.5, "tolerance": 0.01},
                  {"attribute": "SliceThickness", "lte": 1}]}}"""))).count());
        questions.put("facet", () -> (int) cohorts.run(CohortQueryParser.parse(json("""
                {"level": "series", "where": {"attribute": "Modality", "equals": "CT"}, "limit": 1,
                 "facets": [{"attribute": "PixelSpacing"}]}"""))).count());
        questions.put("qido-mr", () -> qido("/series", "Modality=MR", qido));
        questions.put("qido-dates", () -> qido("/studies", "StudyDate=20150101-20161231", qido));
        questions.put("qido-code", () -> qido("/series", "ProcedureCodeSequence.CodeValue="
                + probes.getString("procedureCode"), qido));
        questions.put("qido-patient", () -> qido("/studies", "PatientID=" + probes.getString("patientId"), qido));
        List<String> only = a.containsKey("only") ? Arrays.asList(a.get("only").split(",")) : List.copyOf(questions.keySet());
        double seconds = Double.parseDouble(a.getOrDefault("seconds", "20"));
        for (String name : only) {
            Supplier<Integer> q = questions.get(name);
            readSeries.clear();
            int size = q.get();
            int seriesRead = readSeries.size();
            for (long end = System.nanoTime() + 3_000_000_000L; System.nanoTime() < end; ) {
                q.get();
            }
            List<Long> times = new ArrayList<>();
            for (long end = System.nanoTime() + (long) (seconds * 1e9); System.nanoTime() < end; ) {
                long t = System.nanoTime();
                q.get();
                times.add(System.nanoTime() - t);
            }
            times.sort(null);
            System.out.printf("%-14s size %5d  p50 %7.2f ms  p95 %7.2f ms  (%d rounds; instance reads of %d series)%n",
                    name, size, times.get(times.size() / 2) / 1e6, times.get(times.size() * 95 / 100) / 1e6,
                    times.size(), seriesRead);
        }
        store.close();
    }

    private static boolean hasSegments(Path dir) throws java.io.IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (var files = Files.list(dir)) {
            return files.anyMatch(p -> p.getFileName().toString().startsWith("segments_"));
        }
    }

    private static int qido(String path, String query, MirrorQidoService qido) {
        QidoRequest r = QidoRequest.of(path).orElseThrow();
        // written out as the servlet writes it, so that the answer's serialisation is profiled too
        var answer = qido.query(r.query(QidoRequest.parameters(query)), "http://localhost/mirror/dicomweb");
        answer.writeTo(new java.io.BufferedWriter(new java.io.OutputStreamWriter(java.io.OutputStream.nullOutputStream(), java.nio.charset.StandardCharsets.UTF_8), 1 << 16));
        return answer.size();
    }

    private static jakarta.json.JsonValue json(String text) {
        return Jsonp.createReader(new java.io.StringReader(text)).readValue();
    }

    private static void set(Object target, String field, Object value) throws ReflectiveOperationException {
        Field f = target.getClass().getDeclaredField(field);
        f.setAccessible(true);
        f.set(target, value);
    }
}
