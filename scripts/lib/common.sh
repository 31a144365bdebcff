# Shared by the run, test and benchmark commands: install prerequisites, start and stop the embedded
# services (pouchdb-server, Orthanc, WildFly) on 127.0.0.1, each tracked by its PID.
# shellcheck shell=bash

SIDECAR_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SIDECAR_TOOLS_DIR="${SIDECAR_TOOLS_DIR:-$HOME/.cache/dicom-sidecar}"
POUCHDB_SERVER_VERSION="4.2.0"
WILDFLY_VERSION="39.0.1.Final"
WILDFLY_HOME="$SIDECAR_ROOT/ear/target/wildfly-$WILDFLY_VERSION"
EAR="$SIDECAR_ROOT/ear/target/dicom-sidecar.ear"

log() { printf '[sidecar] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Debian packages, pouchdb-server from npm; Maven fetches the rest (WildFly included) when it builds.
install_prerequisites() {
  local packages=(orthanc orthanc-dicomweb python3-pydicom dcmtk libpixelmed-java curl ca-certificates)
  command -v java >/dev/null || packages+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null || packages+=(maven)
  command -v node >/dev/null || packages+=(nodejs npm)
  local missing=()
  for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if ((${#missing[@]})); then
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || die "apt-get update failed"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || die "apt-get install failed"
  fi
  if [[ ! -f "$SIDECAR_TOOLS_DIR/pouchdb/node_modules/pouchdb-server/package.json" ]]; then
    log "installing pouchdb-server@$POUCHDB_SERVER_VERSION from npm into $SIDECAR_TOOLS_DIR/pouchdb"
    mkdir -p "$SIDECAR_TOOLS_DIR/pouchdb"
    # --ignore-scripts: skips compiling sqlite3 (95 s); LevelDB ships prebuilt and is what we use
    (cd "$SIDECAR_TOOLS_DIR/pouchdb" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error \
      "pouchdb-server@$POUCHDB_SERVER_VERSION" >&2) || die "npm install pouchdb-server failed"
  fi
}

# wait_http URL SECONDS [PID]: until URL answers with any HTTP status; fails early if PID dies
wait_http() {
  local url=$1 seconds=$2 pid=${3:-} i
  for ((i = 0; i < seconds * 4; i++)); do
    curl -s -o /dev/null --max-time 2 "$url" && return 0
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 0.25
  done
  return 1
}

# wait_port_free PORT SECONDS: Orthanc cannot rebind a port that was just released
wait_port_free() {
  local port=$1 seconds=$2 i
  for ((i = 0; i < seconds * 4; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || return 0
    sleep 0.25
  done
  die "port $port is in use (another instance running?)"
}

# start_couchdb PORT DATA_DIR LOG: prints the PID
start_couchdb() {
  local port=$1 dir=$2 logfile=$3
  mkdir -p "$dir"
  # pouchdb-server otherwise writes log.txt into the working directory
  [[ -f "$dir/config.json" ]] || printf '{"log": {"file": "%s/log.txt"}}\n' "$dir" >"$dir/config.json"
  wait_port_free "$port" 20
  # its data folder as working directory: whatever else it writes lands there
  (cd "$dir" && exec node "$SIDECAR_ROOT/scripts/lib/pouchdb-server.js" "$SIDECAR_TOOLS_DIR/pouchdb" \
    --host 127.0.0.1 --port "$port" --dir "$dir" --config "$dir/config.json" -n >"$logfile" 2>&1) &
  local pid=$!
  wait_http "http://127.0.0.1:$port/" 60 "$pid" || { kill "$pid" 2>/dev/null; die "pouchdb-server did not start; see $logfile"; }
  echo "$pid"
}

# start_orthanc HTTP_PORT DICOM_PORT DATA_DIR LOG [SIDECAR_URL]: prints the PID. With SIDECAR_URL
# (http://127.0.0.1:8080/sidecar) its Lua hook tells the sidecar about every stored instance; without it,
# no hook: the sidecar follows Orthanc's /changes itself (-Dsidecar.ingest.orthanc-url), which does not slow
# Orthanc's ingest down the way the hook's synchronous HttpPost does.
start_orthanc() {
  local http=$1 dicom=$2 dir=$3 logfile=$4 sidecar=${5:-}
  mkdir -p "$dir"
  if [[ -n "$sidecar" ]]; then
    sed -e "s#@SIDECAR_EVENTS_URL@#$sidecar/api/events/stored#" "$SIDECAR_ROOT/scripts/lib/orthanc-sidecar-hook.lua" \
      >"$dir/sidecar-hook.lua"
  else
    echo "-- no sidecar to notify" >"$dir/sidecar-hook.lua"
  fi
  sed -e "s#@NAME@#dicom-sidecar-demo#" -e "s#@DATA@#$dir#g" -e "s#@HTTP_PORT@#$http#g" \
    -e "s#@DICOM_PORT@#$dicom#g" "$SIDECAR_ROOT/scripts/lib/orthanc.json" >"$dir/orthanc.json"
  wait_port_free "$http" 30
  wait_port_free "$dicom" 30
  # TCP_NODELAY: without it DIMSE runs at ~11 instead of ~300 instances/s
  TCP_NODELAY=1 Orthanc "$dir/orthanc.json" >"$logfile" 2>&1 &
  local pid=$!
  wait_http "http://127.0.0.1:$http/system" 60 "$pid" || { kill "$pid" 2>/dev/null; die "Orthanc did not start; see $logfile"; }
  echo "$pid"
}

# start_wildfly BASE_DIR HTTP_PORT MANAGEMENT_PORT LOG [JAVA_OPTS...]: prints the PID of the JVM
start_wildfly() {
  local base=$1 http=$2 mgmt=$3 logfile=$4
  shift 4
  [[ -x "$WILDFLY_HOME/bin/standalone.sh" ]] || die "WildFly is not unpacked; build first (mvn package)"
  if [[ ! -d "$base/configuration" ]]; then
    mkdir -p "$base"
    cp -r "$WILDFLY_HOME/standalone/configuration" "$base/"
  fi
  mkdir -p "$base/deployments"
  rm -f "$base/deployments/dicom-sidecar.ear."*
  cp "$EAR" "$base/deployments/dicom-sidecar.ear"
  wait_port_free "$http" 30
  rm -f "$base/wildfly.pid"
  # heap through JBOSS_JAVA_SIZING, so that standalone.conf keeps its other defaults; "$@" are -D options,
  # which standalone.sh passes on as system properties
  JBOSS_PIDFILE="$base/wildfly.pid" LAUNCH_JBOSS_IN_BACKGROUND=1 JBOSS_JAVA_SIZING="${WILDFLY_JAVA_OPTS:--Xms64m -Xmx512m}" \
    "$WILDFLY_HOME/bin/standalone.sh" -b 127.0.0.1 -bmanagement 127.0.0.1 \
    -Djboss.server.base.dir="$base" -Djboss.http.port="$http" -Djboss.management.http.port="$mgmt" \
    -Djboss.https.port=$((http + 363)) -Djboss.management.https.port=$((mgmt + 3)) "$@" >"$logfile" 2>&1 &
  local script=$! i
  for ((i = 0; i < 120; i++)); do
    [[ -s "$base/wildfly.pid" ]] && break
    kill -0 "$script" 2>/dev/null || die "WildFly did not start; see $logfile"
    ((i < 119)) || { kill "$script" 2>/dev/null; die "WildFly wrote no PID file; see $logfile"; }
    sleep 0.25
  done
  cat "$base/wildfly.pid"
}

# wait_deployed BASE_DIR SECONDS: until the EAR is deployed (or failed)
wait_deployed() {
  local base=$1 seconds=$2 i
  for ((i = 0; i < seconds * 4; i++)); do
    [[ -f "$base/deployments/dicom-sidecar.ear.deployed" ]] && return 0
    [[ -f "$base/deployments/dicom-sidecar.ear.failed" ]] && return 1
    sleep 0.25
  done
  return 1
}

# stop_pid PID [NAME]: TERM, then KILL after 20 s
stop_pid() {
  local pid=$1 name=${2:-process} i
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null
  for ((i = 0; i < 80; i++)); do
    kill -0 "$pid" 2>/dev/null || { log "stopped $name (pid $pid)"; return 0; }
    sleep 0.25
  done
  kill -9 "$pid" 2>/dev/null
  log "killed $name (pid $pid)"
}

# upload_to_orthanc HTTP_PORT FILE: stores one file through Orthanc's REST API. No "Expect: 100-continue":
# Orthanc never answers it, and curl would wait a second per file over 1 MB.
upload_to_orthanc() {
  curl -sf -o /dev/null -X POST -H 'Expect:' -H 'Content-Type: application/dicom' --data-binary "@$2" \
    "http://127.0.0.1:$1/instances"
}

# The sample studies: real files written by others (Debian's pydicom test data).
SAMPLE_FILES=(
  /usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm
  /usr/lib/python3/dist-packages/pydicom/data/test_files/MR_small.dcm
  /usr/lib/python3/dist-packages/pydicom/data/test_files/liver_1frame.dcm
  /usr/lib/python3/dist-packages/pydicom/data/test_files/test-SR.dcm
  /usr/lib/python3/dist-packages/pydicom/data/test_files/rtstruct.dcm
  /usr/lib/python3/dist-packages/pydicom/data/test_files/rtplan.dcm
  /usr/lib/python3/dist-packages/pydicom/data/test_files/rtdose.dcm
)
