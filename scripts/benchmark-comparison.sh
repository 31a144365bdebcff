#!/usr/bin/env bash
# The side-by-side comparison benchmark: the same questions answered with standard DICOMweb only (the archive's
# QIDO-RS and WADO-RS metadata, client-side filtering, as a pipeline does it today) and with the sidecar, on
# generated archives of several sizes; checks that the answers are identical and measures both routes.
#
# For each size in BENCH_SIZES, in a fresh target/benchmark-comparison/<size>/: generates a seeded dataset
# (scripts/lib/generate_dataset.py, studies = instances / 40), starts pouchdb-server, Orthanc (no hook) and
# WildFly with the sidecar following Orthanc's /changes, loads the dataset into Orthanc, waits until the mirror holds
# every instance with an empty queue, measures (scripts/lib/bench_comparison.py measure), and stops the three
# servers. Then writes target/benchmark-comparison/report.md with PNG charts and prints the summary table.
#
# Questions: the cohort (CT, PixelSpacing 0.5, SliceThickness <= 1), what references a CT series, CT studies
# without a MANUAL segmentation, a PixelSpacing facet over CT series, and plain QIDO-RS queries sent to the
# archive's QIDO and to the mirror's (/sidecar/mirror/dicomweb). See bench_comparison.py for each route.
#
# Exit status: non-zero if an answer differed between the routes (or a route failed) at any size, or if a
# step broke; the performance criteria are reported as PASS/MISS only. Stops everything it started, by PID.
#
# Environment (defaults in brackets):
#   BENCH_SIZES ["2000 10000 50000"] instances per archive   BENCH_SEED [comparison]
#   BENCH_ROUNDS: rounds for every route (otherwise BENCH_STANDARD_ROUNDS [5], BENCH_SIDECAR_ROUNDS [20],
#     BENCH_QIDO_ROUNDS [20] for both QIDOs)
#   BENCH_STANDARD_BUDGET_SECONDS [150]: per question, the standard route stops repeating past this much time
#     once BENCH_MIN_STANDARD_ROUNDS [3] rounds are done (a round at 50,000 instances takes a minute)
#   BENCH_WARMUP_SECONDS [30]: sidecar and mirror calls before measuring, so that WildFly's JIT has compiled
#     the hot paths (a production sidecar runs warm); the standard route gets one cold call per question
#   BENCH_THREADS [4] concurrent WADO-RS metadata requests of the standard route; BENCH_QIDO_PAGE [200]
#   BENCH_KEEP_DATA=1: keep each size's DICOM files and Orthanc storage (removed once measured otherwise)
#   BENCH_SKIP_BUILD=1: use the EAR already built (ear/target/dicom-sidecar.ear) instead of building it
#   BENCH_COUCHDB_PORT [27984] BENCH_ORTHANC_HTTP_PORT [27042] BENCH_ORTHANC_DICOM_PORT [27242]
#   BENCH_HTTP_PORT [27080] BENCH_MANAGEMENT_PORT [27990] BENCH_WILDFLY_JAVA_OPTS ["-Xms64m -Xmx768m"]
#   BENCH_MIRROR_TIMEOUT: seconds to wait for the mirror [600 + instances / 20]
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

SIZES="${BENCH_SIZES:-2000 10000 50000}"
SEED="${BENCH_SEED:-comparison}"
STANDARD_ROUNDS="${BENCH_STANDARD_ROUNDS:-${BENCH_ROUNDS:-5}}"
SIDECAR_ROUNDS="${BENCH_SIDECAR_ROUNDS:-${BENCH_ROUNDS:-20}}"
QIDO_ROUNDS="${BENCH_QIDO_ROUNDS:-${BENCH_ROUNDS:-20}}"
STANDARD_BUDGET="${BENCH_STANDARD_BUDGET_SECONDS:-150}"
MIN_STANDARD_ROUNDS="${BENCH_MIN_STANDARD_ROUNDS:-3}"
WARMUP_SECONDS="${BENCH_WARMUP_SECONDS:-30}"
THREADS="${BENCH_THREADS:-4}"
QIDO_PAGE="${BENCH_QIDO_PAGE:-200}"
COUCHDB_PORT="${BENCH_COUCHDB_PORT:-27984}"
ORTHANC_HTTP_PORT="${BENCH_ORTHANC_HTTP_PORT:-27042}"
ORTHANC_DICOM_PORT="${BENCH_ORTHANC_DICOM_PORT:-27242}"
HTTP_PORT="${BENCH_HTTP_PORT:-27080}"
MGMT_PORT="${BENCH_MANAGEMENT_PORT:-27990}"
JAVA_HEAP_OPTS="${BENCH_WILDFLY_JAVA_OPTS:--Xms64m -Xmx768m}"
PY=/usr/bin/python3 # Debian's python3-pydicom and python3-matplotlib live there
ROOT="$SIDECAR_ROOT/target/benchmark-comparison"
SIDECAR="http://127.0.0.1:$HTTP_PORT/sidecar"
HOST_DICOMWEB="http://127.0.0.1:$ORTHANC_HTTP_PORT/dicom-web"

# the command as typed, with the settings that differ from the defaults, for the report
COMMAND="scripts/benchmark-comparison.sh"
for v in $(compgen -e | grep '^BENCH_' | sort -r); do COMMAND="$v='${!v}' $COMMAND"; done

for s in $SIZES; do [[ "$s" =~ ^[1-9][0-9]*$ ]] || die "BENCH_SIZES: '$s' is not a number of instances"; done

# --- processes we started, stopped in reverse order on any exit --------------------------------------
PIDS=() # name:pid
cleanup() {
  local rc=$? i
  trap - INT TERM EXIT
  set +e
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[i]#*:}" "${PIDS[i]%%:*}"; done
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

stop_servers() {
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[i]#*:}" "${PIDS[i]%%:*}"; done
  PIDS=()
}

START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# --- prerequisites, build ----------------------------------------------------------------------------
install_prerequisites
if ! "$PY" -c 'import matplotlib' 2>/dev/null; then
  log "installing Debian's python3-matplotlib (for the charts)"
  export DEBIAN_FRONTEND=noninteractive
  dpkg -s python3-matplotlib >/dev/null 2>&1 || apt-get install -y -qq --no-install-recommends python3-matplotlib >&2 \
    || { apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends python3-matplotlib >&2; } \
    || die "apt-get install python3-matplotlib failed"
fi
build_ear

rm -rf "$ROOT"
mkdir -p "$ROOT"
# a copy of the EAR for every size: others may rebuild the project while this runs
for ((i = 0; i < 10; i++)); do
  cp "$EAR" "$ROOT/dicom-sidecar.ear" && "$PY" -c 'import sys, zipfile; sys.exit(zipfile.ZipFile(sys.argv[1]).testzip() is not None)' \
    "$ROOT/dicom-sidecar.ear" 2>/dev/null && break
  sleep 3
done
((i < 10)) || die "could not copy a complete $EAR"
EAR="$ROOT/dicom-sidecar.ear" # read by start_wildfly

FAILED=0
MEASURED=""
for SIZE in $SIZES; do
  DIR="$ROOT/$SIZE"
  mkdir -p "$DIR/logs"
  STUDIES=$(((SIZE + 39) / 40))
  log "=== $SIZE instances in $STUDIES studies ==="

  t0=$(date +%s.%N)
  "$PY" "$SIDECAR_ROOT/scripts/lib/generate_dataset.py" --seed "$SEED" --instances "$SIZE" --studies "$STUDIES" \
    --out "$DIR/dataset" >"$DIR/logs/generate.log" 2>&1 || die "generating failed; see $DIR/logs/generate.log"
  GEN_S=$(echo "$(date +%s.%N) - $t0" | bc)
  TOTAL=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["instances"])' "$DIR/dataset/manifest.json")
  log "generated $TOTAL instances in $(printf %.0f "$GEN_S") s"

  PIDS+=("pouchdb-server:$(start_couchdb "$COUCHDB_PORT" "$DIR/couchdb" "$DIR/logs/couchdb.log")")
  PIDS+=("Orthanc:$(start_orthanc "$ORTHANC_HTTP_PORT" "$ORTHANC_DICOM_PORT" "$DIR/orthanc" "$DIR/logs/orthanc.log")")
  JVM=$(WILDFLY_JAVA_OPTS="$JAVA_HEAP_OPTS" start_wildfly "$DIR/wildfly" "$HTTP_PORT" "$MGMT_PORT" "$DIR/logs/wildfly.log" \
    "-Dsidecar.couchdb.url=http://127.0.0.1:$COUCHDB_PORT" "-Dsidecar.host.dicomweb-url=$HOST_DICOMWEB" \
    "-Dsidecar.ingest.orthanc-url=http://127.0.0.1:$ORTHANC_HTTP_PORT" "-Dsidecar.reconcile.interval-minutes=0")
  PIDS+=("WildFly:$JVM")
  wait_deployed "$DIR/wildfly" 180 || die "the EAR did not deploy; see $DIR/logs/wildfly.log"
  wait_http "$SIDECAR/api/status" 60 "$JVM" || die "the sidecar does not answer; see $DIR/logs/wildfly.log"

  log "loading into Orthanc (the sidecar mirrors it as it arrives)"
  t0=$(date +%s.%N)
  "$PY" "$SIDECAR_ROOT/scripts/lib/generate_dataset.py" --out "$DIR/dataset" --load-only \
    --load-orthanc "http://127.0.0.1:$ORTHANC_HTTP_PORT" >"$DIR/logs/load.log" 2>&1 || die "loading failed; see $DIR/logs/load.log"
  LOAD_S=$(echo "$(date +%s.%N) - $t0" | bc)
  HELD=$(curl -s "http://127.0.0.1:$ORTHANC_HTTP_PORT/statistics" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["CountInstances"])')
  [[ "$HELD" == "$TOTAL" ]] || die "Orthanc holds $HELD of $TOTAL instances"
  log "Orthanc holds $HELD instances (loaded in $(printf %.0f "$LOAD_S") s); waiting for the mirror"
  TIMEOUT="${BENCH_MIRROR_TIMEOUT:-$((600 + TOTAL / 20))}"
  n="" q=""
  for ((i = 0; i < TIMEOUT; i++)); do
    read -r n q < <(curl -s --max-time 30 "$SIDECAR/api/status" | "$PY" -c \
      'import json,sys
try: m=json.load(sys.stdin)["mirror"]; print(m["instances"], m["queueDepth"])
except Exception: print("? ?")') || true
    [[ "$n" == "$TOTAL" && "$q" == 0 ]] && break
    ((i % 30 == 29)) && log "mirror: $n of $TOTAL instances, queue $q"
    sleep 1
  done
  [[ "$n" == "$TOTAL" && "$q" == 0 ]] || die "after $TIMEOUT s the mirror holds $n of $TOTAL instances (queue $q)"
  MIRROR_S=$(echo "$(date +%s.%N) - $t0" | bc)
  log "mirrored $TOTAL instances $(printf %.0f "$MIRROR_S") s after the load began"
  printf 'generate_seconds=%.0f\nload_seconds=%.0f\nmirror_seconds=%.0f\n' "$GEN_S" "$LOAD_S" "$MIRROR_S" >"$DIR/phases.txt"

  rc=0
  "$PY" "$SIDECAR_ROOT/scripts/lib/bench_comparison.py" measure --size "$SIZE" --dataset "$DIR/dataset" \
    --host "$HOST_DICOMWEB" --sidecar "$SIDECAR" --out "$DIR/results.json" \
    --standard-rounds "$STANDARD_ROUNDS" --sidecar-rounds "$SIDECAR_ROUNDS" --qido-rounds "$QIDO_ROUNDS" \
    --standard-budget "$STANDARD_BUDGET" --min-standard-rounds "$MIN_STANDARD_ROUNDS" \
    --warmup-seconds "$WARMUP_SECONDS" --threads "$THREADS" --page "$QIDO_PAGE" || rc=$?
  [[ -f "$DIR/results.json" ]] || die "measuring failed at $SIZE instances (exit $rc)"
  ((rc == 0)) || { FAILED=1; log "answers differ at $SIZE instances"; }
  PEAK=$(awk '/VmHWM/{print int($2/1024)}' "/proc/$JVM/status" 2>/dev/null || echo "?")
  echo "wildfly_peak_rss_mb=$PEAK" >>"$DIR/phases.txt"
  MEASURED="$MEASURED $SIZE"
  stop_servers
  # the bulky parts (BENCH_KEEP_DATA=1 keeps them); results, logs and the manifest stay
  [[ "${BENCH_KEEP_DATA:-0}" == 1 ]] || rm -rf "$DIR/orthanc/storage" "$DIR/dataset/st"*
done

ELAPSED=$(($(date +%s) - START))
rc=0
"$PY" "$SIDECAR_ROOT/scripts/lib/bench_comparison.py" report --root "$ROOT" --sizes "$MEASURED" \
  --command "$COMMAND" --elapsed "$ELAPSED" --load-start "$LOAD_START" --load-end "$(cut -d' ' -f1-3 /proc/loadavg)" || rc=$?
((rc == 0 && FAILED == 0)) || die "the routes' answers differ somewhere: see $ROOT/report.md"
log "report: $ROOT/report.md"
