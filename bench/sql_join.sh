#!/bin/bash
# sql_join.sh - SQL over two parties' tables, TEEU against the sqlite3 tool.
#
# alice's orders (N rows: order id, customer id, amount) and bob's customers
# (N rows: id, region) as CSV. TEEU, end to end through the CLI: alice and
# bob `teeu put` their CSVs, alice `teeu run sql --query-file` a join +
# GROUP BY inside carol's worker (decrypt, load into an in-memory SQLite,
# query, seal the CSV result), alice `teeu get`. Baseline in the same run:
# the sqlite3 command-line tool importing the same two plaintext CSVs into
# an in-memory database and running the same query. The two results must be
# equal or the script fails.
#
# Usage: bench/sql_join.sh [BUILD_DIR]   (N=... rows per table, default 10^6)
# Target (issue 5): TEEU <= 2x sqlite3.
set -euo pipefail

BUILD=${1:-build}
N=${N:-1000000}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../scripts/local-cluster.sh"
WORK=$(mktemp -d /tmp/teeu-bench-sql.XXXXXX)
trap 'cluster_stop || true; rm -rf "$WORK"' EXIT

cluster_start "$BUILD" "$WORK" alice bob carol
echo "join + GROUP BY over two tables of $N rows each"
"$PY" - "$WORK" "$N" <<'PY'
import sys, random
w, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(5)
regions = ["north", "south", "east", "west", "centre"]
with open(f"{w}/orders.csv", "w") as f:
    f.write("id,customer,amount\n")
    f.writelines(f"{i},{rnd.randrange(n)},{rnd.randrange(1, 1000)}\n" for i in range(n))
with open(f"{w}/customers.csv", "w") as f:
    f.write("id,region\n")
    f.writelines(f"{i},{regions[rnd.randrange(5)]}\n" for i in range(n))
PY
cat >"$WORK/q.sql" <<'SQL'
SELECT c.region, count(*) AS orders, sum(o.amount) AS total
FROM orders o JOIN customers c ON c.id = o.customer
GROUP BY c.region ORDER BY c.region;
SQL
now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }

t0=$(now)
sqlite3 -csv -header :memory: ".import $WORK/orders.csv orders" ".import $WORK/customers.csv customers" \
	".read $WORK/q.sql" >"$WORK/want.csv"
t1=$(now)
SQLITE_MS=$(ms "$t0" "$t1")

as() { local p=$1; shift; "$BUILD/teeu" "$@" --config "$WORK/$p.yaml"; }
t0=$(now)
O=$(as alice put "$WORK/orders.csv" --allow-funcs "sql:@$WORK/q.sql" --recipients alice)
t1=$(now)
C=$(as bob put "$WORK/customers.csv" --allow-funcs "sql:@$WORK/q.sql" --recipients alice)
t2=$(now)
OUT=$(as alice run --quiet sql --query-file "$WORK/q.sql" --inputs "$O,$C" --recipients alice \
	--param tables=orders,customers)
t3=$(now)
as alice get "$OUT" -o "$WORK/got.csv" 2>/dev/null
t4=$(now)
TEEU_MS=$(ms "$t0" "$t4")
if ! diff <(tr -d '\r' <"$WORK/got.csv") <(tr -d '\r' <"$WORK/want.csv") >/dev/null; then
	echo "bench: TEEU's result differs from sqlite3's:" >&2
	diff <(tr -d '\r' <"$WORK/got.csv") <(tr -d '\r' <"$WORK/want.csv") >&2 || true
	exit 1
fi
printf '  sqlite3 CLI: import both CSVs, query    %7d ms   baseline\n' "$SQLITE_MS"
printf '  TEEU put orders / put customers          %7d / %d ms\n' "$(ms "$t0" "$t1")" "$(ms "$t1" "$t2")"
printf '  TEEU run sql (decrypt, load, query, seal) %6d ms\n' "$(ms "$t2" "$t3")"
printf '  TEEU get                                  %6d ms\n' "$(ms "$t3" "$t4")"
"$PY" -c "
t, s = $TEEU_MS, $SQLITE_MS
print(f'  TEEU end to end                           {t:6d} ms   {t / s:.2f}x sqlite3 (target <= 2x: {\"PASS\" if t <= 2 * s else \"MISS\"})')"
