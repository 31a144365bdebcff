#!/usr/bin/env bash
# Benchmarks DICOMweb delegation: the same QIDO-RS queries and WADO-RS study retrieves sent straight to the
# host archive (Orthanc + DICOMweb plugin) and through the sidecar (/sidecar/dicomweb/...), interleaved in
# one run so that a noisy machine hurts both routes alike. Starts its own pouchdb-server, Orthanc and
# WildFly (small heap on purpose) on 127.0.0.1 with data in target/benchmark/ (wiped at each run), loads a
# generated CT study of ~210 MB plus pydicom's sample files, measures, prints a summary and stops
# everything it started (also on Ctrl-C or failure).
#
# Exit status: non-zero if the sidecar failed the large retrieve (HTTP error, broken transfer, byte count
# different from the direct route, OutOfMemoryError) or any QIDO through it; the latency and throughput
# targets are reported as PASS/MISS only.
#
# Environment (defaults in brackets):
#   BENCH_SKIP_BUILD=1             do not run `mvn -B -q -DskipTests package` first
#   BENCH_COUCHDB_PORT [25984]  BENCH_ORTHANC_HTTP_PORT [28042]  BENCH_ORTHANC_DICOM_PORT [24242]
#   BENCH_HTTP_PORT [28080]     BENCH_MANAGEMENT_PORT [29990]
#   BENCH_WILDFLY_JAVA_OPTS ["-Xms64m -Xmx256m"]
#   BENCH_INSTANCES [100] slices of 1024x1024x16 bit (2 MiB each)   BENCH_SEED [dicom-sidecar-benchmark]
#   BENCH_QIDO_ROUNDS [200]  BENCH_WADO_ROUNDS [5]  BENCH_WADO_WARMUP [1]
#   BENCH_WARMUP_MAX_SECONDS [150]: QIDO warm-up runs until WildFly's JIT compiler threads go quiet (a cold
#   JVM spends seconds of CPU in C2 for the first ~10,000 requests, which on 2 cores slows every route), at
#   least BENCH_QIDO_WARMUP [50] rounds, at most this long
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

COUCHDB_PORT="${BENCH_COUCHDB_PORT:-25984}"
ORTHANC_HTTP_PORT="${BENCH_ORTHANC_HTTP_PORT:-28042}"
ORTHANC_DICOM_PORT="${BENCH_ORTHANC_DICOM_PORT:-24242}"
HTTP_PORT="${BENCH_HTTP_PORT:-28080}"
MGMT_PORT="${BENCH_MANAGEMENT_PORT:-29990}"
JAVA_HEAP_OPTS="${BENCH_WILDFLY_JAVA_OPTS:--Xms64m -Xmx256m}"
INSTANCES="${BENCH_INSTANCES:-100}"
SEED="${BENCH_SEED:-dicom-sidecar-benchmark}"
QIDO_ROUNDS="${BENCH_QIDO_ROUNDS:-200}"
QIDO_WARMUP="${BENCH_QIDO_WARMUP:-50}"
WARMUP_MAX_SECONDS="${BENCH_WARMUP_MAX_SECONDS:-150}"
WADO_ROUNDS="${BENCH_WADO_ROUNDS:-5}"
WADO_WARMUP="${BENCH_WADO_WARMUP:-1}"
PY=/usr/bin/python3 # Debian's python3-pydicom lives there, whatever python3 is first on PATH

BENCH="$SIDECAR_ROOT/target/benchmark"
DIRECT="http://127.0.0.1:$ORTHANC_HTTP_PORT/dicom-web"
SIDECAR="http://127.0.0.1:$HTTP_PORT/sidecar/dicomweb"
WADO_ACCEPT='Accept: multipart/related; type="application/dicom"'
QIDO_ACCEPT='Accept: application/dicom+json'

# --- processes we started, stopped in reverse order on any exit --------------------------------------
PIDS=()     # name:pid
SAMPLER=""  # the RSS sampling loop

cleanup() {
  local rc=$? i
  trap - INT TERM EXIT
  set +e
  log "stopping what the benchmark started"
  [[ -n "$SAMPLER" ]] && kill "$SAMPLER" 2>/dev/null && wait "$SAMPLER" 2>/dev/null
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[i]#*:}" "${PIDS[i]%%:*}"; done
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

# --- build, start ------------------------------------------------------------------------------------
install_prerequisites
build_ear

rm -rf "$BENCH"
mkdir -p "$BENCH/logs" "$BENCH/results"
LOGS="$BENCH/logs"
RES="$BENCH/results"

log "starting pouchdb-server on 127.0.0.1:$COUCHDB_PORT"
PIDS+=("pouchdb-server:$(start_couchdb "$COUCHDB_PORT" "$BENCH/couchdb" "$LOGS/couchdb.log")")
log "starting Orthanc on 127.0.0.1:$ORTHANC_HTTP_PORT (DICOM $ORTHANC_DICOM_PORT)"
PIDS+=("Orthanc:$(start_orthanc "$ORTHANC_HTTP_PORT" "$ORTHANC_DICOM_PORT" "$BENCH/orthanc" "$LOGS/orthanc.log")")
log "starting WildFly on 127.0.0.1:$HTTP_PORT with $JAVA_HEAP_OPTS (log in $LOGS/wildfly.log)"
JVM=$(WILDFLY_JAVA_OPTS="$JAVA_HEAP_OPTS" start_wildfly "$BENCH/wildfly" "$HTTP_PORT" "$MGMT_PORT" "$LOGS/wildfly.log" \
  "-Dsidecar.couchdb.url=http://127.0.0.1:$COUCHDB_PORT" \
  "-Dsidecar.host.dicomweb-url=$DIRECT")
PIDS+=("WildFly:$JVM")
ORTHANC_PID=${PIDS[1]#*:}

# the JVM's resident set, once a second, until it exits
(
  while [[ -r "/proc/$JVM/status" ]]; do
    awk '/^VmRSS:/ {print $2}' "/proc/$JVM/status" 2>/dev/null || true
    sleep 1
  done
) >"$RES/wildfly-rss-kib.txt" &
SAMPLER=$!

# --- data: a large generated study and the sample files (while WildFly deploys) ----------------------
log "generating $INSTANCES CT slices of 1024x1024x16 bit in $BENCH/study (seed '$SEED')"
STUDY_JSON=$("$PY" "$SIDECAR_ROOT/scripts/lib/generate_large_study.py" "$BENCH/study" --count "$INSTANCES" --seed "$SEED")
jget() { "$PY" -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$STUDY_JSON" "$1"; }
STUDY=$(jget StudyInstanceUID)
SERIES=$(jget SeriesInstanceUID)
PATIENT=$(jget PatientID)
STUDY_BYTES=$(jget bytes)

log "loading the study and the sample files into Orthanc (REST POST /instances)"
for f in "$BENCH"/study/*.dcm "${SAMPLE_FILES[@]}"; do
  [[ -f "$f" ]] || { log "missing $f"; continue; }
  # Expect: (empty) stops curl from sending "Expect: 100-continue" for bodies over 1 MB: Orthanc never answers
  # it, so curl would wait 1 s before each 2 MB upload
  curl -sf -o /dev/null -X POST -H 'Content-Type: application/dicom' -H 'Expect:' --data-binary "@$f" \
    "http://127.0.0.1:$ORTHANC_HTTP_PORT/instances" || die "Orthanc refused $f"
done
ORTHANC_STUDIES=$(curl -sf "http://127.0.0.1:$ORTHANC_HTTP_PORT/studies" | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')
log "Orthanc holds $ORTHANC_STUDIES studies"

wait_deployed "$BENCH/wildfly" 240 || die "the EAR did not deploy; see $LOGS/wildfly.log"
wait_http "$SIDECAR/studies" 60 "$JVM" || die "the sidecar does not answer at $SIDECAR"
code=$(curl -s -o "$RES/probe.json" -w '%{http_code}' -H "$QIDO_ACCEPT" "$SIDECAR/studies/$STUDY/series/$SERIES/instances")
[[ $code == 200 ]] || die "QIDO through the sidecar answered HTTP $code: $(head -c 500 "$RES/probe.json")"
if grep -qF "127.0.0.1:$ORTHANC_HTTP_PORT" "$RES/probe.json"; then
  log "WARNING: the sidecar's QIDO answer still names the host (URL rewriting did not happen)"
fi

# --- QIDO-RS latency ----------------------------------------------------------------------------------
QUERIES=(
  "/studies"
  "/studies?PatientID=$PATIENT"
  "/series?Modality=CT"
  "/studies/$STUDY/series"
  "/studies/$STUDY/series/$SERIES/instances"
)

# qido_batch FIRST_ROUND LAST_ROUND OUT: one curl for all requests of these rounds (kept-alive connections,
# no process per request); per round and query the direct and the sidecar request back to back, their order
# alternating with the round. Appends "round query route http_code seconds bytes" lines to OUT.
qido_batch() {
  local first=$1 last=$2 out=$3 r q route cfg="$RES/qido-batch.cfg" labels="$RES/qido-batch.labels"
  : >"$cfg"
  : >"$labels"
  for ((r = first; r <= last; r++)); do
    for q in "${!QUERIES[@]}"; do
      local order=(direct sidecar)
      ((r % 2)) && order=(sidecar direct)
      for route in "${order[@]}"; do
        local base=$DIRECT
        [[ $route == sidecar ]] && base=$SIDECAR
        printf 'url = "%s%s"\noutput = "/dev/null"\n' "$base" "${QUERIES[q]}" >>"$cfg"
        echo "$r $q $route" >>"$labels"
      done
    done
  done
  curl -s -K "$cfg" -H "$QIDO_ACCEPT" --max-time 60 -w '%{http_code} %{time_total} %{size_download}\n' \
    >"$RES/qido-batch.out" || true # a failed transfer shows as code 000 in its line
  [[ $(wc -l <"$RES/qido-batch.out") == $(wc -l <"$labels") ]] || die "curl stopped early in a QIDO batch"
  paste -d' ' "$labels" "$RES/qido-batch.out" >>"$out"
}

# CPU time (clock ticks) of the JVM's JIT compiler threads so far
jit_ticks() {
  local t sum=0
  for t in "/proc/$JVM/task/"*; do
    [[ $(cat "$t/comm" 2>/dev/null) == C[12]\ Compiler* ]] || continue
    sum=$((sum + $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0)))
  done
  echo "$sum"
}

log "QIDO-RS warm-up: batches of 25 rounds until WildFly's JIT compilers are quiet (at least $QIDO_WARMUP rounds, at most ${WARMUP_MAX_SECONDS} s)"
TICK=$(getconf CLK_TCK)
warm_start=$SECONDS warm_rounds=0 quiet=0 WARM_STATE="not quiet after ${WARMUP_MAX_SECONDS} s"
while ((SECONDS - warm_start < WARMUP_MAX_SECONDS)); do
  jit0=$(jit_ticks)
  qido_batch 1 25 "$RES/qido-warmup.txt"
  jit=$(($(jit_ticks) - jit0))
  warm_rounds=$((warm_rounds + 25))
  log "  warm-up rounds 1-$warm_rounds: JIT compiler threads used $((jit * 1000 / TICK)) ms CPU in the last 25"
  if ((jit * 1000 / TICK <= 50)); then quiet=$((quiet + 1)); else quiet=0; fi
  if ((quiet >= 2 && warm_rounds >= QIDO_WARMUP)); then
    WARM_STATE="quiet after $warm_rounds rounds ($((SECONDS - warm_start)) s)"
    break
  fi
done
log "  JIT $WARM_STATE"
log "QIDO-RS: $QIDO_ROUNDS rounds of ${#QUERIES[@]} queries x 2 routes"
: >"$RES/qido.txt"
for ((r = 1; r <= QIDO_ROUNDS; r += 25)); do
  last=$((r + 24 > QIDO_ROUNDS ? QIDO_ROUNDS : r + 24))
  qido_batch "$r" "$last" "$RES/qido.txt"
  log "  QIDO rounds $r-$last done"
done

# --- WADO-RS retrieve of the whole large study -------------------------------------------------------
# wado ROUTE LABEL: one retrieve; appends "label route http_code bytes seconds curl_rc" to wado.txt
wado() {
  local route=$1 label=$2 base=$DIRECT line rc=0
  [[ $route == sidecar ]] && base=$SIDECAR
  line=$(curl -s -o /dev/null --max-time 900 -H "$WADO_ACCEPT" -w '%{http_code} %{size_download} %{time_total}' \
    "$base/studies/$STUDY") || rc=$?
  echo "$label $route ${line:-000 0 0} $rc" >>"$RES/wado.txt"
  log "  WADO $label $route: HTTP ${line%% *}, $(awk '{printf "%.1f MB in %.2f s", $2/1e6, $3}' <<<"${line:-0 0 0}") (curl exit $rc)"
}
log "WADO-RS: retrieving the study ($((STUDY_BYTES / 1000000)) MB in files) $WADO_WARMUP+$WADO_ROUNDS times per route"
: >"$RES/wado.txt"
for ((r = 1; r <= WADO_WARMUP; r++)); do wado direct warmup; wado sidecar warmup; done
for ((r = 1; r <= WADO_ROUNDS; r++)); do
  if ((r % 2)); then wado direct "$r"; wado sidecar "$r"; else wado sidecar "$r"; wado direct "$r"; fi
done

# --- memory --------------------------------------------------------------------------------------------
HWM_KIB=$(awk '/^VmHWM:/ {print $2}' "/proc/$JVM/status" 2>/dev/null || echo 0)
RSS_MAX_KIB=$(sort -n "$RES/wildfly-rss-kib.txt" | tail -1)
ORTHANC_HWM_KIB=$(awk '/^VmHWM:/ {print $2}' "/proc/$ORTHANC_PID/status" 2>/dev/null || echo 0)
OOM=0
grep -q 'OutOfMemoryError' "$LOGS/wildfly.log" "$BENCH/wildfly/log/server.log" 2>/dev/null && OOM=1

# --- report ---------------------------------------------------------------------------------------------
WARM_STATE="$WARM_STATE" "$PY" - "$RES" "$STUDY_BYTES" "$JAVA_HEAP_OPTS" "${HWM_KIB:-0}" "${RSS_MAX_KIB:-0}" "${ORTHANC_HWM_KIB:-0}" "$OOM" \
  "${QUERIES[@]}" <<'PY'
import os, statistics, sys
res, study_bytes, heap, hwm, rss_max, orthanc_hwm, oom = sys.argv[1:8]
queries = sys.argv[8:]
study_bytes, hwm, rss_max, orthanc_hwm, oom = int(study_bytes), int(hwm), int(rss_max), int(orthanc_hwm), int(oom)
xmx = next((o[4:] for o in heap.split() if o.startswith("-Xmx")), "?")

def pct(values, p):
    v = sorted(values)
    if not v:
        return float("nan")
    k = (len(v) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)

failures = []
# QIDO
rows = [l.split() for l in open(f"{res}/qido.txt") if l.strip()]
lat = {"direct": [], "sidecar": []}
per_q = {}
pairs = {}
bad = {"direct": 0, "sidecar": 0}
for rnd, q, route, code, secs, size in rows:
    if code != "200":
        bad[route] += 1
        continue
    ms = float(secs) * 1000
    lat[route].append(ms)
    per_q.setdefault(int(q), {"direct": [], "sidecar": []})[route].append(ms)
    pairs.setdefault((rnd, q), {})[route] = ms
ratios = [p["sidecar"] / p["direct"] for p in pairs.values() if "sidecar" in p and "direct" in p and p["direct"] > 0]
print()
print("QIDO-RS latency per query (ms; %d rounds; each round both routes back to back, order alternating;"
      " JIT %s during warm-up)" % (len(pairs) // max(1, len(queries)), os.environ.get("WARM_STATE", "?")))
print("  %-52s %9s %9s %9s %9s %7s" % ("query", "dir p50", "dir p95", "side p50", "side p95", "ratio"))
for i, q in enumerate(queries):
    d = per_q.get(i, {}).get("direct", [])
    s = per_q.get(i, {}).get("sidecar", [])
    qr = [p["sidecar"] / p["direct"] for (r, qq), p in pairs.items() if int(qq) == i and len(p) == 2 and p["direct"] > 0]
    label = q if len(q) <= 52 else q[:24] + "..." + q[-25:]
    print("  %-52s %9.2f %9.2f %9.2f %9.2f %7.2f" % (label, pct(d, 50), pct(d, 95), pct(s, 50), pct(s, 95),
                                                    statistics.median(qr) if qr else float("nan")))
if bad["direct"] or bad["sidecar"]:
    print("  non-200 answers: direct %d, sidecar %d" % (bad["direct"], bad["sidecar"]))
if bad["sidecar"]:
    failures.append("%d QIDO requests through the sidecar failed" % bad["sidecar"])
qido_ratio = statistics.median(ratios) if ratios else float("nan")
ratio_of_medians = pct(lat["sidecar"], 50) / pct(lat["direct"], 50) if lat["direct"] else float("nan")
print("  all queries: median of per-pair ratios %.2f, ratio of medians %.2f, sidecar minus direct p50 %.2f ms"
      % (qido_ratio, ratio_of_medians, pct(lat["sidecar"], 50) - pct(lat["direct"], 50)))

# WADO
wrows = [l.split() for l in open(f"{res}/wado.txt") if l.strip()]
mbps = {"direct": [], "sidecar": []}
sizes = {"direct": set(), "sidecar": set()}
print()
print("WADO-RS retrieve of the whole study (MB = 10^6 bytes)")
for label, route, code, size, secs, rc in wrows:
    size, secs = int(size), float(secs)
    rate = size / secs / 1e6 if secs > 0 else 0.0
    print("  %-7s %-8s HTTP %s  %8.1f MB  %6.2f s  %7.1f MB/s  curl exit %s" % (label, route, code, size / 1e6, secs, rate, rc))
    if code != "200" or rc != "0":
        if route == "sidecar":
            failures.append("WADO %s through the sidecar: HTTP %s, curl exit %s" % (label, code, rc))
        else:
            failures.append("WADO %s direct: HTTP %s, curl exit %s (the host itself failed)" % (label, code, rc))
        continue
    sizes[route].add(size)
    if label != "warmup":
        mbps[route].append(rate)
if sizes["direct"] != sizes["sidecar"] or len(sizes["direct"] | sizes["sidecar"]) > 1:
    failures.append("WADO byte counts differ: direct %s, sidecar %s" % (sorted(sizes["direct"]), sorted(sizes["sidecar"])))
if sizes["direct"] and min(sizes["direct"]) < study_bytes * 0.95:
    failures.append("WADO returned %d bytes, less than the study's files (%d)" % (min(sizes["direct"]), study_bytes))
if oom:
    failures.append("OutOfMemoryError in the WildFly log")
d_rate = statistics.median(mbps["direct"]) if mbps["direct"] else float("nan")
s_rate = statistics.median(mbps["sidecar"]) if mbps["sidecar"] else float("nan")
wado_ratio = s_rate / d_rate if mbps["direct"] and mbps["sidecar"] else float("nan")
if mbps["direct"] and mbps["sidecar"]:
    # noise only ever slows a transfer down: the best round of each route is the steadier comparison
    print("  median: direct %.1f MB/s, sidecar %.1f MB/s, ratio %.2f | best: direct %.1f MB/s, sidecar %.1f MB/s, ratio %.2f"
          % (d_rate, s_rate, wado_ratio, max(mbps["direct"]), max(mbps["sidecar"]),
             max(mbps["sidecar"]) / max(mbps["direct"])))

mb = lambda kib: kib * 1024 / 1e6
pf = lambda ok: "PASS" if ok else "MISS"
print()
print("=" * 100)
print("QIDO latency  direct p50 %.1f ms p95 %.1f ms | sidecar p50 %.1f ms p95 %.1f ms | ratio (median) %.2f  (target <= 1.2) %s"
      % (pct(lat["direct"], 50), pct(lat["direct"], 95), pct(lat["sidecar"], 50), pct(lat["sidecar"], 95), qido_ratio,
         pf(qido_ratio <= 1.2)))
print("WADO retrieve direct %.1f MB/s | sidecar %.1f MB/s | ratio %.2f  (target >= 0.9) %s  study %.0f MB, heap -Xmx%s"
      % (d_rate, s_rate, wado_ratio, pf(wado_ratio >= 0.9), study_bytes / 1e6, xmx))
print("WildFly peak RSS %.0f MB (VmHWM; sampled VmRSS max %.0f MB)   [Orthanc peak RSS %.0f MB]"
      % (mb(hwm), mb(rss_max), mb(orthanc_hwm)))
if failures:
    print("FAILED: " + "; ".join(failures))
else:
    print("retrieve through the sidecar: OK (same byte count as direct, no OutOfMemoryError)")
print("=" * 100)
sys.exit(1 if failures else 0)
PY
