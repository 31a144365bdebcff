# Shared by the run, test and benchmark commands: install prerequisites, start and stop the embedded
# services (pouchdb-server, Orthanc, WildFly) on 127.0.0.1, each tracked by its PID.
# shellcheck shell=bash

SIDECAR_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SIDECAR_TOOLS_DIR="${SIDECAR_TOOLS_DIR:-$HOME/.cache/dicom-sidecar}"
POUCHDB_SERVER_VERSION="4.2.0"
WILDFLY_VERSION="39.0.1.Final"
KEYCLOAK_VERSION="26.4.7"
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

# build_ear: builds the project (`mvn -B -q -DskipTests package`: the EAR, WildFly unpacked, the test classes) unless
# BENCH_SKIP_BUILD=1, then checks that the EAR is there
build_ear() {
  if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
    log "building the EAR (BENCH_SKIP_BUILD=1 skips this)"
    (cd "$SIDECAR_ROOT" && mvn -B -q -DskipTests package >&2) || die "the build failed"
  fi
  [[ -f "$EAR" ]] || die "$EAR is missing; build first"
}

# java21_home: prints a JDK of version 21 or newer (Keycloak needs one; the sidecar runs on 17), the newest
# under /usr/lib/jvm; installs Debian's OpenJDK 25 (or 21) when there is none.
java21_home() {
  local best="" best_version=0 release version
  for release in /usr/lib/jvm/*/release; do
    [[ -f "$release" && -x "$(dirname "$release")/bin/java" ]] || continue
    version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
    if [[ -n "$version" ]] && ((version >= 21 && version > best_version)); then
      best=$(dirname "$release") best_version=$version
    fi
  done
  if [[ -z "$best" ]]; then
    log "no Java 21+ under /usr/lib/jvm (Keycloak needs one): installing OpenJDK from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || die "apt-get update failed"
    apt-get install -y -qq --no-install-recommends openjdk-25-jdk-headless >&2 \
      || apt-get install -y -qq --no-install-recommends openjdk-21-jdk-headless >&2 \
      || die "cannot install a JDK 21+ for Keycloak"
    java21_home
    return
  fi
  echo "$best"
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

# prepare_wildfly_base BASE_DIR: a server base of its own (configuration copied from the unpacked WildFly once)
prepare_wildfly_base() {
  local base=$1
  [[ -x "$WILDFLY_HOME/bin/standalone.sh" ]] || die "WildFly is not unpacked; build first (mvn package)"
  if [[ ! -d "$base/configuration" ]]; then
    mkdir -p "$base"
    cp -r "$WILDFLY_HOME/standalone/configuration" "$base/"
  fi
}

# apply_cli BASE_DIR SCRIPT: runs a jboss-cli script (embed-server) against a stopped server base
apply_cli() {
  local base=$1 script=$2
  JBOSS_HOME="$WILDFLY_HOME" "$WILDFLY_HOME/bin/jboss-cli.sh" -Djboss.server.base.dir="$base" --file="$script" >/dev/null \
    || die "jboss-cli $script failed"
}

# start_keycloak PORT DATA_DIR LOG: Keycloak in dev mode on 127.0.0.1 with the demo realm dcm4che
# (scripts/lib/keycloak, imported on the first start); its own copy of the distribution in DATA_DIR. Prints the PID.
start_keycloak() {
  local port=$1 dir=$2 logfile=$3 java
  java=$(java21_home) || die "Keycloak needs Java 21+"
  local dist="$SIDECAR_ROOT/ear/target/keycloak-$KEYCLOAK_VERSION"
  if [[ ! -x "$dist/bin/kc.sh" ]]; then
    log "unpacking Keycloak $KEYCLOAK_VERSION (Maven Central, about 160 MB the first time)"
    (cd "$SIDECAR_ROOT" && mvn -B -q -pl ear dependency:unpack@unpack-keycloak >&2) || die "cannot unpack Keycloak"
  fi
  if [[ ! -x "$dir/bin/kc.sh" ]]; then
    mkdir -p "$dir" && cp -r "$dist/." "$dir/"
  fi
  mkdir -p "$dir/data/import"
  cp "$SIDECAR_ROOT/scripts/lib/keycloak/dcm4che-realm.json" "$dir/data/import/"
  wait_port_free "$port" 30
  JAVA_HOME="$java" KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=admin \
    JAVA_OPTS_KC_HEAP="-Xms64m -Xmx512m" "$dir/bin/kc.sh" start-dev --import-realm \
    --http-host=127.0.0.1 --http-port="$port" >"$logfile" 2>&1 &
  local pid=$!
  wait_http "http://127.0.0.1:$port/realms/dcm4che/.well-known/openid-configuration" 240 "$pid" \
    || { stop_pid "$pid" Keycloak; die "Keycloak did not start; see $logfile"; }
  echo "$pid"
}

# start_wildfly BASE_DIR HTTP_PORT MANAGEMENT_PORT LOG [JAVA_OPTS...]: prints the PID of the JVM
start_wildfly() {
  local base=$1 http=$2 mgmt=$3 logfile=$4
  shift 4
  prepare_wildfly_base "$base"
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

# background COMMAND...: runs it in the background and waits, with its PID in CHILD meanwhile, so that INT/TERM stop a
# benchmark at once (bash runs a trap only after the foreground command ends, and these run for minutes) and the EXIT
# trap can stop it; its stdout is the caller's
background() {
  "$@" &
  CHILD=$!
  local rc=0
  wait "$CHILD" || rc=$?
  CHILD=""
  return "$rc"
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
