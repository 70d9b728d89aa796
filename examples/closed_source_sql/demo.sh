#!/bin/bash
# demo.sh - a closed-source function: bob's secret query on alice's data,
# in a TEEU that alice runs herself (no third party).
#
# alice hosts the AuthManager and the worker; bob seals his SQL query as a
# function object that only an attested TEEU may decrypt and whose outputs
# only alice may receive; alice seals her table allowing any function object
# of bob's; alice runs it and gets the result; bob cannot read the result,
# and nobody (alice included, bob included) can read the query.
# SIMULATION MODE: nothing here is protected by hardware (see the banner).
#
# Usage: examples/closed_source_sql/demo.sh [BUILD_DIR]
set -euo pipefail
BUILD=${1:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../scripts/local-cluster.sh"
WORK=$(mktemp -d /tmp/teeu-closed-sql.XXXXXX)
cleanup() { local rc=$?; cluster_stop || rc=1; rm -rf "$WORK"; exit $rc; }
trap cleanup EXIT
echo "SIMULATION MODE - THIS PROTECTS NOTHING: no hardware TEE is used."

# The last party named hosts the services: here alice herself.
cluster_start "$BUILD" "$WORK" bob alice
as() { local p=$1; shift; "$TEEU" "$@" --config "$WORK/$p.yaml"; }

cat >"$WORK/patients.csv" <<'CSV'
patient,age,systolic
p1,34,118
p2,61,151
p3,47,139
p4,72,162
CSV
cat >"$WORK/risk.sql" <<'SQL'
-- bob's proprietary risk rule (the secret)
SELECT patient, CASE WHEN systolic >= 140 AND age >= 60 THEN 'high'
                     WHEN systolic >= 135 THEN 'medium' ELSE 'low' END AS risk
FROM alice ORDER BY patient;
SQL

F=$(as bob put "$WORK/risk.sql" --kind function --recipients alice --input-owners alice)
echo "bob sealed his query as function object $F (recipients: alice; data: alice's only)"
D=$(as alice put "$WORK/patients.csv" --allow-funcs owner:bob --recipients alice)
echo "alice sealed her table $D (any function object of bob's may read it; results to her)"
OUT=$(as alice run --quiet "object:$F" --inputs "$D" --recipients alice)
as alice get "$OUT" -o "$WORK/risk.csv" 2>/dev/null
echo "alice's result:"; cat "$WORK/risk.csv"
if as bob get "$OUT" -o "$WORK/x" 2>/dev/null; then echo "FAIL: bob read the result"; exit 1; fi
if as alice get "$F" -o "$WORK/y" 2>/dev/null; then echo "FAIL: alice read the query"; exit 1; fi
if as bob get "$F" -o "$WORK/z" 2>/dev/null; then echo "FAIL: the query's key left the AuthManager"; exit 1; fi
echo "bob cannot read the result; nobody can read the query."
[ "$(tr -d '\r' <"$WORK/risk.csv" | sed -n 3p)" = "p2,high" ] && echo PASS
