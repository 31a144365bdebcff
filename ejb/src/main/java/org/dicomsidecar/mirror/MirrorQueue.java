package org.dicomsidecar.mirror;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dicomsidecar.ingest.JournaledEvent;

/**
 * The mirror's pending work, coalesced per series (or per study for study-level events) and served fairly:
 * every request that brought events (a notification body, a page of Orthanc's changes, a STOW answer) is a
 * lane of its source; sources take turns, and within a source its lanes take turns. A request that floods
 * the queue with thousands of series therefore delays another request's series by one turn, not by the
 * whole flood. Within a lane, series are served in arrival order.
 *
 * <p>A series is ready once quiet for {@code quietNanos} (or {@code maxDelayNanos} after its first event) and
 * past its back-off. Not thread-safe: the mirror service holds its lock around every call.
 */
final class MirrorQueue {

    /** The lane of events brought by one request of one source; request 0 is what the journal replayed. */
    record Lane(String source, long request) {
    }

    /** Pending events of one series (or study), with their timing and retry state. */
    static final class Pending {
        final String key;
        final String study;
        final String series;
        final Lane lane;
        final List<JournaledEvent> events = new ArrayList<>();
        long firstNanos;
        long lastNanos;
        long notBeforeNanos;
        int failures;
        /** The host was asked whether it holds the study (and series), and it does: what remains is mirroring. */
        boolean checked;

        Pending(String study, String series, Lane lane) {
            this.key = key(study, series);
            this.study = study;
            this.series = series;
            this.lane = lane;
        }

        static String key(String study, String series) {
            return study + "/" + (series == null ? "*" : series);
        }
    }

    private final long quietNanos;
    private final long maxDelayNanos;
    private final Map<String, Pending> byKey = new HashMap<>();
    /** Sources in serving order, each with its lanes in serving order, each lane with its keys in arrival order. */
    private final LinkedHashMap<String, LinkedHashMap<Long, LinkedHashSet<String>>> sources = new LinkedHashMap<>();

    MirrorQueue(long quietNanos, long maxDelayNanos) {
        this.quietNanos = quietNanos;
        this.maxDelayNanos = maxDelayNanos;
    }

    /** Adds an event of a request: to its series' pending entry, or to a new one in the request's lane. */
    void add(JournaledEvent event, long request, long nowNanos) {
        String key = Pending.key(event.event().studyUid(), event.event().seriesUid());
        Pending p = byKey.get(key);
        if (p == null) {
            p = new Pending(event.event().studyUid(), event.event().seriesUid(), new Lane(event.event().source(), request));
            p.firstNanos = nowNanos;
            byKey.put(key, p);
            laneOf(p.lane).add(key);
        }
        p.events.add(event);
        p.lastNanos = nowNanos;
    }

    /**
     * Puts back an entry taken earlier (to retry it, or to mirror it once its study was found), merged with
     * events that came for the same series meanwhile.
     */
    void putBack(Pending p) {
        Pending newer = byKey.remove(p.key);
        if (newer != null) {
            removeFromLane(newer.lane, p.key);
            p.events.addAll(newer.events);
            p.lastNanos = Math.max(p.lastNanos, newer.lastNanos);
        }
        byKey.put(p.key, p);
        laneOf(p.lane).add(p.key);
    }

    /**
     * Takes up to {@code jobs} jobs of ready work, one lane's turn per job, skipping keys in {@code busy}
     * (being mirrored). A job is one entry whose study is checked, or up to {@code batch} entries of one lane
     * whose studies still have to be checked (one question to the host answers them all). At most
     * {@code batches} jobs of several entries are taken: a lane that would give one waits its next turn, so
     * that a flood's checks keep to a share of the workers and of the host.
     */
    List<List<Pending>> take(int jobs, int batch, int batches, long nowNanos, Set<String> busy) {
        List<List<Pending>> out = new ArrayList<>();
        int idle = 0;
        int batchesLeft = batches;
        while (out.size() < jobs && !sources.isEmpty() && idle < sources.size()) {
            String source = sources.keySet().iterator().next();
            LinkedHashMap<Long, LinkedHashSet<String>> lanes = sources.remove(source);
            List<Pending> job = takeFromSource(lanes, batchesLeft > 0 ? batch : 0, nowNanos, busy);
            if (!lanes.isEmpty()) {
                sources.put(source, lanes); // to the back: the other sources go first next time
            }
            if (job.isEmpty()) {
                idle++;
            } else {
                out.add(job);
                batchesLeft -= job.size() > 1 ? 1 : 0;
                idle = 0;
            }
        }
        return out;
    }

    private List<Pending> takeFromSource(LinkedHashMap<Long, LinkedHashSet<String>> lanes, int batch, long nowNanos,
                                         Set<String> busy) {
        for (Map.Entry<Long, LinkedHashSet<String>> lane : lanes.entrySet()) {
            List<Pending> job = takeFromLane(lane.getValue(), batch, nowNanos, busy);
            if (!job.isEmpty()) {
                Long id = lane.getKey();
                LinkedHashSet<String> keys = lanes.remove(id);
                if (!keys.isEmpty()) {
                    lanes.put(id, keys); // to the back of its source
                }
                return job;
            }
        }
        lanes.values().removeIf(Set::isEmpty);
        return List.of();
    }

    /**
     * The lane's next job; empty when nothing is ready, or when {@code batch} is 0 (no batch may go now) and
     * the lane has several entries to check: only a lone one may go then.
     */
    private List<Pending> takeFromLane(LinkedHashSet<String> keys, int batch, long nowNanos, Set<String> busy) {
        int most = batch == 0 ? 2 : batch; // with no batch allowed, look for a second only to tell a lone one
        List<Pending> job = new ArrayList<>();
        for (String key : keys) {
            Pending p = byKey.get(key);
            if (busy.contains(p.key) || !ready(p, nowNanos)) {
                continue;
            }
            if (job.isEmpty() || !p.checked && !job.get(0).checked) {
                job.add(p);
                if (p.checked || job.size() == most) {
                    break;
                }
            }
        }
        if (batch == 0 && job.size() > 1) {
            return List.of(); // several to check, and no batch may go now: the lane waits its next turn
        }
        for (Pending p : job) {
            keys.remove(p.key);
            byKey.remove(p.key);
        }
        return job;
    }

    private boolean ready(Pending p, long nowNanos) {
        boolean quiet = nowNanos - p.lastNanos >= quietNanos;
        boolean overdue = nowNanos - p.firstNanos >= maxDelayNanos;
        return (quiet || overdue) && nowNanos >= p.notBeforeNanos;
    }

    /** Series (or studies) waiting, in back-off included. */
    int size() {
        return byKey.size();
    }

    /** Events waiting whose series failed at least once (waiting for their retry). */
    long failingEvents() {
        return byKey.values().stream().filter(p -> p.failures > 0).mapToLong(p -> p.events.size()).sum();
    }

    private LinkedHashSet<String> laneOf(Lane lane) {
        return sources.computeIfAbsent(lane.source(), s -> new LinkedHashMap<>())
                .computeIfAbsent(lane.request(), r -> new LinkedHashSet<>());
    }

    private void removeFromLane(Lane lane, String key) {
        LinkedHashMap<Long, LinkedHashSet<String>> lanes = sources.get(lane.source());
        if (lanes == null) {
            return;
        }
        LinkedHashSet<String> keys = lanes.get(lane.request());
        if (keys != null && keys.remove(key) && keys.isEmpty()) {
            lanes.remove(lane.request());
            if (lanes.isEmpty()) {
                sources.remove(lane.source());
            }
        }
    }
}
