#!/bin/bash
# test_sql.sh - SQL over several parties' tables, and closed-source functions.
#
# Real daemons on loopback (scripts/local-cluster.sh, simulation), driven
# through the `teeu` command line. Results are checked against the sqlite3
# command-line tool run on the same plaintext CSVs. Each check prints what
# it checks; the script exits 1 if any fails.
#
# Usage: tests/integration/test_sql.sh BUILD_DIR
set -uo pipefail

BUILD=${1:?usage: test_sql.sh BUILD_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../scripts/local-cluster.sh"

WORK=$(mktemp -d /tmp/teeu-test-sql.XXXXXX)
FAILS=0
cleanup() {
	cluster_stop || FAILS=$((FAILS + 1))
	if [ "$FAILS" -ne 0 ] || [ -n "${TEEU_KEEP_TMP:-}" ]; then
		echo "--- worker.log (tail)"; tail -n 20 "$WORK/worker.log" 2>/dev/null
	fi
	[ -n "${TEEU_KEEP_TMP:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap 'cleanup; [ "$FAILS" -eq 0 ] || exit 1' EXIT
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { echo "ok: $*"; }
as() { local p=$1; shift; "$TEEU" "$@" --config "$WORK/$p.yaml"; }
# same_csv GOT WANT: the same header and rows (numbers compared as numbers)
same_csv() {
	"$PY" - "$1" "$2" <<'PY'
import csv, sys
def rows(p):
    with open(p, newline="") as f:
        return list(csv.reader(f))
def norm(v):
    try:
        return round(float(v), 9)
    except ValueError:
        return v
got, want = rows(sys.argv[1]), rows(sys.argv[2])
if [[norm(v) for v in r] for r in got] != [[norm(v) for v in r] for r in want]:
    sys.exit(f"got {got[:5]}... ({len(got)} rows), want {want[:5]}... ({len(want)} rows)")
PY
}

cluster_start "$BUILD" "$WORK" alice bob dave carol || { echo "cannot start the cluster"; exit 1; }

# Two parties' tables, with CSV's hard cases: quoted commas, quotes, newlines, empty fields.
cat >"$WORK/sales.csv" <<'CSV'
customer,amount,note
1,10,plain
2,25,"with, comma"
1,5,"with ""quotes"""
3,7,"two
lines"
2,,empty amount
CSV
cat >"$WORK/customers.csv" <<'CSV'
id,region
1,north
2,south
3,north
CSV
cat >"$WORK/join.sql" <<'SQL'
SELECT c.region, count(*) AS n, sum(s.amount) AS total
FROM sales s JOIN customers c ON c.id = s.customer
GROUP BY c.region ORDER BY c.region;
SQL
sqlite3 -csv -header :memory: ".import $WORK/sales.csv sales" ".import $WORK/customers.csv customers" \
	"UPDATE sales SET amount = NULL WHERE amount = '';" ".read $WORK/join.sql" >"$WORK/want.csv"

S=$(as alice put "$WORK/sales.csv" --allow-funcs "sql:@$WORK/join.sql" --recipients alice,bob) || fail "alice put"
C=$(as bob put "$WORK/customers.csv" --allow-funcs "sql:@$WORK/join.sql" --recipients alice,bob) || fail "bob put"
OUT=$(as alice run --quiet sql --query-file "$WORK/join.sql" --inputs "$S,$C" --recipients alice,bob \
	--param tables=sales,customers) || fail "run the join"
as bob get "$OUT" -o "$WORK/got.csv" 2>/dev/null && same_csv "$WORK/got.csv" "$WORK/want.csv" \
	&& ok "join + GROUP BY over alice's and bob's tables equals sqlite3 on the plaintext" \
	|| fail "join result: $(cat "$WORK/got.csv" 2>/dev/null)"

# Default table names: the inputs' owners.
cat >"$WORK/owners.sql" <<'SQL'
SELECT count(*) AS n FROM alice JOIN bob ON bob.id = alice.customer;
SQL
S2=$(as alice put "$WORK/sales.csv" --allow-funcs "sql:@$WORK/owners.sql" --recipients alice) || fail "put S2"
C2=$(as bob put "$WORK/customers.csv" --allow-funcs "sql:@$WORK/owners.sql" --recipients alice) || fail "put C2"
OUT2=$(as alice run --quiet sql --query-file "$WORK/owners.sql" --inputs "$S2,$C2" --recipients alice) \
	&& as alice get "$OUT2" -o "$WORK/owners.csv" 2>/dev/null \
	&& [ "$(tr -d '\r' <"$WORK/owners.csv")" = $'n\n5' ] \
	&& ok "tables default to the owners' names (alice, bob)" || fail "default table names: $(cat "$WORK/owners.csv" 2>/dev/null)"

# A query whose text is not the one the identity names: the AuthManager never
# sees a release for it (the inputs allow only join.sql's hash).
cp "$WORK/join.sql" "$WORK/other.sql"
echo "-- changed" >>"$WORK/other.sql"
if as alice run --quiet sql --query-file "$WORK/other.sql" --inputs "$S,$C" --recipients alice \
	--param tables=sales,customers 2>"$WORK/err" >/dev/null; then
	fail "a changed query ran"
elif grep -q "allow_funcs" "$WORK/err" && grep -q "$S" "$WORK/err"; then
	ok "a changed query is another function: refused by allow_funcs"
else
	fail "changed query: $(cat "$WORK/err")"
fi

# Authorizer: statements outside reading and temp objects fail the task.
for q in "ATTACH DATABASE '/tmp/x.db' AS x; SELECT 1;" "SELECT load_extension('x');" \
	"PRAGMA writable_schema = 1; SELECT 1;" "INSERT INTO alice VALUES (9, 9, 'x'); SELECT 1;" \
	"CREATE TABLE main.leak AS SELECT * FROM alice; SELECT 1;"; do
	printf '%s\n' "$q" >"$WORK/bad.sql"
	B1=$(as alice put "$WORK/sales.csv" --allow-funcs "sql:@$WORK/bad.sql" --recipients alice) || fail "put for $q"
	if as alice run --quiet sql --query-file "$WORK/bad.sql" --inputs "$B1" --recipients alice \
		2>"$WORK/err" >/dev/null; then
		fail "authorizer let through: $q"
	elif grep -qi "not allowed\|refused\|denied" "$WORK/err"; then
		ok "authorizer refuses: ${q:0:40} ($(grep -o 'refused.*' "$WORK/err" | head -c 90))"
	else
		fail "authorizer message for $q: $(cat "$WORK/err")"
	fi
done
printf 'CREATE TEMP TABLE t AS SELECT customer, amount FROM alice;\nINSERT INTO t VALUES (9, 1);\nSELECT count(*) AS n FROM t;\n' >"$WORK/temp.sql"
T=$(as alice put "$WORK/sales.csv" --allow-funcs "sql:@$WORK/temp.sql" --recipients alice) || fail "put T"
OUTT=$(as alice run --quiet sql --query-file "$WORK/temp.sql" --inputs "$T" --recipients alice) \
	&& as alice get "$OUTT" -o "$WORK/temp.csv" 2>/dev/null && [ "$(tr -d '\r' <"$WORK/temp.csv")" = $'n\n6' ] \
	&& ok "temp tables may be created and written" || fail "temp table: $(cat "$WORK/temp.csv" 2>/dev/null)"

# A ragged CSV fails the task with the line number.
printf 'a,b\n1,2\n"x\ny",3\n4\n' >"$WORK/ragged.csv"
printf 'SELECT * FROM alice;\n' >"$WORK/all.sql"
RG=$(as alice put "$WORK/ragged.csv" --allow-funcs "sql:@$WORK/all.sql" --recipients alice) || fail "put ragged"
if as alice run --quiet sql --query-file "$WORK/all.sql" --inputs "$RG" --recipients alice 2>"$WORK/err" >/dev/null; then
	fail "a ragged CSV was accepted"
elif grep -q "line 5" "$WORK/err"; then
	ok "ragged CSV: the task fails naming line 5 ($(grep -o 'line 5.*' "$WORK/err" | head -c 80))"
else
	fail "ragged CSV message: $(cat "$WORK/err")"
fi

# --- closed-source function: bob's secret query on alice's data -----------
MARK="secret_marker_$RANDOM$RANDOM"
cat >"$WORK/secret.sql" <<SQL
-- $MARK: bob's scoring rule
SELECT customer, sum(amount) * 2 AS score FROM alice GROUP BY customer ORDER BY customer;
SQL
F=$(as bob put "$WORK/secret.sql" --kind function --recipients alice --input-owners alice) || fail "bob put function"
D=$(as alice put "$WORK/sales.csv" --allow-funcs "object:$F" --recipients alice) || fail "alice put data"
OUTF=$(as alice run --quiet "object:$F" --inputs "$D" --recipients alice) || fail "run bob's function"
sqlite3 -csv -header :memory: ".import $WORK/sales.csv alice" "UPDATE alice SET amount = NULL WHERE amount = '';" \
	".read $WORK/secret.sql" >"$WORK/want-f.csv"
as alice get "$OUTF" -o "$WORK/got-f.csv" 2>/dev/null && same_csv "$WORK/got-f.csv" "$WORK/want-f.csv" \
	&& ok "bob's sealed query ran on alice's data; alice's result equals sqlite3's" || fail "closed-source result"
if grep -r -a -q -F "$MARK" "$WORKER_DATA"; then fail "the secret query is readable on the host's disk"
else ok "the host's disk holds no byte of the secret query"; fi
if as bob get "$OUTF" -o "$WORK/bob-f.csv" 2>"$WORK/err"; then fail "bob got the output"
else ok "bob is refused the output ($(grep -o 'rule [a-z_]*' "$WORK/err" | head -1))"; fi
if as bob get "$F" -o "$WORK/bob-q.sql" 2>"$WORK/err"; then fail "bob fetched his function's key"
else ok "nobody, bob included, gets the function object's key ($(grep -o 'rule [a-z_]*' "$WORK/err" | head -1))"; fi
if as alice get "$F" -o "$WORK/alice-q.sql" 2>/dev/null; then fail "alice read the query"
else ok "alice cannot read the query"; fi
if as alice run --quiet "object:$F" --inputs "$D" --recipients alice,bob 2>"$WORK/err" >/dev/null; then
	fail "the function's recipients were ignored"
elif grep -q "$F" "$WORK/err" && grep -q "recipients" "$WORK/err"; then
	ok "recipients outside the function's own policy are refused, naming the function"
else
	fail "function recipients: $(cat "$WORK/err")"
fi
D2=$(as alice put "$WORK/sales.csv" --allow-funcs builtin:mean --recipients alice) || fail "put D2"
if as alice run --quiet "object:$F" --inputs "$D2" --recipients alice 2>"$WORK/err" >/dev/null; then
	fail "a function object not allowed by the data's policy ran"
elif grep -q "$D2" "$WORK/err" && grep -q "allow_funcs" "$WORK/err"; then
	ok "alice's policy not allowing the function object: refused, naming her object"
else
	fail "not-allowed function: $(cat "$WORK/err")"
fi
DD=$(as dave put "$WORK/sales.csv" --allow-funcs "owner:bob" --recipients alice,dave) || fail "dave put"
if as dave run --quiet "object:$F" --inputs "$DD" --recipients alice --param tables=alice 2>"$WORK/err" >/dev/null; then
	fail "bob's function ran on data it may not run on"
elif grep -q "$F" "$WORK/err" && grep -q "input_owners" "$WORK/err"; then
	ok "the function's input_owners refuses dave's data, naming the function"
else
	fail "input_owners: $(cat "$WORK/err")"
fi

cluster_stop || fail "a daemon did not shut down cleanly"
echo "test_sql: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
