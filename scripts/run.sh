#!/usr/bin/env bash
# Runs DICOM Sidecar with its embedded defaults on 127.0.0.1: pouchdb-server as the CouchDB, Orthanc with
# its DICOMweb plugin as the host archive, WildFly with the sidecar, and sample studies loaded into Orthanc.
# Installs what is missing first. Ctrl-C stops everything it started.
#
# Authentication is off (a local demo: anyone who can reach 127.0.0.1 may do everything). SIDECAR_AUTH=keycloak
# also starts a Keycloak with the demo realm dcm4che and turns bearer tokens on (docs/security.md).
#
# Environment: SIDECAR_DATA_DIR (default ~/.local/share/dicom-sidecar, survives restarts),
# SIDECAR_HTTP_PORT (8080), SIDECAR_MANAGEMENT_PORT (9990), COUCHDB_PORT (15984),
# ORTHANC_HTTP_PORT (18042), ORTHANC_DICOM_PORT (14242), SIDECAR_AUTH (none|keycloak), KEYCLOAK_PORT (18081).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

DATA="${SIDECAR_DATA_DIR:-$HOME/.local/share/dicom-sidecar}"
HTTP_PORT="${SIDECAR_HTTP_PORT:-8080}"
MGMT_PORT="${SIDECAR_MANAGEMENT_PORT:-9990}"
COUCHDB_PORT="${COUCHDB_PORT:-15984}"
ORTHANC_HTTP_PORT="${ORTHANC_HTTP_PORT:-18042}"
ORTHANC_DICOM_PORT="${ORTHANC_DICOM_PORT:-14242}"
AUTH="${SIDECAR_AUTH:-none}"
KEYCLOAK_PORT="${KEYCLOAK_PORT:-18081}"
[[ "$AUTH" == none || "$AUTH" == keycloak ]] || die "SIDECAR_AUTH must be none or keycloak, not $AUTH"

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
AUTH_OPTS=()
prepare_wildfly_base "$DATA/wildfly"
REALM="http://127.0.0.1:$KEYCLOAK_PORT/realms/dcm4che"
if [[ "$AUTH" == keycloak ]]; then
  log "starting Keycloak on 127.0.0.1:$KEYCLOAK_PORT with the demo realm dcm4che (about a minute; log in $DATA/logs/keycloak.log)"
  PIDS+=("Keycloak:$(start_keycloak "$KEYCLOAK_PORT" "$DATA/keycloak" "$DATA/logs/keycloak.log")")
  grep -q 'secure-deployment name="dicom-sidecar-web.war"' "$DATA/wildfly/configuration/standalone.xml" \
    || apply_cli "$DATA/wildfly" "$SIDECAR_ROOT/ear/src/main/wildfly/enable-authentication.cli"
  AUTH_OPTS=("-Dsidecar.auth.provider-url=$REALM")
elif grep -q 'secure-deployment name="dicom-sidecar-web.war"' "$DATA/wildfly/configuration/standalone.xml"; then
  apply_cli "$DATA/wildfly" "$SIDECAR_ROOT/ear/src/main/wildfly/disable-authentication.cli"
fi
log "starting WildFly on 127.0.0.1:$HTTP_PORT (log in $DATA/logs/wildfly.log)"
PIDS+=("WildFly:$(start_wildfly "$DATA/wildfly" "$HTTP_PORT" "$MGMT_PORT" "$DATA/logs/wildfly.log" \
  "-Dsidecar.couchdb.url=http://127.0.0.1:$COUCHDB_PORT" \
  "-Dsidecar.host.dicomweb-url=http://127.0.0.1:$ORTHANC_HTTP_PORT/dicom-web" \
  "-Dsidecar.ingest.orthanc-url=http://127.0.0.1:$ORTHANC_HTTP_PORT" ${AUTH_OPTS[@]+"${AUTH_OPTS[@]}"})")

wait_deployed "$DATA/wildfly" 180 || die "the EAR did not deploy; see $DATA/logs/wildfly.log"
log "loading the sample studies (pydicom's test files) into Orthanc"
for f in "${SAMPLE_FILES[@]}"; do
  [[ -f "$f" ]] || { log "missing sample $f"; continue; }
  upload_to_orthanc "$ORTHANC_HTTP_PORT" "$f" || log "Orthanc refused $(basename "$f")"
done

BASE="http://127.0.0.1:$HTTP_PORT/sidecar"
wait_http "$BASE/api/status" 30 || true
if [[ "$AUTH" == keycloak ]]; then
  AUTH_LINE="Authentication: ON. Bearer tokens from Keycloak ($REALM; admin console http://127.0.0.1:$KEYCLOAK_PORT, admin/admin).
  Demo users reader, writer, admin, notifier (password = user name). Get a token, then send it:
    TOKEN=\$(curl -s -d grant_type=password -d client_id=sidecar-ui -d username=reader -d password=reader \\
      $REALM/protocol/openid-connect/token | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')
    curl -s -H \"Authorization: Bearer \$TOKEN\" $BASE/api/status"
  AUTH_HEADER=' -H "Authorization: Bearer $TOKEN"'
else
  AUTH_LINE="Authentication: OFF (a local demo: anyone on this machine may do everything; SIDECAR_AUTH=keycloak turns it on)"
  AUTH_HEADER=''
fi
cat <<MSG

  DICOM Sidecar is running (Ctrl-C stops it and everything it started).
  $AUTH_LINE

  Status:                 curl -s$AUTH_HEADER $BASE/api/status
  QIDO through sidecar:   curl -s$AUTH_HEADER -H 'Accept: application/dicom+json' '$BASE/dicomweb/studies?includefield=StudyDescription'
  Series of all studies:  curl -s$AUTH_HEADER '$BASE/dicomweb/series?Modality=CT'
  The host, directly:     http://127.0.0.1:$ORTHANC_HTTP_PORT/dicom-web/studies  (Orthanc UI: http://127.0.0.1:$ORTHANC_HTTP_PORT/app/explorer.html)
  CouchDB (pouchdb):      http://127.0.0.1:$COUCHDB_PORT/_utils

MSG
curl -s -o /dev/null -w "  liveness now: HTTP %{http_code}\n\n" "$BASE/api/live" || true
while true; do
  for p in "${PIDS[@]}"; do
    kill -0 "${p#*:}" 2>/dev/null || { log "${p%%:*} exited unexpectedly"; exit 1; }
  done
  sleep 2
done
