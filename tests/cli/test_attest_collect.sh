#!/bin/bash
# test_attest_collect.sh - `teeu attest collect` end to end.
#
# Usage errors (exit 2); a simulation collect verified by `teeu attest
# verify --allow-simulation` with the report data checked; a fake Gramine
# tree (attestation_type, an empty user_report_data, the real SGX sample as
# quote) giving a file byte-identical to the sample, with the padded report
# data in user_report_data; clear errors (exit 1) for missing interfaces.
# Arguments: the teeu binary, the source directory. Exit 1 on any failure.
set -u

TEEU=${1:?usage: test_attest_collect.sh TEEU_BINARY SOURCE_DIR}
SRC=${2:?usage: test_attest_collect.sh TEEU_BINARY SOURCE_DIR}
TEEU=$(cd "$(dirname "$TEEU")" && pwd)/$(basename "$TEEU")
SAMPLE="$SRC/tests/vectors/dcap/sgx_quote"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/teeu-collect.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# run NAME WANT_STATUS NEEDLE ARGS...: run teeu, check the exit status and
# that stderr contains NEEDLE (empty: no check).
run() {
	local name=$1 want=$2 needle=$3 got
	shift 3
	"$TEEU" "$@" >"$WORK/out" 2>"$WORK/err" </dev/null
	got=$?
	if [ "$got" -ne "$want" ]; then
		bad "$name: exit $got, expected $want; stderr: $(cat "$WORK/err")"
	elif [ -n "$needle" ] && ! grep -qF -- "$needle" "$WORK/err"; then
		bad "$name: stderr lacks '$needle': $(cat "$WORK/err")"
	else
		ok
	fi
}

# check NAME COMMAND...: a shell condition.
check() {
	local name=$1
	shift
	if "$@"; then ok; else bad "$name"; fi
}

# --- usage errors ------------------------------------------------------------
run "no type" 2 "--type" attest collect --out "$WORK/e"
run "no out" 2 "--out FILE is required" attest collect --type sim
run "bad type" 2 "expected sgx, tdx" attest collect --type tpm --out "$WORK/e"
run "odd hex" 2 "even number" attest collect --type sim --out "$WORK/e" --report-data abc
run "long hex" 2 "even number" attest collect --type sim --out "$WORK/e" \
	--report-data "$(printf '00%.0s' $(seq 65))"
run "not hex" 2 "not hex" attest collect --type sim --out "$WORK/e" --report-data zz
run "both rd" 2 "not both" attest collect --type sim --out "$WORK/e" --report-data 00 \
	--report-data-file /dev/null
head -c 65 /dev/zero >"$WORK/rd65"
run "rd file too big" 2 "more than 64 bytes" attest collect --type sim --out "$WORK/e" \
	--report-data-file "$WORK/rd65"
run "bad interface" 2 "auto, gramine or occlum" attest collect --type sgx --out "$WORK/e" \
	--sgx-interface sdk
run "tsm-root with sgx" 2 "--tsm-root applies" attest collect --type sgx --out "$WORK/e" \
	--tsm-root "$WORK"
run "gramine-root with tdx" 2 "sgx only" attest collect --type tdx --out "$WORK/e" \
	--gramine-root "$WORK"
run "json to stdout" 2 "--json cannot" attest collect --type sim --out - --json
run "extra argument" 2 "unexpected argument" attest collect --type sim --out "$WORK/e" x
run "help" 0 "" attest collect --help
check "help teaches verify" grep -q "teeu attest verify --evidence" "$WORK/out"
check "nothing written on usage errors" test ! -e "$WORK/e"

# --- simulation roundtrip ----------------------------------------------------
RD=0123456789abcdef
PADDED=$RD$(printf '0%.0s' $(seq $((128 - ${#RD}))))
run "sim collect" 0 "PROTECTS NOTHING" attest collect --type sim --out "$WORK/sim.ev" \
	--report-data "$RD" --json
check "sim json" grep -q "\"report_data\": \"$PADDED\"" "$WORK/out"
check "sim size" test "$(stat -c %s "$WORK/sim.ev")" -eq 112
check "sim sha256" grep -q "\"sha256\": \"$(sha256sum "$WORK/sim.ev" | cut -d' ' -f1)\"" \
	"$WORK/out"
run "sim verify" 0 "" attest verify --evidence "$WORK/sim.ev" --allow-simulation --json
check "sim verify report data" grep -q "\"report_data\": \"$PADDED\"" "$WORK/out"
run "sim exists" 1 "" attest collect --type sim --out "$WORK/sim.ev" --report-data "$RD"
run "sim force" 0 "" attest collect --type sim --out "$WORK/sim.ev" --report-data 00 --force
run "sim no report data" 0 "binds nothing" attest collect --type sim --out "$WORK/zero.ev"
run "sim verify zero" 0 "" attest verify --evidence "$WORK/zero.ev" --allow-simulation --json
check "sim zero report data" grep -q "\"report_data\": \"$(printf '0%.0s' $(seq 128))\"" \
	"$WORK/out"
printf 'nonce-from-file' >"$WORK/rd.bin"
run "sim report-data-file" 0 "" attest collect --type sim --out - \
	--report-data-file "$WORK/rd.bin"
cp "$WORK/out" "$WORK/pipe.ev"
run "sim verify piped" 0 "" attest verify --evidence "$WORK/pipe.ev" --allow-simulation --json
check "sim file report data" grep -q "\"report_data\": \"$(printf 'nonce-from-file' |
	od -v -An -tx1 | tr -d ' \n')$(printf '0%.0s' $(seq $((128 - 30))))\"" "$WORK/out"

# --- SGX through a fake Gramine tree ----------------------------------------
G="$WORK/attestation"
mkdir -p "$G"
printf 'dcap' >"$G/attestation_type"
: >"$G/user_report_data"
cp "$SAMPLE" "$G/quote"
run "gramine collect" 0 "" attest collect --type sgx --gramine-root "$G" \
	--out "$WORK/sgx.quote" --report-data "$RD"
check "gramine evidence is the sample" cmp -s "$SAMPLE" "$WORK/sgx.quote"
check "user_report_data padded" test "$(od -v -An -tx1 "$G/user_report_data" | tr -d ' \n')" \
	= "$PADDED"
run "gramine verify" 0 "" attest verify --evidence "$WORK/sgx.quote" \
	--collateral "$SRC/tests/vectors/dcap/sgx_quote_collateral.json" \
	--at 2025-07-01T00:00:00Z
printf 'none' >"$G/attestation_type"
run "gramine type none" 1 'sgx.remote_attestation = "dcap"' attest collect --type sgx \
	--gramine-root "$G" --out "$WORK/none.quote" --sgx-interface gramine
check "nothing written on failure" test ! -e "$WORK/none.quote"

# --- missing interfaces ------------------------------------------------------
run "missing gramine" 1 "$WORK/nope" attest collect --type sgx --sgx-interface gramine \
	--gramine-root "$WORK/nope" --out "$WORK/e"
run "missing sgx auto" 1 "neither Gramine" attest collect --type sgx \
	--gramine-root "$WORK/nope" --occlum-device "$WORK/nosgx" --out "$WORK/e"
run "missing occlum" 1 "Occlum" attest collect --type sgx --sgx-interface occlum \
	--occlum-device "$WORK/nosgx" --out "$WORK/e"
run "missing tsm" 1 "configfs-tsm not found" attest collect --type tdx \
	--tsm-root "$WORK/tsm" --out "$WORK/e"
run "missing tsm snp" 1 "mount -t configfs" attest collect --type snp \
	--tsm-root "$WORK/tsm" --out "$WORK/e"
run "missing csv" 1 "$WORK/csv-guest" attest collect --type csv \
	--csv-device "$WORK/csv-guest" --out "$WORK/e"
check "nothing written on errors" test ! -e "$WORK/e"

echo "test_attest_collect: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
