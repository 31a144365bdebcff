#!/usr/bin/env bash
# Runs every test: unit tests (surefire, ejb) and integration tests (failsafe, ear: the real EAR in a real
# WildFly against a real pouchdb-server and a real Orthanc, all on free loopback ports, started and stopped
# by the test run). Installs what is missing first. Ends with one line: N passed, N failed, N skipped.
set -uo pipefail
source "$(dirname "$0")/lib/common.sh"

install_prerequisites
KEYCLOAK_JAVA_HOME=$(java21_home) || exit 1
cd "$SIDECAR_ROOT"
rm -rf ejb/target/surefire-reports web/target/surefire-reports ear/target/failsafe-reports
mvn -B verify -Dsidecar.tools.dir="$SIDECAR_TOOLS_DIR" -Dit.keycloak.java.home="$KEYCLOAK_JAVA_HOME" "$@"
status=$?

# Count what ran from the reports, so that a build which ran nothing cannot look green.
read -r run failed errors skipped < <(cat ejb/target/surefire-reports/TEST-*.xml web/target/surefire-reports/TEST-*.xml ear/target/failsafe-reports/TEST-*.xml \
  2>/dev/null | grep -o '<testsuite [^>]*>' | awk '
  { for (i = 1; i <= NF; i++) { split($i, kv, "=\""); v = kv[2]; sub(/".*/, "", v);
      if (kv[1] == "tests") t += v; if (kv[1] == "failures") f += v; if (kv[1] == "errors") e += v;
      if (kv[1] == "skipped") s += v } }
  END { print t + 0, f + 0, e + 0, s + 0 }')
failed=$((failed + errors))
passed=$((run - failed - skipped))
echo
echo "Tests: $passed passed, $failed failed, $skipped skipped"
if ((status == 0 && run == 0)); then
  echo "no test ran: treating as a failure" >&2
  exit 1
fi
exit "$status"
