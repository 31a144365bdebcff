#!/usr/bin/env bash
# Benchmarks the extension queries (search by reference, cohorts, workflow facts) on generated data: loads a
# seeded dataset of about BENCH_INSTANCES instances (default 20,000, in >= 500 studies) into the embedded Orthanc with the
# sidecar attached, waits until the mirror holds all of it, then measures, on pouchdb-server:
#   - cold: the first call of each query (CouchDB builds its views lazily, the series catalog loads);
#   - warm: p50/p95 over BENCH_ROUNDS calls of a reference lookup (what references a CT series), the
#     series cohort (CT, PixelSpacing 0.5, SliceThickness <= 1), a PixelSpacing facet over all CT series,
#     and the absence query (CT studies without a MANUAL segmentation);
#   - WildFly's peak RSS.
# Prints a summary; exits non-zero only if something broke. Stops everything it started.
#
# Environment: BENCH_SKIP_BUILD=1, BENCH_INSTANCES [20000], BENCH_SEED [42], BENCH_ROUNDS [200],
#   BENCH_COUCHDB_PORT [26984], BENCH_ORTHANC_HTTP_PORT [28142], BENCH_ORTHANC_DICOM_PORT [24342],
#   BENCH_HTTP_PORT [28180], BENCH_MANAGEMENT_PORT [29190]
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

INSTANCES="${BENCH_INSTANCES:-20000}"
STUDIES="${BENCH_STUDIES:-500}"
SEED="${BENCH_SEED:-42}"
ROUNDS="${BENCH_ROUNDS:-200}"
COUCHDB_PORT="${BENCH_COUCHDB_PORT:-26984}"
ORTHANC_HTTP_PORT="${BENCH_ORTHANC_HTTP_PORT:-28142}"
ORTHANC_DICOM_PORT="${BENCH_ORTHANC_DICOM_PORT:-24342}"
HTTP_PORT="${BENCH_HTTP_PORT:-28180}"
MGMT_PORT="${BENCH_MANAGEMENT_PORT:-29190}"
PY=/usr/bin/python3
BENCH="$SIDECAR_ROOT/target/benchmark-extensions"
API="http://127.0.0.1:$HTTP_PORT/sidecar/api"

PIDS=()
SAMPLER=""
cleanup() {
  local rc=$? i
  trap - INT TERM EXIT
  set +e
  [[ -n "$SAMPLER" ]] && kill "$SAMPLER" 2>/dev/null
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[i]#*:}" "${PIDS[i]%%:*}"; done
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

install_prerequisites
if [[ "${BENCH_SKIP_BUILD:-}" != 1 ]]; then
  (cd "$SIDECAR_ROOT" && mvn -B -q -DskipTests package >&2) || die "the build failed"
fi
rm -rf "$BENCH" && mkdir -p "$BENCH/logs"

log "generating about $INSTANCES instances (seed $SEED)"
t0=$(date +%s.%N)
"$PY" "$SIDECAR_ROOT/scripts/lib/generate_dataset.py" --seed "$SEED" --studies "$STUDIES" --instances "$INSTANCES" --out "$BENCH/dataset" >&2
log "generated in $(echo "$(date +%s.%N) - $t0" | bc) s"

PIDS+=("pouchdb-server:$(start_couchdb "$COUCHDB_PORT" "$BENCH/couchdb" "$BENCH/logs/couchdb.log")")
# no Lua hook: the sidecar follows Orthanc's /changes
PIDS+=("Orthanc:$(start_orthanc "$ORTHANC_HTTP_PORT" "$ORTHANC_DICOM_PORT" "$BENCH/orthanc" "$BENCH/logs/orthanc.log")")
JVM=$(WILDFLY_JAVA_OPTS="-Xms64m -Xmx512m" start_wildfly "$BENCH/wildfly" "$HTTP_PORT" "$MGMT_PORT" "$BENCH/logs/wildfly.log" \
  "-Dsidecar.couchdb.url=http://127.0.0.1:$COUCHDB_PORT" \
  "-Dsidecar.host.dicomweb-url=http://127.0.0.1:$ORTHANC_HTTP_PORT/dicom-web" \
  "-Dsidecar.ingest.orthanc-url=http://127.0.0.1:$ORTHANC_HTTP_PORT")
PIDS+=("WildFly:$JVM")
wait_deployed "$BENCH/wildfly" 180 || die "the EAR did not deploy"
(while kill -0 "$JVM" 2>/dev/null; do awk '/VmRSS/{print $2}' "/proc/$JVM/status" >>"$BENCH/rss.txt"; sleep 1; done) &
SAMPLER=$!

log "loading the dataset into Orthanc (the sidecar mirrors it as it arrives)"
t0=$(date +%s.%N)
"$PY" "$SIDECAR_ROOT/scripts/lib/generate_dataset.py" --out "$BENCH/dataset" --load-only \
  --load-orthanc "http://127.0.0.1:$ORTHANC_HTTP_PORT" >&2
TOTAL=$(curl -s "http://127.0.0.1:$ORTHANC_HTTP_PORT/statistics" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["CountInstances"])')
log "Orthanc holds $TOTAL instances; waiting for the mirror"
for ((i = 0; i < 1800; i++)); do
  read -r n q < <(curl -s "$API/status" | "$PY" -c 'import json,sys; m=json.load(sys.stdin)["mirror"]; print(m["instances"], m["queueDepth"])')
  [[ "$n" == "$TOTAL" && "$q" == 0 ]] && break
  sleep 1
done
[[ "$n" == "$TOTAL" ]] || die "the mirror holds $n of $TOTAL instances"
log "mirrored $TOTAL instances in $(echo "$(date +%s.%N) - $t0" | bc) s (load + mirror)"

export API BENCH ROUNDS ORTHANC_HTTP_PORT
"$PY" - <<'PYEOF'
import json, os, statistics, time, urllib.request, http.client
api = os.environ["API"]; rounds = int(os.environ["ROUNDS"])
manifest = json.load(open(os.path.join(os.environ["BENCH"], "dataset", "manifest.json")))
host, port = "127.0.0.1", int(api.split(":")[2].split("/")[0])
conn = http.client.HTTPConnection(host, port, timeout=120)
def call(method, path, body=None):
    t = time.perf_counter()
    conn.request(method, "/sidecar/api" + path, body=None if body is None else json.dumps(body),
                 headers={"Content-Type": "application/json", "Accept": "application/json"})
    r = conn.getresponse(); data = r.read()
    if r.status != 200: raise SystemExit(f"{method} {path}: HTTP {r.status} {data[:300]}")
    return (time.perf_counter() - t) * 1000, json.loads(data)
# a CT series that something references (for the reference lookup)
ct_series = None
for ref in manifest.get("references", []):
    if ref.get("level") == "instance" and not ref.get("dangling"):
        inst = next((i for i in manifest["instances"] if i["sop"] == ref["target"]), None) if isinstance(manifest.get("instances"), list) else manifest["instances"].get(ref["target"])
        if inst and inst.get("modality") == "CT":
            ct_series = inst["series"]; break
if ct_series is None: raise SystemExit("no referenced CT series in the manifest")
queries = {
  "reference lookup": ("GET", f"/references/{ct_series}", None),
  "cohort (CT, PixelSpacing 0.5, SliceThickness <= 1)": ("POST", "/cohorts/query", {"level": "series", "where": {"and": [
      {"attribute": "Modality", "equals": "CT"},
      {"attribute": "PixelSpacing", "values": "every", "near": 0.5, "tolerance": 0.01},
      {"attribute": "SliceThickness", "lte": 1}]}, "limit": 100}),
  "facet PixelSpacing over CT series": ("POST", "/cohorts/query", {"level": "series", "where": {"attribute": "Modality", "equals": "CT"},
      "limit": 1, "facets": [{"attribute": "PixelSpacing"}]}),
  "absence (CT studies without MANUAL SEG)": ("POST", "/workflow/query", {"has": [{"fact": "modalities", "contains": "CT"}],
      "lacks": [{"fact": "segmentAlgorithmTypes", "contains": "MANUAL"}], "limit": 100}),
}
targets_ms = {"reference lookup": 100, "cohort (CT, PixelSpacing 0.5, SliceThickness <= 1)": 100,
              "facet PixelSpacing over CT series": 500, "absence (CT studies without MANUAL SEG)": 500}
cold = {}
for name, (m, p, b) in queries.items():
    ms, answer = call(m, p, b); cold[name] = (ms, answer)
warm = {name: [] for name in queries}
for _ in range(rounds):
    for name, (m, p, b) in queries.items():
        warm[name].append(call(m, p, b)[0])
def pct(xs, p):
    xs = sorted(xs); return xs[min(len(xs) - 1, max(0, int(round(p / 100 * len(xs) + 0.5)) - 1))]
print("=" * 100)
print(f"Extension queries on {sum(1 for _ in (manifest['instances'] if isinstance(manifest['instances'], list) else manifest['instances'].values()))} generated instances, pouchdb-server, {rounds} warm rounds")
for name in queries:
    p50, p95 = pct(warm[name], 50), pct(warm[name], 95)
    c_ms, answer = cold[name]
    size = answer.get("count", len(answer.get("references", [])))
    print(f"{name:48s} cold {c_ms:8.0f} ms | warm p50 {p50:6.1f} ms p95 {p95:6.1f} ms (target p95 <= {targets_ms[name]} ms) "
          f"{'PASS' if p95 <= targets_ms[name] else 'MISS'} | answer size {size}")
PYEOF
PEAK=$(awk '/VmHWM/{print int($2/1024)}' "/proc/$JVM/status")
echo "WildFly peak RSS ${PEAK} MB (VmHWM, -Xmx512m)"
echo "===================================================================================================="
