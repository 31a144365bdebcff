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
 * whole flood. Within a lane, series are served in arrival order. Entries whose study still has to be asked
 * about go in batches gathered over a source's lanes, so that a flood costs the host one question per batch
 * whether it came in one request or in thousands.
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

    /**
     * The source's next job. Lanes in turn: the first lane with a ready entry that may go gives it; an entry
     * to check takes with it the source's other entries to check, from this lane and the lanes after it, up
     * to {@code batch} (a flood spread over many requests is checked 50 at a time as well). With
     * {@code batch} 0 an entry to check may go only when it is the source's only one; the lanes are then
     * searched for checked entries instead. Every lane that gave an entry goes to the back of its source.
     */
    private List<Pending> takeFromSource(LinkedHashMap<Long, LinkedHashSet<String>> lanes, int batch, long nowNanos,
                                         Set<String> busy) {
        Boolean loneCheck = null;
        List<Long> ids = new ArrayList<>(lanes.keySet());
        for (int i = 0; i < ids.size(); i++) {
            Pending first = firstReady(lanes.get(ids.get(i)), nowNanos, busy, false);
            if (first == null) {
                continue;
            }
            List<Pending> job;
            if (first.checked) {
                job = List.of(first);
            } else if (batch > 0) {
                job = toCheck(lanes, ids.subList(i, ids.size()), batch, nowNanos, busy);
            } else {
                if (loneCheck == null) {
                    loneCheck = toCheck(lanes, ids, 2, nowNanos, busy).size() == 1;
                }
                if (!loneCheck) {
                    Pending checked = firstReady(lanes.get(ids.get(i)), nowNanos, busy, true);
                    if (checked == null) {
                        continue; // checks wait for the batch slot
                    }
                    first = checked;
                }
                job = List.of(first);
            }
            take(lanes, job);
            return job;
        }
        lanes.values().removeIf(Set::isEmpty);
        return List.of();
    }

    /** The lane's first ready entry (a checked one only, when {@code checkedOnly}), or null. */
    private Pending firstReady(Set<String> keys, long nowNanos, Set<String> busy, boolean checkedOnly) {
        for (String key : keys) {
            Pending p = byKey.get(key);
            if (!busy.contains(p.key) && ready(p, nowNanos) && (p.checked || !checkedOnly)) {
                return p;
            }
        }
        return null;
    }

    /** Up to {@code most} ready entries to check, from these lanes in order (not taken yet). */
    private List<Pending> toCheck(Map<Long, LinkedHashSet<String>> lanes, List<Long> ids, int most, long nowNanos,
                                  Set<String> busy) {
        List<Pending> out = new ArrayList<>();
        for (Long id : ids) {
            for (String key : lanes.get(id)) {
                Pending p = byKey.get(key);
                if (!p.checked && !busy.contains(p.key) && ready(p, nowNanos)) {
                    out.add(p);
                    if (out.size() == most) {
                        return out;
                    }
                }
            }
        }
        return out;
    }

    /** Takes the entries out of their lanes; each lane that gave one goes to the back of its source. */
    private void take(LinkedHashMap<Long, LinkedHashSet<String>> lanes, List<Pending> job) {
        for (Pending p : job) {
            byKey.remove(p.key);
            LinkedHashSet<String> keys = lanes.remove(p.lane.request());
            keys.remove(p.key);
            if (!keys.isEmpty()) {
                lanes.put(p.lane.request(), keys);
            }
        }
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
