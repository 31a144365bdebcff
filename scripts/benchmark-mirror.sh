#!/usr/bin/env bash
# Benchmarks the metadata mirror: what the sidecar costs the host archive's ingest, how fast
# and with what lag it mirrors live, and how fast it backfills an emptied CouchDB from a filled host.
# Prints figures and a summary block; it is not a test.
#
# What it does, all on 127.0.0.1 with data in target/benchmark-mirror/ (wiped at each run):
#  1. Generates two sets of N small instances (default 40 studies x 5 series x 50 = 10,000; 64x64 8-bit
#     MONOCHROME2, CT and MR studies with realistic attributes; deterministic UIDs), set A and set B with
#     different seeds, hence different UIDs (scripts/lib/generate_small_instances.py, Debian's pydicom).
#  2. Starts the Orthancs: "alone" (run 1), the host (run 2), both WITHOUT the sidecar's Lua hook: the sidecar
#     follows the host through Orthanc's /changes feed (sidecar.ingest.orthanc-url); and the reference one below;
#     plus pouchdb-server and WildFly with the sidecar for the host (live path only:
#     sidecar.reconcile.on-startup=false).
#  3. Host ingest, alone vs with the sidecar, interleaved in time and never simultaneous: BENCH_ROUNDS
#     (default 2) rounds; each round stores N/ROUNDS instances of set A into the "alone" Orthanc (run 1) and
#     N/ROUNDS of set B into the host (run 2), as fast as Orthanc accepts (BENCH_THREADS=4 threads, kept-alive
#     HTTP, POST /instances, no "Expect: 100-continue"; files read into memory first). Order ABBA (alone,
#     sidecar | sidecar, alone | ...) so that a load trend on this noisy 2-core machine hurts both alike. After
#     every sidecar round it waits until that round is fully mirrored (queue empty), so that the next "alone"
#     round runs with the sidecar idle. The ratio is median(with sidecar) / median(alone). Both Orthancs
#     hold the same number of instances at every step, so index growth treats them alike. The idle side's CPU
#     use is measured and printed for each round (as is everybody else's: "others" = other people's load),
#     so it can be checked that the "alone" rounds really ran alone.
#     Mirror: the sustained rate is instances / (first store of a round -> all of it mirrored), summed over
#     the rounds. "All mirrored": /sidecar/api/status shows every stored instance received (one event each,
#     read from the changes feed) and the queue empty;
#     the moment is read from CouchDB (newest series mirroredAt, the sidecar's clock), since the first status
#     call after a round itself takes seconds. Lag p50/p95, events received/failed come from the status.
#     Reference arm (BENCH_NOOP_ARM=1, default): each round also stores the same set-A batch into a third
#     Orthanc whose Lua hook posts to a no-op receiver (answers 202 at once): the ceiling of Orthanc's synchronous
#     per-instance Lua HttpPost whatever the receiver (Orthanc's store path takes the Lua lock that its event
#     thread holds during HttpPost, so a hooked host's ingest follows the notification's round trip): what the
#     hook, the alternative to the changes feed, costs.
#  4. Backfill: stops WildFly, deletes the CouchDB database and the sidecar's event journal folder (its segment
#     still holds the live run's events, already mirrored, which the sidecar would replay at start-up and so
#     re-mirror before the reconciliation looks: a defect the report points out; the changes feed's checkpoint
#     goes with it, so the feed starts at the host's end and leaves the filled host to the reconciliation),
#     starts WildFly with
#     sidecar.reconcile.on-startup=true and waits for the start-up reconciliation to be done
#     (GET /sidecar/api/admin/reconcile): N / its own started->finished time. The comparison is the host's
#     own rate of serving series metadata (GET .../series/{se}/metadata from Orthanc directly, as many
#     threads as the sidecar has workers), measured before and after the backfill (mean of the two).
#  5. CouchDB's own ceiling: the mirrored instance documents copied into a scratch database with _bulk_docs
#     (batches of 200), docs/s: no backfill into that CouchDB can be faster.
#  6. WildFly's peak RSS: VmHWM of the JVM (live run and backfill), VmRSS sampled each second. At the end, the
#     round trip of a single-event notification to the idle sidecar (as Orthanc's Lua hook sends them).
#
# Targets (reported PASS/MISS, never the exit status): ingest ratio >= 0.90, mirror lag p95 <= 2000 ms,
# backfill / host metadata >= 0.80. Exit status non-zero only when something broke: a store failed, the
# mirror never reached N (live or after the backfill), the backfill failed or had errors, OutOfMemoryError.
#
# Environment (defaults in brackets):
#   BENCH_SKIP_BUILD=1               do not run `mvn -B -q -DskipTests package` first
#   BENCH_COUCHDB_PORT [35984]  BENCH_ORTHANC_HTTP_PORT [38042]  BENCH_ORTHANC_DICOM_PORT [34242] (the host)
#   BENCH_ALONE_HTTP_PORT [38142]  BENCH_ALONE_DICOM_PORT [34342] (the Orthanc without the sidecar)
#   BENCH_NOOP_HTTP_PORT [38242]  BENCH_NOOP_DICOM_PORT [34442]  BENCH_NOOP_RECEIVER_PORT [38180]  BENCH_NOOP_ARM [1]
#   BENCH_HTTP_PORT [38080]  BENCH_MANAGEMENT_PORT [39990]
#   BENCH_WILDFLY_JAVA_OPTS ["-Xms64m -Xmx512m"]
#   BENCH_STUDIES [40]  BENCH_SERIES [5]  BENCH_INSTANCES_PER_SERIES [50]: N = their product, per set
#   BENCH_INSTANCES: N instead (rounded up to whole studies of BENCH_SERIES x BENCH_INSTANCES_PER_SERIES)
#   BENCH_ROUNDS [2]  BENCH_THREADS [4]  BENCH_MIRROR_WORKERS [4] (sidecar.mirror.workers, and the threads
#   of the host-metadata comparison)   BENCH_SEED [dicom-sidecar-mirror]   BENCH_MIRROR_TIMEOUT [900] s
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

COUCHDB_PORT="${BENCH_COUCHDB_PORT:-35984}"
ORTHANC_HTTP_PORT="${BENCH_ORTHANC_HTTP_PORT:-38042}"
ORTHANC_DICOM_PORT="${BENCH_ORTHANC_DICOM_PORT:-34242}"
ALONE_HTTP_PORT="${BENCH_ALONE_HTTP_PORT:-38142}"
ALONE_DICOM_PORT="${BENCH_ALONE_DICOM_PORT:-34342}"
NOOP_HTTP_PORT="${BENCH_NOOP_HTTP_PORT:-38242}"
NOOP_DICOM_PORT="${BENCH_NOOP_DICOM_PORT:-34442}"
NOOP_RECEIVER_PORT="${BENCH_NOOP_RECEIVER_PORT:-38180}"
NOOP_ARM="${BENCH_NOOP_ARM:-1}"
HTTP_PORT="${BENCH_HTTP_PORT:-38080}"
MGMT_PORT="${BENCH_MANAGEMENT_PORT:-39990}"
JAVA_HEAP_OPTS="${BENCH_WILDFLY_JAVA_OPTS:--Xms64m -Xmx512m}"
STUDIES="${BENCH_STUDIES:-40}"
SERIES="${BENCH_SERIES:-5}"
PER_SERIES="${BENCH_INSTANCES_PER_SERIES:-50}"
[[ -n "${BENCH_INSTANCES:-}" ]] && STUDIES=$(((BENCH_INSTANCES + SERIES * PER_SERIES - 1) / (SERIES * PER_SERIES)))
ROUNDS="${BENCH_ROUNDS:-2}"
THREADS="${BENCH_THREADS:-4}"
WORKERS="${BENCH_MIRROR_WORKERS:-4}"
SEED="${BENCH_SEED:-dicom-sidecar-mirror}"
MIRROR_TIMEOUT="${BENCH_MIRROR_TIMEOUT:-900}"
PY=/usr/bin/python3 # Debian's python3-pydicom lives there, whatever python3 is first on PATH
N=$((STUDIES * SERIES * PER_SERIES))
((STUDIES >= ROUNDS)) || die "BENCH_STUDIES ($STUDIES) must be at least BENCH_ROUNDS ($ROUNDS)"

BENCH="$SIDECAR_ROOT/target/benchmark-mirror"
LOGS="$BENCH/logs"
RES="$BENCH/results"
LIB="$SIDECAR_ROOT/scripts/lib"
SIDECAR="http://127.0.0.1:$HTTP_PORT/sidecar"
COUCH_DB_URL="http://127.0.0.1:$COUCHDB_PORT/dicom-sidecar"
# bm ARGS: runs bench_mirror.py in the background and waits for it, so that Ctrl-C or TERM stops the benchmark at
# once (bash runs a trap only after the foreground command ends, and some of these poll for many minutes)
BM_PID=""
bm() {
  "$PY" "$LIB/bench_mirror.py" "$@" &
  BM_PID=$!
  local rc=0
  wait "$BM_PID" || rc=$?
  BM_PID=""
  return "$rc"
}

# --- processes we started, stopped in reverse order on any exit --------------------------------------
PIDS=()     # name:pid
SAMPLERS=() # background sampling loops
JVM=""      # the WildFly JVM running now

cleanup() {
  local rc=$? i s
  trap - INT TERM EXIT
  set +e
  log "stopping what the benchmark started"
  [[ -n "$BM_PID" ]] && kill "$BM_PID" 2>/dev/null && wait "$BM_PID" 2>/dev/null
  for s in "${SAMPLERS[@]}"; do kill "$s" 2>/dev/null && wait "$s" 2>/dev/null; done
  [[ -n "$JVM" ]] && stop_pid "$JVM" WildFly
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[i]#*:}" "${PIDS[i]%%:*}"; done
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

# sample_rss PID FILE: the process's VmRSS (KiB), once a second, while it lives
sample_rss() {
  (
    while [[ -r "/proc/$1/status" ]]; do
      awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || true
      sleep 1
    done
  ) >"$2" &
  SAMPLERS+=($!)
}
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# start_sidecar LOG RECONCILE_ON_STARTUP: starts WildFly, sets JVM, samples its RSS
start_sidecar() {
  local logfile=$1 reconcile=$2
  JVM=$(WILDFLY_JAVA_OPTS="$JAVA_HEAP_OPTS" start_wildfly "$BENCH/wildfly" "$HTTP_PORT" "$MGMT_PORT" "$logfile" \
    "-Dsidecar.couchdb.url=http://127.0.0.1:$COUCHDB_PORT" \
    "-Dsidecar.host.dicomweb-url=http://127.0.0.1:$ORTHANC_HTTP_PORT/dicom-web" \
    "-Dsidecar.ingest.orthanc-url=http://127.0.0.1:$ORTHANC_HTTP_PORT" \
    "-Dsidecar.mirror.workers=$WORKERS" \
    "-Dsidecar.reconcile.on-startup=$reconcile")
  [[ -n "$JVM" ]] || die "WildFly did not start; see $logfile"
}

# wait_status SECONDS: until /sidecar/api/status answers 200 (CouchDB and the host reachable)
wait_status() {
  local i code
  for ((i = 0; i < $1 * 2; i++)); do
    code=$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' "$SIDECAR/api/status" || true)
    [[ $code == 200 ]] && return 0
    kill -0 "$JVM" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}


# --- build, data ---------------------------------------------------------------------------------------
log "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
install_prerequisites
build_ear

rm -rf "$BENCH"
mkdir -p "$LOGS" "$RES"
# the 1-minute load average, once a second, for the whole run
( while true; do cut -d' ' -f1 /proc/loadavg; sleep 1; done ) >"$RES/loadavg.txt" &
SAMPLERS+=($!)

for set in A B; do
  log "generating set $set: $STUDIES studies x $SERIES series x $PER_SERIES instances (seed '$SEED-$set')"
  "$PY" "$LIB/generate_small_instances.py" "$BENCH/set-$set" --studies "$STUDIES" --series "$SERIES" \
    --instances "$PER_SERIES" --seed "$SEED-$set" >"$RES/set-$set.json" || die "generating set $set failed"
done
for ((r = 1; r <= ROUNDS; r++)); do
  for set in A B; do
    bm files "$BENCH/set-$set/manifest.json" --batches "$ROUNDS" --batch "$r" >"$RES/files-$set-$r.txt"
  done
done

# --- start -----------------------------------------------------------------------------------------------
log "starting pouchdb-server on 127.0.0.1:$COUCHDB_PORT"
COUCH_PID=$(start_couchdb "$COUCHDB_PORT" "$BENCH/couchdb" "$LOGS/couchdb.log")
PIDS+=("pouchdb-server:$COUCH_PID")
log "starting Orthanc 'alone' (no sidecar) on 127.0.0.1:$ALONE_HTTP_PORT (DICOM $ALONE_DICOM_PORT)"
ALONE_PID=$(start_orthanc "$ALONE_HTTP_PORT" "$ALONE_DICOM_PORT" "$BENCH/orthanc-alone" "$LOGS/orthanc-alone.log")
PIDS+=("Orthanc-alone:$ALONE_PID")
log "starting the host Orthanc (no hook: the sidecar reads its /changes) on 127.0.0.1:$ORTHANC_HTTP_PORT (DICOM $ORTHANC_DICOM_PORT)"
ORTHANC_PID=$(start_orthanc "$ORTHANC_HTTP_PORT" "$ORTHANC_DICOM_PORT" "$BENCH/orthanc" "$LOGS/orthanc.log")
PIDS+=("Orthanc:$ORTHANC_PID")
NOOP_PID="" NOOP_RECEIVER_PID=""
if [[ $NOOP_ARM == 1 ]]; then
  wait_port_free "$NOOP_RECEIVER_PORT" 10
  "$PY" "$LIB/bench_mirror.py" noop-receiver "$NOOP_RECEIVER_PORT" >"$LOGS/noop-receiver.log" 2>&1 &
  NOOP_RECEIVER_PID=$!
  PIDS+=("no-op receiver:$NOOP_RECEIVER_PID")
  wait_http "http://127.0.0.1:$NOOP_RECEIVER_PORT/" 20 "$NOOP_RECEIVER_PID" || die "the no-op receiver did not start"
  log "starting Orthanc 'no-op' (hook -> a no-op receiver on $NOOP_RECEIVER_PORT) on 127.0.0.1:$NOOP_HTTP_PORT (DICOM $NOOP_DICOM_PORT)"
  NOOP_PID=$(start_orthanc "$NOOP_HTTP_PORT" "$NOOP_DICOM_PORT" "$BENCH/orthanc-noop" "$LOGS/orthanc-noop.log" \
    "http://127.0.0.1:$NOOP_RECEIVER_PORT/sidecar")
  PIDS+=("Orthanc-noop:$NOOP_PID")
fi
log "starting WildFly on 127.0.0.1:$HTTP_PORT with $JAVA_HEAP_OPTS, live path only (log in $LOGS/wildfly-live.log)"
start_sidecar "$LOGS/wildfly-live.log" false
sample_rss "$JVM" "$RES/wildfly-rss-kib-live.txt"
wait_deployed "$BENCH/wildfly" 240 || die "the EAR did not deploy; see $LOGS/wildfly-live.log"
wait_status 120 || die "$SIDECAR/api/status did not answer 200; see $BENCH/wildfly/log/server.log"
log "sidecar up: $(curl -s "$SIDECAR/api/status" | "$PY" -c 'import json,sys; m=json.load(sys.stdin)["mirror"]; print("mirror", m["instances"], "instances, queue", m["queueDepth"])')"

# --- runs 1 and 2, interleaved -----------------------------------------------------------------------------
pids_arg() { echo "orthanc-alone:$ALONE_PID,orthanc:$ORTHANC_PID,wildfly:$JVM,pouchdb:$COUCH_PID"; }
stored_b=0
run_alone() {
  local r=$1
  log "round $r, run 1: $(wc -l <"$RES/files-A-$r.txt") instances of set A into Orthanc alone (load $(cut -d' ' -f1 /proc/loadavg))"
  bm store "$ALONE_HTTP_PORT" "$RES/files-A-$r.txt" "$RES/store-alone-$r.json" --threads "$THREADS" --pids "$(pids_arg)" >&2 \
    || die "storing into Orthanc alone failed (round $r)"
}
run_sidecar() {
  local r=$1 count
  count=$(wc -l <"$RES/files-B-$r.txt")
  log "round $r, run 2: $count instances of set B into the host with the sidecar (load $(cut -d' ' -f1 /proc/loadavg))"
  bm store "$ORTHANC_HTTP_PORT" "$RES/files-B-$r.txt" "$RES/store-sidecar-$r.json" --threads "$THREADS" --pids "$(pids_arg)" >&2 \
    || die "storing into the host failed (round $r)"
  stored_b=$((stored_b + count))
  log "round $r: waiting until all $stored_b instances are mirrored"
  bm wait-mirror "$SIDECAR/api/status" "$RES/mirror-$r.json" --events "$stored_b" --instances "$stored_b" \
    --couch "$COUCH_DB_URL" --timeout "$MIRROR_TIMEOUT" >&2 || die "the mirror did not reach $stored_b instances within $MIRROR_TIMEOUT s (round $r)"
}
# reference arm (BENCH_NOOP_ARM=1): the same set-A batch into an Orthanc whose hook posts to a no-op receiver
run_noop() {
  [[ $NOOP_ARM == 1 ]] || return 0
  log "round $1, reference: the same instances of set A into the Orthanc whose hook posts to a no-op receiver"
  bm store "$NOOP_HTTP_PORT" "$RES/files-A-$1.txt" "$RES/store-noop-$1.json" --threads "$THREADS" \
    --pids "$(pids_arg),orthanc-noop:$NOOP_PID,noop-receiver:$NOOP_RECEIVER_PID" >&2 || die "storing into the no-op Orthanc failed"
  sleep 2 # its Lua queue drains
}
for ((r = 1; r <= ROUNDS; r++)); do
  if ((r % 2)); then run_alone "$r"; run_noop "$r"; run_sidecar "$r"; else run_sidecar "$r"; run_noop "$r"; run_alone "$r"; fi
done
bm wait-mirror "$SIDECAR/api/status" "$RES/mirror-final.json" --events "$N" --instances "$N" --timeout 60 >&2 \
  || die "the mirror does not hold $N instances at the end of the live run"
HWM_LIVE=$(hwm_kib "$JVM")

# --- backfill ----------------------------------------------------------------------------------------------
log "stopping WildFly (peak RSS $((HWM_LIVE / 1024)) MiB) and Orthanc alone"
stop_pid "$JVM" WildFly
JVM=""
stop_pid "$ALONE_PID" "Orthanc alone"
[[ -n "$NOOP_PID" ]] && stop_pid "$NOOP_PID" "Orthanc no-op"
[[ -n "$NOOP_RECEIVER_PID" ]] && stop_pid "$NOOP_RECEIVER_PID" "no-op receiver"
log "host metadata serving, before the backfill: every series' WADO-RS metadata from Orthanc, $WORKERS threads"
bm metadata "$ORTHANC_HTTP_PORT" "$RES/host-metadata-before.json" "$BENCH/set-B/manifest.json" --threads "$WORKERS" \
  --pids "orthanc:$ORTHANC_PID,pouchdb:$COUCH_PID" >&2 || die "the host's metadata failed"
# The journal's segment files still hold the live run's events, though all were mirrored (queue 0): the sidecar
# replays them at every start-up (see the report). Left there, that replay would re-mirror everything before the
# reconciliation looks, and the backfill would measure nothing. Count them, then remove them: the backfill
# scenario is an empty mirror beside a filled host.
JOURNAL="$BENCH/wildfly/data/dicom-sidecar/journal"
JOURNAL_LEFT=$( (cat "$JOURNAL"/events-*.jsonl 2>/dev/null || true) | wc -l) # no segment left: 0, not an exit
log "the event journal still holds $JOURNAL_LEFT events after the live run (queue depth was 0); removing it"
rm -rf "$JOURNAL"
log "deleting the CouchDB database"
code=$(curl -s -o "$RES/couch-delete.json" -w '%{http_code}' -X DELETE "$COUCH_DB_URL")
[[ $code == 200 || $code == 202 ]] || die "DELETE $COUCH_DB_URL answered HTTP $code: $(cat "$RES/couch-delete.json")"
log "starting WildFly with the start-up reconciliation (log in $LOGS/wildfly-backfill.log)"
BACKFILL_LAUNCHED=$(date +%s.%N)
start_sidecar "$LOGS/wildfly-backfill.log" true
sample_rss "$JVM" "$RES/wildfly-rss-kib-backfill.txt"
bm wait-reconcile "$SIDECAR/api/admin/reconcile" "$RES/reconcile.json" --timeout 1800 \
  --pids "orthanc:$ORTHANC_PID,wildfly:$JVM,pouchdb:$COUCH_PID" >&2 || log "the backfill did not finish well (see the report)"
bm wait-mirror "$SIDECAR/api/status" "$RES/mirror-after-backfill.json" --events 0 --instances "$N" --timeout 120 >&2 \
  || log "the mirror does not hold $N instances after the backfill (see the report)"
HWM_BACKFILL=$(hwm_kib "$JVM")
log "host metadata serving, after the backfill"
bm metadata "$ORTHANC_HTTP_PORT" "$RES/host-metadata-after.json" "$BENCH/set-B/manifest.json" --threads "$WORKERS" \
  --pids "orthanc:$ORTHANC_PID,wildfly:$JVM,pouchdb:$COUCH_PID" >&2 || die "the host's metadata failed"

log "CouchDB's own bulk-write rate for these documents (the ceiling of any backfill into it)"
bm couch-ceiling "$COUCH_DB_URL" "$RES/couch-ceiling.json" --limit "$N" --pids "pouchdb:$COUCH_PID" >&2 \
  || log "the CouchDB ceiling probe failed"

log "notification round trip: single-event POSTs to the idle sidecar, one after the other"
bm notify "$HTTP_PORT" "$RES/notify.json" --count 500 --pids "wildfly:$JVM" >&2 || log "the notification probe failed"

# --- report ------------------------------------------------------------------------------------------------
OOM=0
grep -q 'OutOfMemoryError' "$LOGS"/wildfly-*.log "$BENCH/wildfly/log/server.log" 2>/dev/null && OOM=1
"$PY" - "$RES/config.json" <<PY
import json, sys
json.dump({"instances": $N, "rounds": $ROUNDS, "threads": $THREADS, "workers": $WORKERS,
           "heap": "$JAVA_HEAP_OPTS", "oom": bool($OOM), "journal_left": ${JOURNAL_LEFT:-0}, "backfill_launched": $BACKFILL_LAUNCHED,
           "wildfly_hwm_kib": {"live": ${HWM_LIVE:-0}, "backfill": ${HWM_BACKFILL:-0}}}, open(sys.argv[1], "w"))
PY
SERVER_LOG="$BENCH/wildfly/log/server.log"
{
  echo
  echo "WildFly server log ($SERVER_LOG): $(grep -c ' WARN ' "$SERVER_LOG" || true) WARN, $(grep -c ' ERROR ' "$SERVER_LOG" || true) ERROR lines; the sidecar's:"
  grep -E ' (WARN|ERROR|SEVERE) ' "$SERVER_LOG" | grep -E 'dicomsidecar|lightcouch' | sed -E 's/^[0-9-]+ [0-9:,.]+ //' | cut -c1-300 | sort | uniq -c | sort -rn | head -15 || true
} >&2
log "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
bm report "$RES"
