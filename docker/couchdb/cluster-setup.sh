#!/bin/sh
# Joins the CouchDB nodes of docker-compose.cluster.yml into one cluster with CouchDB's cluster setup API
# (POST /_cluster_setup): enable_cluster on every node, add_node on the first node for each of the others,
# finish_cluster on the first node (which creates the system databases _users, _replicator and
# _global_changes and copies the admin, the uuid and the secret to every node); then checks that every node is
# a connected member. Exits 0 only then.
#
# Safe to run again: a node already a member is not added again, and CouchDB answers an enable_cluster or a
# finish_cluster already done with 400 "Cluster is already enabled" / "... finished", taken as done.
#
# Environment (docker-compose.cluster.yml, service couchdb-setup):
#   COUCHDB_USER, COUCHDB_PASSWORD  the server admin every node was started with
#   COUCHDB_NODES                   every node's NODENAME (its name is couchdb@NODENAME; CouchDB listens on port
#                                   5984 there), separated by spaces; the first one coordinates the setup
set -eu

: "${COUCHDB_USER:?set COUCHDB_USER}" "${COUCHDB_PASSWORD:?set COUCHDB_PASSWORD}" "${COUCHDB_NODES:?set COUCHDB_NODES}"

# shellcheck disable=SC2086 # one word per node
set -- $COUCHDB_NODES
COORDINATOR=$1
NODE_COUNT=$#

# A JSON string of $1 (backslashes and double quotes escaped; the other characters a password may hold need none).
json_string() {
    printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"
}
CREDENTIALS="\"username\": $(json_string "$COUCHDB_USER"), \"password\": $(json_string "$COUCHDB_PASSWORD")"

# call METHOD NODE PATH [JSON]: sets STATUS (the HTTP status, 000 without an answer) and BODY.
call() {
    answer=$(curl -sS --max-time 120 -u "$COUCHDB_USER:$COUCHDB_PASSWORD" -X "$1" \
        -H 'Content-Type: application/json' ${4:+--data "$4"} -w '\n%{http_code}' "http://$2:5984$3" 2>&1) || true
    STATUS=$(printf '%s\n' "$answer" | tail -n 1)
    BODY=$(printf '%s\n' "$answer" | sed '$d')
    case $STATUS in [0-9][0-9][0-9]) ;; *) STATUS=000 ;; esac
}

fail() {
    echo "cluster setup: $1" >&2
    exit 1
}

# The JSON array $2 of the /_membership answer $1 ("all_nodes": expected, "cluster_nodes": connected).
members() {
    printf '%s' "$1" | tr -d ' \n' | sed -n "s/.*\"$2\":\[\([^]]*\)\].*/\1/p"
}

for node in "$@"; do
    tries=0
    until curl -fsS --max-time 5 "http://$node:5984/_up" >/dev/null 2>&1; do
        tries=$((tries + 1))
        [ "$tries" -lt 60 ] || fail "couchdb@$node does not answer http://$node:5984/_up"
        sleep 2
    done
done

call GET "$COORDINATOR" /_cluster_setup
if printf '%s' "$BODY" | grep -q '"cluster_finished"'; then
    echo "cluster setup: already finished"
else
    for node in "$@"; do
        call POST "$node" /_cluster_setup \
            "{\"action\": \"enable_cluster\", \"bind_address\": \"0.0.0.0\", $CREDENTIALS, \"node_count\": $NODE_COUNT}"
        case $STATUS in
            201) echo "cluster setup: enable_cluster couchdb@$node" ;;
            400) printf '%s' "$BODY" | grep -q 'already enabled' \
                     || fail "enable_cluster couchdb@$node: $STATUS $BODY"
                 echo "cluster setup: couchdb@$node already enabled" ;;
            *) fail "enable_cluster couchdb@$node: $STATUS $BODY" ;;
        esac
    done

    call GET "$COORDINATOR" /_membership
    [ "$STATUS" = 200 ] || fail "GET /_membership: $STATUS $BODY"
    known=$(members "$BODY" all_nodes)
    for node in "$@"; do
        [ "$node" = "$COORDINATOR" ] && continue
        case ",$known," in
            *"\"couchdb@$node\""*) echo "cluster setup: couchdb@$node already added" ;;
            *)
                call POST "$COORDINATOR" /_cluster_setup \
                    "{\"action\": \"add_node\", \"host\": \"$node\", \"port\": 5984, $CREDENTIALS}"
                [ "$STATUS" = 201 ] || fail "add_node couchdb@$node: $STATUS $BODY"
                echo "cluster setup: add_node couchdb@$node"
                ;;
        esac
    done

    call POST "$COORDINATOR" /_cluster_setup '{"action": "finish_cluster"}'
    case $STATUS in
        201) echo "cluster setup: finish_cluster" ;;
        400) printf '%s' "$BODY" | grep -q 'already finished' || fail "finish_cluster: $STATUS $BODY" ;;
        *) fail "finish_cluster: $STATUS $BODY" ;;
    esac
fi

# Every node expected and connected, as seen from every node (a node that was restarted meanwhile may need a
# few seconds to reconnect).
tries=0
while :; do
    missing=""
    for seen_from in "$@"; do
        call GET "$seen_from" /_membership
        expected=$(members "$BODY" all_nodes)
        connected=$(members "$BODY" cluster_nodes)
        for node in "$@"; do
            case ",$expected," in *"\"couchdb@$node\""*) ;; *) missing="$missing couchdb@$node(expected,from:$seen_from)" ;; esac
            case ",$connected," in *"\"couchdb@$node\""*) ;; *) missing="$missing couchdb@$node(connected,from:$seen_from)" ;; esac
        done
    done
    [ -z "$missing" ] && break
    tries=$((tries + 1))
    [ "$tries" -lt 30 ] || fail "not every node is a member:$missing"
    sleep 2
done
call GET "$COORDINATOR" /_cluster_setup
printf '%s' "$BODY" | grep -q '"cluster_finished"' || fail "GET /_cluster_setup: $STATUS $BODY"
echo "cluster setup: $NODE_COUNT nodes, finished"
