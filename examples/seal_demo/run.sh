#!/bin/sh
# seal_demo: the offline part of TEEU, end to end, with real keys and files.
#
# Until the AuthManager and the TEEU worker exist, `make demo` shows what a
# data owner does on her own machine: make a key pair the way SecretFlow's
# guide does, write a policy, seal a table into an object under a fresh data
# key, open it again, and watch every kind of tampering get caught by name.
# Usage: examples/seal_demo/run.sh [path/to/teeu]
set -eu
TEEU=${1:-build/teeu}
[ -x "$TEEU" ] || { echo "seal_demo: $TEEU not found; run 'make demo'" >&2; exit 1; }
TEEU=$(cd "$(dirname "$TEEU")" && pwd)/$(basename "$TEEU")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
step() { printf '\n== %s\n' "$*"; }
expect_fail() { # expect_fail WHAT EXPECTED-TEXT COMMAND...
	what=$1 text=$2; shift 2
	if "$@" 2>err.txt; then echo "FAIL: $what was not detected"; exit 1; fi
	grep -q "$text" err.txt || { echo "FAIL: $what: unexpected message:"; cat err.txt; exit 1; }
	printf '   %-34s -> %s\n' "$what" "$(cat err.txt)"
}

step "alice makes her key pair (openssl genrsa -3 3072, as in SecretFlow's TEEU guide)"
openssl genrsa -3 -out alice.key 3072 2>/dev/null
openssl rsa -in alice.key -pubout -out alice.pub 2>/dev/null
"$TEEU" key alice.pub

step "alice writes the policy her data will be registered with"
cat >policy.json <<'JSON'
{"allow_funcs": ["builtin:mean"],
 "allow_tees": [{"type": "sim",
                 "measurement": "0000000000000000000000000000000000000000000000000000000000000000"}],
 "recipients": ["alice", "bob"],
 "max_uses": 10,
 "not_after": "2030-01-01T00:00:00Z"}
JSON
"$TEEU" policy check policy.json

step "alice seals a 2 MB table: 3 chunks (2 of 1 MiB and a partial one)"
awk 'BEGIN { print "id,age,balance"; for (i = 0; i < 120000; i++) printf "%d,%d,%d.%02d\n", i, 18 + i % 60, i * 7 % 100000, i % 100 }' >table.csv
ls -l table.csv | awk '{print "   plaintext: " $5 " bytes"}'
id=$("$TEEU" seal --owner alice --data-key-out table.dk table.csv table.teeu)
"$TEEU" inspect table.teeu | sed 's/^/   /'
ls -l table.dk | awk '{print "   data key file mode: " $1}'

step "alice opens it with the data key: identical to the original"
"$TEEU" open --data-key table.dk table.teeu roundtrip.csv
cmp table.csv roundtrip.csv && echo "   roundtrip.csv == table.csv"

step "every kind of damage is detected, named, and leaves no output behind"
size=$(wc -c <table.teeu)
hdr=$((113 + 5))
chunk=$((1048576 + 48))
flip() { # flip FILE OFFSET OUT: copy FILE to OUT with one bit of one byte inverted
	cp "$1" "$3"
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$3" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
"$TEEU" seal --owner alice --data-key-out other.dk table.csv other.teeu >/dev/null 2>&1
expect_fail "wrong key" "not the key of object" "$TEEU" open --data-key other.dk table.teeu out1
flip table.teeu 50 t1 # the owner name
expect_fail "header edit" "header was modified" "$TEEU" open --data-key table.dk t1 out2
flip table.teeu $((hdr + chunk + 100)) t2
expect_fail "bit flip in chunk 1" "chunk 1 failed authentication" "$TEEU" open --data-key table.dk t2 out3
head -c $((hdr + 2 * chunk)) table.teeu >t3
expect_fail "truncated at a chunk boundary" "truncated" "$TEEU" open --data-key table.dk t3 out4
{ head -c $((hdr + chunk)) table.teeu; tail -c +$((hdr + 2 * chunk + 1)) table.teeu | head -c $chunk;
  tail -c +$((hdr + chunk + 1)) table.teeu | head -c $chunk; tail -c +$((hdr + 3 * chunk + 1)) table.teeu; } >t4
expect_fail "chunks 1 and 2 swapped" "reordered" "$TEEU" open --data-key table.dk t4 out5
{ head -c $((hdr + chunk)) table.teeu; tail -c +$((hdr + chunk + 1)) other.teeu | head -c $chunk;
  tail -c +$((hdr + 2 * chunk + 1)) table.teeu; } >t5
expect_fail "chunk from another object" "belongs to object" "$TEEU" open --data-key table.dk t5 out6
{ cat table.teeu; printf 'junk'; } >t6
expect_fail "trailing garbage" "follow the final chunk" "$TEEU" open --data-key table.dk t6 out7
for o in out1 out2 out3 out4 out5 out6 out7; do
	[ ! -e $o ] || { echo "FAIL: $o was left behind"; exit 1; }
done
[ -z "$(ls -A | grep '^\.')" ] || { echo "FAIL: temporary files left behind"; exit 1; }
echo "   no output file and no temporary file was left by any failed open"

printf '\nPASS: object %s sealed, opened, and all 7 kinds of damage detected\n' "$id"
echo "(Offline demo. The secure-aggregation demo with the AuthManager and the TEEU worker"
echo " replaces it when those land; simulation mode will then say loudly that it protects nothing.)"
