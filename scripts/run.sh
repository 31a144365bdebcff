#!/usr/bin/env bash
# Runs DICOM Sidecar with its embedded defaults on 127.0.0.1: pouchdb-server as the CouchDB, Orthanc with
# its DICOMweb plugin as the host archive, WildFly with the sidecar, and sample studies loaded into Orthanc.
# Installs what is missing first. Ctrl-C stops everything it started.
#
# Environment: SIDECAR_DATA_DIR (default ~/.local/share/dicom-sidecar, survives restarts),
# SIDECAR_HTTP_PORT (8080), SIDECAR_MANAGEMENT_PORT (9990), COUCHDB_PORT (15984),
# ORTHANC_HTTP_PORT (18042), ORTHANC_DICOM_PORT (14242).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

DATA="${SIDECAR_DATA_DIR:-$HOME/.local/share/dicom-sidecar}"
HTTP_PORT="${SIDECAR_HTTP_PORT:-8080}"
MGMT_PORT="${SIDECAR_MANAGEMENT_PORT:-9990}"
COUCHDB_PORT="${COUCHDB_PORT:-15984}"
ORTHANC_HTTP_PORT="${ORTHANC_HTTP_PORT:-18042}"
ORTHANC_DICOM_PORT="${ORTHANC_DICOM_PORT:-14242}"

install_prerequisites
log "building the EAR (and unpacking WildFly on the first run)"
(cd "$SIDECAR_ROOT" && mvn -B -q -DskipTests package >&2) || die "the build failed"

mkdir -p "$DATA/logs"
PIDS=()
stop_all() {
  trap - INT TERM EXIT
  log "stopping"
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[i]#*:}" "${PIDS[i]%%:*}"; done
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap stop_all EXIT

log "starting pouchdb-server on 127.0.0.1:$COUCHDB_PORT (data in $DATA/couchdb)"
PIDS+=("pouchdb-server:$(start_couchdb "$COUCHDB_PORT" "$DATA/couchdb" "$DATA/logs/couchdb.log")")
log "starting Orthanc: HTTP on port $ORTHANC_HTTP_PORT (answers loopback callers only; DICOM server off), data in $DATA/orthanc"
# no Lua hook: the sidecar follows Orthanc's /changes (sidecar.ingest.orthanc-url below)
PIDS+=("Orthanc:$(start_orthanc "$ORTHANC_HTTP_PORT" "$ORTHANC_DICOM_PORT" "$DATA/orthanc" "$DATA/logs/orthanc.log")")
log "starting WildFly on 127.0.0.1:$HTTP_PORT (log in $DATA/logs/wildfly.log)"
PIDS+=("WildFly:$(start_wildfly "$DATA/wildfly" "$HTTP_PORT" "$MGMT_PORT" "$DATA/logs/wildfly.log" \
  "-Dsidecar.couchdb.url=http://127.0.0.1:$COUCHDB_PORT" \
  "-Dsidecar.host.dicomweb-url=http://127.0.0.1:$ORTHANC_HTTP_PORT/dicom-web" \
  "-Dsidecar.ingest.orthanc-url=http://127.0.0.1:$ORTHANC_HTTP_PORT")")

wait_deployed "$DATA/wildfly" 180 || die "the EAR did not deploy; see $DATA/logs/wildfly.log"
log "loading the sample studies (pydicom's test files) into Orthanc"
for f in "${SAMPLE_FILES[@]}"; do
  [[ -f "$f" ]] || { log "missing sample $f"; continue; }
  upload_to_orthanc "$ORTHANC_HTTP_PORT" "$f" || log "Orthanc refused $(basename "$f")"
done

BASE="http://127.0.0.1:$HTTP_PORT/sidecar"
wait_http "$BASE/api/status" 30 || true
cat <<MSG

  DICOM Sidecar is running (Ctrl-C stops it and everything it started).

  Status:                 curl -s $BASE/api/status
  QIDO through sidecar:   curl -s -H 'Accept: application/dicom+json' '$BASE/dicomweb/studies?includefield=StudyDescription'
  Series of all studies:  curl -s '$BASE/dicomweb/series?Modality=CT'
  The host, directly:     http://127.0.0.1:$ORTHANC_HTTP_PORT/dicom-web/studies  (Orthanc UI: http://127.0.0.1:$ORTHANC_HTTP_PORT/app/explorer.html)
  CouchDB (pouchdb):      http://127.0.0.1:$COUCHDB_PORT/_utils

MSG
curl -s -o /dev/null -w "  status now: HTTP %{http_code}\n\n" "$BASE/api/status" || true
while true; do
  for p in "${PIDS[@]}"; do
    kill -0 "${p#*:}" 2>/dev/null || { log "${p%%:*} exited unexpectedly"; exit 1; }
  done
  sleep 2
done
