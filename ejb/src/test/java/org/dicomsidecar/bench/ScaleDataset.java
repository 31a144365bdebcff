package org.dicomsidecar.bench;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.dicomsidecar.json.Jsonp;

/**
 * Writes a seeded, deterministic dataset of mirror documents straight into CouchDB, as the mirror would have written
 * them for an archive of that size (scripts/benchmark-scale.sh runs it). A dataset of N instances is studies 0, 1,
 * 2 ... of {@link StudyPlan} up to the first whose start reaches N; {@code --from M} leaves out the studies of the
 * dataset of M instances, so that a dataset grows from one size to the next without writing anything twice.
 *
 * <pre>
 * ScaleDataset --couch http://127.0.0.1:5984 --database dicom-sidecar --seed scale --from 0 --to 200000
 *              [--threads 3] [--batch 500] [--summary FILE]
 * </pre>
 * Prints (and writes to the summary file) one JSON object: the dataset's totals, what this run wrote and how fast,
 * and probes for the questions of the benchmark (a CT series a SEG references, a patient, a procedure code).
 */
public final class ScaleDataset {

    /**
     * Raise it when the generator writes other documents for the same seed: the benchmark's data cache never reuses
     * a snapshot of another version. Changes in the mirror's own document functions show in {@link #fingerprint}.
     */
    static final int VERSION = 1;

    /** The studies of the dataset of {@code to} instances that the dataset of {@code from} does not hold. */
    record Range(List<StudyPlan> added, int studies, long series, long instances) {
    }

    private ScaleDataset() {
    }

    static Range range(String seed, long from, long to) {
        List<StudyPlan> added = new ArrayList<>();
        long start = 0;
        long series = 0;
        int index = 0;
        while (start < to) {
            StudyPlan plan = StudyPlan.of(seed, index++);
            if (start >= from) {
                added.add(plan);
            }
            start += plan.instances();
            series += plan.seriesCount();
        }
        return new Range(added, index, series, start);
    }

    /** Values the benchmark's questions need, from the dataset's first studies (in every size). */
    static JsonObject probes(String seed) {
        JsonObjectBuilder out = Jsonp.createObjectBuilder();
        StudyPlan first = StudyPlan.of(seed, 0);
        out.add("patientId", first.patient().id())
                .add("procedureCode", first.body().procedureCode())
                .add("anatomicRegionCode", first.body().regionCode());
        for (int i = 0; i < 1000; i++) {
            StudyPlan p = StudyPlan.of(seed, i);
            if (p.modality().equals("CT") && !p.segs().isEmpty()) {
                return out.add("referencedCtSeries", p.images().get(p.segs().get(0).source()).uid())
                        .add("referencedCtSeriesStudyIndex", i).build();
            }
        }
        return out.build();
    }

    /**
     * A digest of the documents of the dataset's first two studies, at a fixed time: it changes when the mirror's
     * functions give these documents another form, so that a cached snapshot of the old form is not reused.
     */
    static String fingerprint(String seed) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < 2; i++) {
                for (List<JsonObject> series : StudyDatasets.of(StudyPlan.of(seed, i))) {
                    for (JsonObject doc : MirrorBatch.documents(series, Instant.EPOCH)) {
                        digest.update(doc.toString().getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = arguments(args);
        String couch = required(a, "couch");
        String database = a.getOrDefault("database", "dicom-sidecar");
        String seed = a.getOrDefault("seed", "scale");
        long from = Long.parseLong(a.getOrDefault("from", "0"));
        long to = Long.parseLong(required(a, "to"));
        int threads = Integer.parseInt(a.getOrDefault("threads", "3"));
        int batch = Integer.parseInt(a.getOrDefault("batch", "500"));

        Range range = range(seed, from, to);
        CouchBulkWriter writer = new CouchBulkWriter(couch, database);
        writer.ensureDatabase();
        AtomicLong instances = new AtomicLong();
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> work = new ArrayList<>();
        for (StudyPlan plan : range.added()) {
            work.add(pool.submit(() -> {
                writeStudy(plan, writer, batch);
                instances.addAndGet(plan.instances());
                return null;
            }));
        }
        pool.shutdown();
        long lastReport = System.nanoTime();
        for (Future<?> f : work) {
            f.get();
            if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(15)) {
                lastReport = System.nanoTime();
                double s = (lastReport - started) / 1e9;
                System.err.printf("[scale-dataset] %,d instances written in %.0f s (%.0f/s)%n", instances.get(), s,
                        instances.get() / s);
            }
        }
        double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
        long added = range.added().stream().mapToLong(StudyPlan::instances).sum();
        JsonObject summary = Jsonp.createObjectBuilder()
                .add("seed", seed).add("generatorVersion", VERSION).add("fingerprint", fingerprint(seed))
                .add("from", from).add("to", to)
                .add("studies", range.studies()).add("series", range.series()).add("instances", range.instances())
                .add("written", Jsonp.createObjectBuilder()
                        .add("studies", range.added().size())
                        .add("instances", added)
                        .add("documents", writer.written.get())
                        .add("alreadyThere", writer.existing.get())
                        .add("bytes", writer.bytes.get())
                        .add("seconds", Math.round(seconds * 10) / 10.0)
                        .add("instancesPerSecond", Math.round(added / seconds))
                        .add("threads", threads).add("batch", batch))
                .add("probes", probes(seed))
                .build();
        System.out.println(summary);
        if (a.containsKey("summary")) {
            Files.writeString(Path.of(a.get("summary")), summary + "\n", StandardCharsets.UTF_8);
        }
    }

    private static void writeStudy(StudyPlan plan, CouchBulkWriter writer, int batch)
            throws IOException, InterruptedException {
        Instant now = Instant.now();
        List<JsonObject> pending = new ArrayList<>(batch + 320);
        for (List<JsonObject> series : StudyDatasets.of(plan)) {
            pending.addAll(MirrorBatch.documents(series, now));
            if (pending.size() >= batch) {
                writer.write(pending);
                pending = new ArrayList<>(batch + 320);
            }
        }
        if (!pending.isEmpty()) {
            writer.write(pending);
        }
    }

    private static Map<String, String> arguments(String[] args) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 == args.length) {
                throw new IllegalArgumentException("usage: --couch URL --to N [--from N] [--seed S] [--database D] "
                        + "[--threads T] [--batch B] [--summary FILE]; not understood: " + args[i]);
            }
            out.put(args[i].substring(2), args[++i]);
        }
        return out;
    }

    private static String required(Map<String, String> a, String key) {
        String v = a.get(key);
        if (v == null) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return v;
    }
}
