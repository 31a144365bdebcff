#!/usr/bin/env bash
# The cluster benchmark: read throughput of ONE sidecar node against TWO nodes behind a round-robin, over the same
# CouchDB data, with the CPU each request costs. Prints figures and a markdown table; it is not a test.
#
# What it does, all on 127.0.0.1 with everything under target/benchmark-cluster/ (wiped at each run), on ports chosen
# at run time among the free ones (none fixed):
#  1. Data: the scale benchmark's dataset of BENCH_INSTANCES instances (realistic mirror documents written straight
#     into CouchDB by ScaleDataset, see scripts/benchmark-scale.sh), prepared by that script itself
#     (BENCH_PREPARE_ONLY=1): taken from its data cache (BENCH_DATA_CACHE, shared with the scale benchmark) when a
#     snapshot of this seed and size is there, else written and saved into the cache; then copied into a
#     pouchdb-server of this run.
#  2. Two WildFly nodes with the sidecar, node-a and node-b (sidecar.node.name), each with its own server base and
#     index folder (target/benchmark-cluster/node-a, node-b), on the one database. No archive: the host URL points
#     at a port nothing listens on, reconciliation is off and nothing follows Orthanc (the questions are answered
#     from the index; the status says DEGRADED for the host, which the benchmark ignores). Both start together,
#     build their index from CouchDB; the run waits until both statuses say index.state "ready", then until the
#     three processes are quiet (together under a tenth of a core over 5 s, at most 180 s: a node that has just built
#     its index still merges and compiles for a while).
#  3. Two setups, one after the other, node-b running in both:
#     - one node: every request to node-a; node-b stands idle (its CPU is shown on its own: it still ticks its
#       heartbeat and lease, a little);
#     - two nodes: round-robin by client-side alternation, each client sending its requests to node-a and node-b in
#       turn over a kept-alive connection to each. No load balancer: a proxy process on the same cores would take
#       CPU of its own and blur the CPU per request; the alternation gives each node half the requests at every
#       moment.
#     Each setup: BENCH_WARMUP_SECONDS of the questions in turn (WildFly's JIT), then per question BENCH_CLIENTS
#     clients (Python threads, http.client keep-alive) asking as fast as they are answered for BENCH_SECONDS
#     (scripts/lib/bench_cluster.py run). Per setup and question: requests/s, p50 and p99 latency (request to the
#     answer's last byte, as the client sees it: with 32 threads in one Python process this includes the client's
#     own wait for the interpreter), errors, and CPU per request: the CPU seconds (utime + stime of /proc/PID/stat)
#     of each WildFly JVM and of pouchdb-server from before the first request to after the last answer, divided by
#     the answered requests, and likewise the client's own CPU (os.times); the machine's busy CPU (/proc/stat) over
#     the same time, so that other work on the machine shows.
#  4. A markdown table of both setups (printed and written to target/benchmark-cluster/report.md) and what a second
#     machine would give, worked out from the measured CPU per request: on one machine both setups share the same
#     cores, so the two-node rows cannot be faster; their WildFly CPU per request says whether the work divides
#     between the nodes (same cost per request: throughput scales with machines until the shared pouchdb-server,
#     one Node.js thread, runs out of its core).
#  Questions (BENCH_QUESTIONS, any of scripts/lib/bench_scale.py's): cohort, POST /sidecar/api/cohorts/query (CT series,
#  PixelSpacing 0.5, SliceThickness <= 1, limit 100), and qido-patient, GET /sidecar/mirror/dicomweb/studies?PatientID=
#  (mirror QIDO-RS: a patient's studies). Each node answers each question once before the setup (anything but HTTP
#  200 or 204 stops the run); the report gives each node's answer size, and the log flags nodes that differ.
#
# Environment (defaults in brackets):
#   BENCH_SECONDS [60] per question and setup   BENCH_CLIENTS [32]   BENCH_WARMUP_SECONDS [30] per setup
#   BENCH_INSTANCES [200000]   BENCH_SEED [scale]   BENCH_QUESTIONS ["cohort qido-patient"]
#   BENCH_DATA_CACHE [$SIDECAR_ROOT/target/benchmark-scale-data]: the scale benchmark's snapshots, kept across runs
#   BENCH_WILDFLY_JAVA_OPTS ["-Xms64m -Xmx1g"] for each node
#   BENCH_START_TIMEOUT: seconds to wait for both indexes [900 + instances / 250]
#   BENCH_SKIP_BUILD=1: use the EAR and test classes already built instead of `mvn -B -q -DskipTests package`
#   (BENCH_WRITERS, BENCH_BATCH and BENCH_GENERATOR_JAVA_OPTS reach the scale benchmark's data preparation)
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

DURATION="${BENCH_SECONDS:-60}"
CLIENTS="${BENCH_CLIENTS:-32}"
WARMUP_SECONDS="${BENCH_WARMUP_SECONDS:-30}"
INSTANCES="${BENCH_INSTANCES:-200000}"
SEED="${BENCH_SEED:-scale}"
QUESTIONS="${BENCH_QUESTIONS:-cohort qido-patient}"
JAVA_HEAP_OPTS="${BENCH_WILDFLY_JAVA_OPTS:--Xms64m -Xmx1g}"
START_TIMEOUT="${BENCH_START_TIMEOUT:-$((900 + INSTANCES / 250))}"
CACHE=$(realpath -m "${BENCH_DATA_CACHE:-$SIDECAR_ROOT/target/benchmark-scale-data}")
PY=/usr/bin/python3
LIB="$SIDECAR_ROOT/scripts/lib"
ROOT="$SIDECAR_ROOT/target/benchmark-cluster"

COMMAND="scripts/benchmark-cluster.sh"
for v in $(compgen -e | grep '^BENCH_' | sort -r); do COMMAND="$v='${!v}' $COMMAND"; done

for v in DURATION CLIENTS INSTANCES; do [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v: '${!v}' is not a positive number"; done
[[ "$WARMUP_SECONDS" =~ ^[0-9]+$ ]] || die "BENCH_WARMUP_SECONDS: '$WARMUP_SECONDS' is not a number"
[[ "$SEED" =~ ^[A-Za-z0-9._-]+$ ]] || die "BENCH_SEED: letters, digits, '.', '_' and '-' only (it names the cached snapshots)"
[[ "$CACHE/" != "$ROOT/"* ]] || die "BENCH_DATA_CACHE must not lie under $ROOT (wiped at each run)"

# --- processes we started, stopped on any exit by PID ------------------------------------------------------------------
COUCH_PID="" JVM_A="" JVM_B=""
CHILD="" # the data preparation or a measuring run, while it runs (background in common.sh)
cleanup() {
  local rc=$?
  trap - INT TERM EXIT
  set +e
  [[ -n "$CHILD" ]] && kill "$CHILD" 2>/dev/null && wait "$CHILD" 2>/dev/null
  stop_pid "$JVM_B" "WildFly node-b" &
  stop_pid "$JVM_A" "WildFly node-a" &
  wait
  stop_pid "$COUCH_PID" pouchdb-server
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

# --- prerequisites, build -----------------------------------------------------------------------------------------------
START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
install_prerequisites
build_ear # the test classes too: the data generator is one
rm -rf "$ROOT"
mkdir -p "$ROOT/logs"
cp "$EAR" "$ROOT/dicom-sidecar.ear" # a copy: others may rebuild the project while this runs
EAR="$ROOT/dicom-sidecar.ear"       # read by start_wildfly

# ports: pouchdb-server, each node's HTTP (+363 for HTTPS) and management (+3 for HTTPS), and the absent host
PORTS=$("$PY" "$LIB/bench_cluster.py" free-ports 0 0,363 0,3 0,363 0,3 0) || die "no free ports"
read -r COUCH_PORT HTTP_A MGMT_A HTTP_B MGMT_B HOST_PORT <<<"$PORTS"
log "ports: pouchdb-server $COUCH_PORT, node-a $HTTP_A (management $MGMT_A), node-b $HTTP_B (management $MGMT_B)"
COUCH_URL="http://127.0.0.1:$COUCH_PORT"
NODE_A="http://127.0.0.1:$HTTP_A/sidecar"
NODE_B="http://127.0.0.1:$HTTP_B/sidecar"

# --- data: the scale benchmark's snapshot, into a pouchdb-server of our own -----------------------------------------------
log "=== data: $INSTANCES instances, seed $SEED (the scale benchmark prepares them, data cache $CACHE) ==="
# its output to a log from inside the background job: a redirection of the call would take this script's own
# messages along while it waits (an interruption's among them)
prepare_data() {
  exec >"$ROOT/logs/prepare.log" 2>&1
  BENCH_PREPARE_ONLY=1 BENCH_SIZES="$INSTANCES" BENCH_SEED="$SEED" BENCH_DATA_CACHE="$CACHE" BENCH_SKIP_BUILD=1 \
    BENCH_WORK_DIR="$ROOT/prepare" BENCH_COUCHDB_PORT="$COUCH_PORT" exec "$SIDECAR_ROOT/scripts/benchmark-scale.sh"
}
background prepare_data || die "preparing the data failed; see $ROOT/logs/prepare.log"
SNAPSHOT="$CACHE/$SEED-$INSTANCES"
[[ -f "$SNAPSHOT/manifest.json" && -f "$SNAPSHOT/dataset.json" ]] || die "no snapshot in $SNAPSHOT; see $ROOT/logs/prepare.log"
rm -rf "$ROOT/prepare"
cp "$SNAPSHOT/dataset.json" "$ROOT/dataset.json" # the dataset's counts and the questions' probes
cp -a --reflink=auto "$SNAPSHOT/couchdb" "$ROOT/couchdb" || die "copying $SNAPSHOT/couchdb failed"
log "starting pouchdb-server on 127.0.0.1:$COUCH_PORT"
COUCH_PID=$(start_couchdb "$COUCH_PORT" "$ROOT/couchdb" "$ROOT/logs/couchdb.log")

# --- two nodes ---------------------------------------------------------------------------------------------------------
# start_node NAME HTTP_PORT MANAGEMENT_PORT: prints the JVM's PID
start_node() {
  WILDFLY_JAVA_OPTS="$JAVA_HEAP_OPTS" start_wildfly "$ROOT/$1" "$2" "$3" "$ROOT/logs/wildfly-$1.log" \
    "-Djboss.node.name=$1" "-Dsidecar.node.name=$1" "-Dsidecar.index.dir=$ROOT/$1/index" \
    "-Dsidecar.couchdb.url=$COUCH_URL" "-Dsidecar.host.dicomweb-url=http://127.0.0.1:$HOST_PORT/dicom-web" \
    "-Dsidecar.reconcile.on-startup=false" "-Dsidecar.reconcile.interval-minutes=0"
}
log "=== starting node-a and node-b; both build their index from CouchDB ==="
STARTED_AT=$(date +%s.%N)
JVM_A=$(start_node node-a "$HTTP_A" "$MGMT_A")
JVM_B=$(start_node node-b "$HTTP_B" "$MGMT_B")
[[ -n "$JVM_A" && -n "$JVM_B" ]] || die "WildFly did not start; see $ROOT/logs"
for node in node-a node-b; do
  wait_deployed "$ROOT/$node" "$START_TIMEOUT" || die "the EAR did not deploy on $node; see $ROOT/$node/log/server.log"
done
for node in node-a:$NODE_A node-b:$NODE_B; do
  background "$PY" "$LIB/bench_scale.py" wait-ready --sidecar "${node#*:}" --since "$STARTED_AT" \
    --timeout "$START_TIMEOUT" --out "$ROOT/ready-${node%%:*}.json" >"$ROOT/logs/ready-${node%%:*}.txt" \
    || die "${node%%:*} was not ready within $START_TIMEOUT s; see $ROOT/${node%%:*}/log/server.log"
  log "${node%%:*}: index ready $(cat "$ROOT/logs/ready-${node%%:*}.txt") s after the start"
done

PIDS=(--pid "wildfly-a=$JVM_A" --pid "wildfly-b=$JVM_B" --pid "pouchdb=$COUCH_PID")
log "waiting until the nodes have settled after their index builds (at most 180 s)"
background "$PY" "$LIB/bench_cluster.py" settle "${PIDS[@]}" || die "settle failed"

# --- the two setups -----------------------------------------------------------------------------------------------------
# measure LABEL SERVING OUT BASE...: one setup; SERVING names the answering nodes' JVMs (wildfly-a, wildfly-b)
measure() {
  local label=$1 serving=$2 out=$3 base bases=()
  shift 3
  for base in "$@"; do bases+=(--base "$base"); done
  log "=== $label: $CLIENTS clients, $WARMUP_SECONDS s of warm-up, then $DURATION s per question ==="
  background "$PY" "$LIB/bench_cluster.py" run --label "$label" "${bases[@]}" --serving "$serving" \
    "${PIDS[@]}" --probes "$ROOT/dataset.json" \
    --questions "$QUESTIONS" --clients "$CLIENTS" --seconds "$DURATION" --warmup "$WARMUP_SECONDS" --out "$out" \
    || die "the $label setup failed"
}
measure "one node" wildfly-a "$ROOT/one-node.json" "$NODE_A"
measure "two nodes" wildfly-a,wildfly-b "$ROOT/two-nodes.json" "$NODE_A" "$NODE_B"

"$PY" "$LIB/bench_cluster.py" report --results "$ROOT/one-node.json" "$ROOT/two-nodes.json" --dataset "$ROOT/dataset.json" \
  --out "$ROOT/report.md" --command "$COMMAND" --elapsed "$(($(date +%s) - START))" --warmup "$WARMUP_SECONDS" \
  --load-start "$LOAD_START" --load-end "$(cut -d' ' -f1-3 /proc/loadavg)"
log "report: $ROOT/report.md"
