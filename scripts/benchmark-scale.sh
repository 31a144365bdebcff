#!/usr/bin/env bash
# The enterprise-scale benchmark: the sidecar over a mirror of 0.2, 1 and 2 million instances. Prints figures and a
# summary table with PASS/MISS against the targets; it is not a test.
#
# What it does, all on 127.0.0.1 with everything under target/benchmark-scale/ (BENCH_WORK_DIR; wiped at each run):
#  1. Data: a seeded, deterministic dataset of mirror documents written straight into CouchDB (pouchdb-server) by
#     the Java generator in the test sources (ejb/src/test/java/org/dicomsidecar/bench/ScaleDataset.java), which
#     builds them with the mirror's own functions (MirrorDocuments, ReferenceExtractor), so they have exactly the
#     mirror's form: studies of 3-10 series, CT and MR series of 50-300 instances (about 110 attributes each, after
#     a real CT's, one private group), SEG (MANUAL/SEMIAUTOMATIC/AUTOMATIC segments), SR and RTSTRUCT objects that
#     reference them; _bulk_docs in batches of BENCH_BATCH from BENCH_WRITERS threads. Sizes are cumulative: the
#     first size is written, measured, then the dataset grows to the next size, and so on (nothing is written twice).
#     The write rate is instances / seconds of the generator's run (it includes generating the documents).
#  2. For the empty database first (size 0: the "empty" heap), then for each size, WildFly with the sidecar
#     (BENCH_WILDFLY_JAVA_OPTS), pointed at the pouchdb-server and at an empty Orthanc (the sidecar needs a host;
#     it follows Orthanc's changes), reconciliation off (the host does not hold the generated studies), the index
#     folder (sidecar.index.dir) under target/benchmark-scale/index:
#     - index build: the index folder is deleted, WildFly started, /api/status polled until index.state is "ready";
#       build seconds = start command -> ready, inst/s = instances / those seconds, and index.lastRebuild's
#       seconds and rate when the status has them. A sidecar whose status has no "index" (the in-heap catalog)
#       shows "n/a" for the build;
#     - restart to first answer: WildFly stopped (by PID) and started again with the index kept; seconds from the
#       start command to the first HTTP 200 of the cohort question;
#     - warm latency: BENCH_WARMUP_SECONDS of calls, then p50/p95 over BENCH_ROUNDS rounds of each question
#       (scripts/lib/bench_scale.py: the comparison benchmark's cohort, facet, references and absence questions,
#       and mirror QIDO-RS by Modality, PatientID, a StudyDate range and a sequence key), with each answer's size;
#       each time runs from the request to the answer's last byte (the client's JSON parsing is not the sidecar's);
#     - heap after a full GC (jcmd GC.run, then jstat -gc: survivor + eden + old used), after the latency rounds,
#       and "above empty" (the empty sidecar's heap, measured after the same questions);
#     - disk per instance: du -sb of the index folder / instances;
#     - mirror CPU per instance, at the smallest and the largest size: BENCH_CPU_INSTANCES real instances
#       (scripts/lib/generate_dataset.py, a new seed per size) stored into Orthanc, mirrored through the ordinary
#       path (changes feed, WADO-RS metadata, CouchDB, and the index if there is one); the CPU seconds WildFly and
#       pouchdb-server used (/proc/PID/stat utime + stime) from the first store until the status shows them
#       mirrored with an empty queue, over the instances (the status polls, twice a second, are included).
#  Data cache (BENCH_DATA_CACHE): after a size is written, pouchdb-server is stopped and its data folder copied to
#     CACHE/SEED-SIZE with a manifest (size, seed, generator version, the fingerprint of the documents' form,
#     study/series/instance counts); a later run with the same seed, size, version and fingerprint stops
#     pouchdb-server, copies the snapshot into place and starts it again instead of writing. Snapshots hold only what
#     the generator wrote: a size grows from the previous size's snapshot, never from a database the sidecar wrote to.
#     BENCH_PREPARE_ONLY=1 writes (or finds) the snapshot of every size and stops there: no WildFly, no Orthanc.
#  3. A summary table (markdown) per size and PASS/MISS against the targets at the largest size: p95 <= 100 ms and
#     p50 <= 20 ms per question, heap <= 300 MB above empty, restart <= 10 s, build >= 3,000 inst/s,
#     disk <= 3 KB/instance, p50 growth smallest -> largest size <= 3x; printed and written to
#     target/benchmark-scale/report.md. Exit status non-zero only when something broke.
#
# Environment (defaults in brackets):
#   BENCH_SIZES ["200000 1000000 2000000"] instances, ascending   BENCH_SEED [scale]
#   BENCH_ROUNDS [200]  BENCH_WARMUP_SECONDS [30]  BENCH_CPU_INSTANCES [300]
#   BENCH_WRITERS [3] generator threads (parallel _bulk_docs connections)  BENCH_BATCH [500] documents per request
#   BENCH_GENERATOR_JAVA_OPTS ["-Xmx1g"]  BENCH_WILDFLY_JAVA_OPTS ["-Xms64m -Xmx1g"]
#   BENCH_START_TIMEOUT: seconds to wait for the index or the first answer [900 + instances / 500]
#   BENCH_DATA_CACHE [$SIDECAR_ROOT/target/benchmark-scale-data]: snapshots of the written data, kept across runs
#   BENCH_PREPARE_ONLY=1: only write (or find) each size's snapshot
#   BENCH_WORK_DIR [$SIDECAR_ROOT/target/benchmark-scale]: the run's folder, wiped at each run (scripts/benchmark-cluster.sh
#     prepares its data with BENCH_PREPARE_ONLY=1 in a folder of its own)
#   BENCH_SKIP_BUILD=1: use the EAR and test classes already built instead of `mvn -B -q -DskipTests package`
#   BENCH_COUCHDB_PORT [45984] BENCH_ORTHANC_HTTP_PORT [45042] BENCH_ORTHANC_DICOM_PORT [45242]
#   BENCH_HTTP_PORT [45080] BENCH_MANAGEMENT_PORT [45990]
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

SIZES="${BENCH_SIZES:-200000 1000000 2000000}"
SEED="${BENCH_SEED:-scale}"
ROUNDS="${BENCH_ROUNDS:-200}"
WARMUP_SECONDS="${BENCH_WARMUP_SECONDS:-30}"
CPU_INSTANCES="${BENCH_CPU_INSTANCES:-300}"
WRITERS="${BENCH_WRITERS:-3}"
BATCH="${BENCH_BATCH:-500}"
GENERATOR_JAVA_OPTS="${BENCH_GENERATOR_JAVA_OPTS:--Xmx1g}"
JAVA_HEAP_OPTS="${BENCH_WILDFLY_JAVA_OPTS:--Xms64m -Xmx1g}"
COUCHDB_PORT="${BENCH_COUCHDB_PORT:-45984}"
ORTHANC_HTTP_PORT="${BENCH_ORTHANC_HTTP_PORT:-45042}"
ORTHANC_DICOM_PORT="${BENCH_ORTHANC_DICOM_PORT:-45242}"
HTTP_PORT="${BENCH_HTTP_PORT:-45080}"
MGMT_PORT="${BENCH_MANAGEMENT_PORT:-45990}"
PY=/usr/bin/python3 # Debian's python3-pydicom lives there
ROOT=$(realpath -m "${BENCH_WORK_DIR:-$SIDECAR_ROOT/target/benchmark-scale}")
CACHE=$(realpath -m "${BENCH_DATA_CACHE:-$SIDECAR_ROOT/target/benchmark-scale-data}")
PREPARE_ONLY="${BENCH_PREPARE_ONLY:-0}"
INDEX_DIR="$ROOT/index"
SIDECAR="http://127.0.0.1:$HTTP_PORT/sidecar"
COUCH_URL="http://127.0.0.1:$COUCHDB_PORT"
LIB="$SIDECAR_ROOT/scripts/lib"
CLK_TCK=$(getconf CLK_TCK)

COMMAND="scripts/benchmark-scale.sh"
for v in $(compgen -e | grep '^BENCH_' | sort -r); do COMMAND="$v='${!v}' $COMMAND"; done

prev=0
for s in $SIZES; do
  [[ "$s" =~ ^[1-9][0-9]*$ ]] || die "BENCH_SIZES: '$s' is not a number of instances"
  ((s > prev)) || die "BENCH_SIZES must ascend (the dataset grows from one size to the next)"
  prev=$s
done
[[ "$SEED" =~ ^[A-Za-z0-9._-]+$ ]] || die "BENCH_SEED: letters, digits, '.', '_' and '-' only (it names the cached snapshots)"
case "$ROOT" in / | "$SIDECAR_ROOT" | "$HOME") die "BENCH_WORK_DIR: $ROOT is wiped at each run; name a folder of its own" ;; esac
[[ "$CACHE/" != "$ROOT/"* ]] || die "BENCH_DATA_CACHE must not lie under $ROOT (wiped at each run)"
SMALLEST=${SIZES%% *}
LARGEST=${SIZES##* }

# --- processes we started, stopped in reverse order on any exit --------------------------------------------
PIDS=()   # name:pid (pouchdb-server first, then Orthanc)
JVM=""    # the WildFly JVM running now
CHILD=""  # a helper running in the background (generator, poller): see background in common.sh
cleanup() {
  local rc=$? i
  trap - INT TERM EXIT
  set +e
  [[ -n "$CHILD" ]] && kill "$CHILD" 2>/dev/null && wait "$CHILD" 2>/dev/null
  [[ -n "$JVM" ]] && stop_pid "$JVM" WildFly
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[i]#*:}" "${PIDS[i]%%:*}"; done
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

scale() { background "$PY" "$LIB/bench_scale.py" "$@"; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# heap_mb: the JVM's used heap (survivor + eden + old) right after a full GC
heap_mb() {
  jcmd "$JVM" GC.run >/dev/null || { echo ""; return; }
  jstat -gc "$JVM" | awk 'NR == 2 {printf "%.0f\n", ($3 + $4 + $6 + $8) / 1024}'
}

# start_sidecar LOG: starts WildFly; sets JVM and STARTED_AT (the moment of the start command)
start_sidecar() {
  STARTED_AT=$(date +%s.%N)
  JVM=$(WILDFLY_JAVA_OPTS="$JAVA_HEAP_OPTS" start_wildfly "$ROOT/wildfly" "$HTTP_PORT" "$MGMT_PORT" "$1" \
    "-Dsidecar.couchdb.url=$COUCH_URL" "-Dsidecar.host.dicomweb-url=http://127.0.0.1:$ORTHANC_HTTP_PORT/dicom-web" \
    "-Dsidecar.ingest.orthanc-url=http://127.0.0.1:$ORTHANC_HTTP_PORT" \
    "-Dsidecar.reconcile.on-startup=false" "-Dsidecar.reconcile.interval-minutes=0" \
    "-Dsidecar.index.dir=$INDEX_DIR")
  [[ -n "$JVM" ]] || die "WildFly did not start; see $1"
}
stop_sidecar() {
  stop_pid "$JVM" WildFly
  JVM=""
}

json_field() { "$PY" -c 'import json,sys
d=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): d=d.get(k) if isinstance(d, dict) else None
print("" if d is None else d)' "$1" "$2"; }

# --- prerequisites, build, generator ---------------------------------------------------------------------------
START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
install_prerequisites
if [[ "$PREPARE_ONLY" == 1 ]]; then
  if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
    log "compiling the generator (BENCH_SKIP_BUILD=1 skips this)"
    (cd "$SIDECAR_ROOT" && mvn -B -q -pl ejb test-compile >&2) || die "compiling the test classes failed"
  fi
else
  command -v jcmd >/dev/null && command -v jstat >/dev/null || die "jcmd and jstat (a JDK) are needed for the heap figures"
  if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
    log "building the EAR and the test classes (BENCH_SKIP_BUILD=1 skips this)"
    (cd "$SIDECAR_ROOT" && mvn -B -q -DskipTests package >&2) || die "the build failed"
  fi
  [[ -f "$EAR" ]] || die "$EAR is missing; build first"
fi
if [[ ! -f "$SIDECAR_ROOT/ejb/target/test-classes/org/dicomsidecar/bench/ScaleDataset.class" ]]; then
  log "compiling the generator (ejb test classes)"
  (cd "$SIDECAR_ROOT" && mvn -B -q -pl ejb test-compile >&2) || die "compiling the test classes failed"
fi

rm -rf "$ROOT"
mkdir -p "$ROOT/logs" "$ROOT/generator"
# copies of the EAR and the generator's classes: others may rebuild the project while this runs
if [[ "$PREPARE_ONLY" != 1 ]]; then
  cp "$EAR" "$ROOT/dicom-sidecar.ear"
  EAR="$ROOT/dicom-sidecar.ear" # read by start_wildfly
fi
cp -r "$SIDECAR_ROOT/ejb/target/classes" "$SIDECAR_ROOT/ejb/target/test-classes" "$ROOT/generator/"
# the test classpath from the local Maven repository (offline first: everything is there after a build)
(cd "$SIDECAR_ROOT" && { mvn -B -q -o -pl ejb dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$ROOT/generator/classpath.txt" >&2 || mvn -B -q -pl ejb dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$ROOT/generator/classpath.txt" >&2; }) || die "cannot build the generator's classpath"
GENERATOR_CP="$ROOT/generator/test-classes:$ROOT/generator/classes:$(cat "$ROOT/generator/classpath.txt")"
# generate FROM TO SUMMARY: grows the dataset in CouchDB from FROM to TO instances
generate() {
  # shellcheck disable=SC2086 # the options are words
  background java $GENERATOR_JAVA_OPTS -cp "$GENERATOR_CP" org.dicomsidecar.bench.ScaleDataset --couch "$COUCH_URL" \
    --database dicom-sidecar --seed "$SEED" --from "$1" --to "$2" --threads "$WRITERS" --batch "$BATCH" \
    --summary "$3" >/dev/null 2>"$ROOT/logs/generate-$2.log" || die "the generator failed; see $ROOT/logs/generate-$2.log"
}

# --- pouchdb-server and the data cache ---------------------------------------------------------------------------
COUCH_DIR="$ROOT/couchdb"
COUCH_STARTS=0
start_couch() {
  COUCH_STARTS=$((COUCH_STARTS + 1))
  COUCH_PID=$(start_couchdb "$COUCHDB_PORT" "$COUCH_DIR" "$ROOT/logs/couchdb-$COUCH_STARTS.log")
  PIDS[0]="pouchdb-server:$COUCH_PID"
}
stop_couch() {
  stop_pid "$COUCH_PID" pouchdb-server
  if kill -0 "$COUCH_PID" 2>/dev/null; then die "pouchdb-server (pid $COUCH_PID) did not stop"; fi
  PIDS[0]="pouchdb-server:"
}
snapshot_dir() { echo "$CACHE/$SEED-$1"; }
# snapshot_usable SIZE: a snapshot of SIZE instances made by this seed, generator version and document form
snapshot_usable() {
  local manifest
  manifest="$(snapshot_dir "$1")/manifest.json"
  [[ -f "$manifest" ]] || return 1
  "$PY" - "$manifest" "$1" "$SEED" "$GENERATOR_VERSION" "$GENERATOR_FINGERPRINT" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
sys.exit(0 if [str(m.get(k)) for k in ("size", "seed", "generatorVersion", "fingerprint")] == sys.argv[2:] else 1)
PY
}
# save_snapshot SIZE: pouchdb-server stopped while its data folder is copied, so that the LevelDB files agree
save_snapshot() {
  local snap tmp t0=$SECONDS
  snap=$(snapshot_dir "$1")
  tmp="$snap.partial-$$"
  log "saving the snapshot of $1 instances to $snap"
  stop_couch
  rm -rf "$tmp"
  mkdir -p "$tmp"
  cp -a --reflink=auto "$COUCH_DIR" "$tmp/couchdb" || die "copying the data folder to $tmp failed"
  # pouchdb-server's config names its log by absolute path: start_couchdb writes a new one where it is restored
  rm -f "$tmp/couchdb/config.json" "$tmp/couchdb/log.txt"
  cp "$ROOT/$1/dataset.json" "$tmp/dataset.json"
  "$PY" - "$ROOT/$1/dataset.json" "$tmp/manifest.json" "$1" "$(du -sb "$tmp/couchdb" | cut -f1)" <<'PY'
import json, sys, time
d = json.load(open(sys.argv[1]))
json.dump({"size": int(sys.argv[3]), "seed": d["seed"], "generatorVersion": d["generatorVersion"],
           "fingerprint": d["fingerprint"], "instances": d["instances"], "series": d["series"],
           "studies": d["studies"], "bytes": int(sys.argv[4]),
           "saved": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}, open(sys.argv[2], "w"), indent=1)
PY
  # the manifest moves in with the folder: a half-copied snapshot is never taken for a whole one
  rm -rf "$snap"
  mv "$tmp" "$snap"
  start_couch
  log "snapshot saved in $((SECONDS - t0)) s ($(du -sh "$snap" | cut -f1))"
}
# restore_snapshot SIZE: the live data folder replaced by the snapshot's copy
restore_snapshot() {
  local snap t0=$SECONDS
  snap=$(snapshot_dir "$1")
  log "restoring the snapshot of $1 instances from $snap"
  stop_couch
  rm -rf "$COUCH_DIR"
  cp -a --reflink=auto "$snap/couchdb" "$COUCH_DIR" || die "copying $snap/couchdb failed"
  start_couch
  log "restored in $((SECONDS - t0)) s"
}
# empty_database: a new data folder (the generator creates the database)
empty_database() {
  stop_couch
  rm -rf "$COUCH_DIR"
  start_couch
}

mkdir -p "$CACHE"
log "data cache: $CACHE"
log "starting pouchdb-server on 127.0.0.1:$COUCHDB_PORT"
PIDS+=("pouchdb-server:")
start_couch
if [[ "$PREPARE_ONLY" != 1 ]]; then
  log "starting an empty Orthanc on 127.0.0.1:$ORTHANC_HTTP_PORT"
  PIDS+=("Orthanc:$(start_orthanc "$ORTHANC_HTTP_PORT" "$ORTHANC_DICOM_PORT" "$ROOT/orthanc" "$ROOT/logs/orthanc.log")")
fi

# --- one size ------------------------------------------------------------------------------------------------------
# measure SIZE: everything for one size of the dataset already in CouchDB (0: the empty sidecar)
measure() {
  local size=$1 dir="$ROOT/$1" timeout first restart="" heap disk="" instances series studies cpu_wf="" cpu_couch=""
  mkdir -p "$dir"
  timeout="${BENCH_START_TIMEOUT:-$((900 + size / 500))}"
  log "=== $size instances: index build (index folder deleted) ==="
  rm -rf "$INDEX_DIR"
  start_sidecar "$ROOT/logs/wildfly-$size-build.log"
  wait_deployed "$ROOT/wildfly" "$timeout" || die "the EAR did not deploy; see $ROOT/wildfly/log/server.log"
  scale wait-ready --sidecar "$SIDECAR" --since "$STARTED_AT" --timeout "$timeout" --out "$dir/ready.json" >/dev/null \
    || die "the sidecar was not ready within $timeout s; see $ROOT/wildfly/log/server.log"
  # helpers write to files rather than into $(...), so that they run in this shell and the trap can stop them
  scale first-answer --sidecar "$SIDECAR" --since "$STARTED_AT" --timeout "$timeout" >"$dir/first-answer.txt" \
    || die "no first answer"
  first=$(cat "$dir/first-answer.txt")
  log "ready after $(printf %.0f "$(json_field "$dir/ready.json" seconds)") s, first answer after $first s" \
    "(index: $(json_field "$dir/ready.json" status.index.lastRebuild))"
  instances=$(json_field "$dir/ready.json" status.mirror.instances)
  series=$(json_field "$dir/ready.json" status.mirror.series)
  studies=$(json_field "$dir/ready.json" status.mirror.studies)
  if ((size > 0)) && [[ ! "$instances" =~ ^[1-9][0-9]*$ ]]; then
    # the status gave no count (-1: CouchDB unreachable, or none while the index builds): what was written
    instances=$(json_field "$dir/dataset.json" instances)
    series=$(json_field "$dir/dataset.json" series)
    studies=$(json_field "$dir/dataset.json" studies)
  fi
  if [[ -d "$INDEX_DIR" && "${instances:-0}" -gt 0 ]]; then
    disk=$(( $(du -sb "$INDEX_DIR" | cut -f1) / instances ))
  fi

  if ((size > 0)); then
    log "restart with the index kept"
    stop_sidecar
    start_sidecar "$ROOT/logs/wildfly-$size-restart.log"
    scale first-answer --sidecar "$SIDECAR" --since "$STARTED_AT" --timeout "$timeout" >"$dir/restart.txt" \
      || die "no answer after the restart"
    restart=$(cat "$dir/restart.txt")
    log "restart to first answer: $restart s"
    scale wait-ready --sidecar "$SIDECAR" --since "$STARTED_AT" --timeout "$timeout" --out "$dir/ready-restart.json" >/dev/null \
      || die "the restarted sidecar was not ready"
  fi

  log "warm latency: $WARMUP_SECONDS s of warm-up, $ROUNDS rounds"
  scale measure --sidecar "$SIDECAR" --probes "$ROOT/probes.json" --rounds "$ROUNDS" --warmup "$WARMUP_SECONDS" \
    --out "$dir/latency.json" || die "measuring failed"
  heap=$(heap_mb)
  log "heap after a full GC: ${heap:-n/a} MB; index folder: ${disk:-n/a} bytes per instance"

  if ((size == SMALLEST || size == LARGEST)); then
    local before total wf0 couch0 t0
    before=$(curl -s --max-time 60 "$SIDECAR/api/status" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["mirror"]["instances"])')
    "$PY" "$LIB/generate_dataset.py" --seed "$SEED-cpu-$size" --instances "$CPU_INSTANCES" --studies 2 \
      --out "$dir/cpu-dataset" >"$ROOT/logs/cpu-generate-$size.log" 2>&1 || die "generating the CPU probe's instances failed"
    total=$(json_field "$dir/cpu-dataset/manifest.json" totals.instances)
    log "mirror CPU: storing $total real instances into Orthanc (the sidecar holds $before)"
    wf0=$(cpu_ticks "$JVM") couch0=$(cpu_ticks "$COUCH_PID") t0=$(date +%s.%N)
    "$PY" "$LIB/generate_dataset.py" --out "$dir/cpu-dataset" --load-only --load-orthanc "http://127.0.0.1:$ORTHANC_HTTP_PORT" \
      >"$ROOT/logs/cpu-load-$size.log" 2>&1 || die "loading into Orthanc failed"
    scale wait-mirror --sidecar "$SIDECAR" --instances $((before + total)) --timeout 900 >/dev/null || die "the mirror did not take them"
    cpu_wf=$(echo "scale=3; ($(cpu_ticks "$JVM") - $wf0) * 1000 / $CLK_TCK / $total" | bc)
    cpu_couch=$(echo "scale=3; ($(cpu_ticks "$COUCH_PID") - $couch0) * 1000 / $CLK_TCK / $total" | bc)
    log "mirrored in $(echo "$(date +%s.%N) - $t0" | bc | cut -d. -f1) s: WildFly $cpu_wf, pouchdb-server $cpu_couch ms of CPU per instance"
    rm -rf "$dir/cpu-dataset"/st*
  fi
  stop_sidecar
  "$PY" - "$dir/facts.json" <<PY
import json, sys
def num(v):
    try: return float(v) if "." in v else int(v)
    except ValueError: return None
ds = {}
try: ds = json.load(open("$dir/dataset.json"))
except OSError: pass
json.dump({"size": $size, "instances": num("$instances"), "series": num("$series"), "studies": num("$studies"),
           "writeRate": (ds.get("written") or {}).get("instancesPerSecond"), "heapMB": num("$heap"),
           "diskBytesPerInstance": num("$disk"), "firstAnswerSeconds": num("$first"), "restartSeconds": num("$restart"),
           "cpuWildflyMsPerInstance": num("$cpu_wf"), "cpuCouchMsPerInstance": num("$cpu_couch"),
           "generated": {k: ds.get(k) for k in ("studies", "series", "instances")}}, open(sys.argv[1], "w"))
PY
}

# --- the empty sidecar, then each size -------------------------------------------------------------------------------
java $GENERATOR_JAVA_OPTS -cp "$GENERATOR_CP" org.dicomsidecar.bench.ScaleDataset --couch "$COUCH_URL" --database dicom-sidecar \
  --seed "$SEED" --from 0 --to 0 --summary "$ROOT/probes.json" >/dev/null 2>"$ROOT/logs/probes.log" || die "the generator failed"
GENERATOR_VERSION=$(json_field "$ROOT/probes.json" generatorVersion)
GENERATOR_FINGERPRINT=$(json_field "$ROOT/probes.json" fingerprint)
log "generator version $GENERATOR_VERSION, documents' fingerprint ${GENERATOR_FINGERPRINT:0:12}"
LIVE=0 # the size the live database holds exactly as the generator wrote it; -1 once the sidecar has written to it
if [[ "$PREPARE_ONLY" != 1 ]]; then
  ROUNDS_ALL=$ROUNDS
  ROUNDS=$(((ROUNDS + 9) / 10)) # the empty sidecar answers the same questions, fewer times, before its heap is read
  measure 0
  ROUNDS=$ROUNDS_ALL
  LIVE=-1
fi
MEASURED=""
prev=0
for SIZE in $SIZES; do
  mkdir -p "$ROOT/$SIZE"
  if snapshot_usable "$SIZE"; then
    log "=== $SIZE instances: snapshot found in the data cache ==="
    cp "$(snapshot_dir "$SIZE")/dataset.json" "$ROOT/$SIZE/dataset.json"
    if [[ "$PREPARE_ONLY" != 1 ]]; then
      restore_snapshot "$SIZE"
      LIVE=$SIZE
    fi
  else
    if ((LIVE != prev)); then
      if ((prev == 0)); then empty_database; else restore_snapshot "$prev"; fi
    fi
    log "=== writing the dataset from $prev up to $SIZE instances ($WRITERS writers, batches of $BATCH) ==="
    generate "$prev" "$SIZE" "$ROOT/$SIZE/dataset.json"
    log "written: $(json_field "$ROOT/$SIZE/dataset.json" written.instances) instances in" \
      "$(json_field "$ROOT/$SIZE/dataset.json" written.seconds) s = $(json_field "$ROOT/$SIZE/dataset.json" written.instancesPerSecond)" \
      "instances/s; the dataset holds $(json_field "$ROOT/$SIZE/dataset.json" instances) instances"
    save_snapshot "$SIZE"
    LIVE=$SIZE
  fi
  if [[ "$PREPARE_ONLY" != 1 ]]; then
    measure "$SIZE"
    LIVE=-1
    MEASURED="$MEASURED $SIZE"
  fi
  prev=$SIZE
done
if [[ "$PREPARE_ONLY" == 1 ]]; then
  log "prepared in $(($(date +%s) - START)) s: snapshots of $SIZES instances in $CACHE"
  exit 0
fi

"$PY" "$LIB/bench_scale.py" report --root "$ROOT" --sizes "$MEASURED" --command "$COMMAND" \
  --elapsed "$(($(date +%s) - START))" --load-start "$LOAD_START" --load-end "$(cut -d' ' -f1-3 /proc/loadavg)"
log "report: $ROOT/report.md"
