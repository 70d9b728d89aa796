#!/bin/bash
# test_attest_collateral.sh - `teeu attest collateral` against fake Intel
# PCS/PCCS, AMD KDS and Hygon KDS services (fake_vendor_services.py, on
# 127.0.0.1) serving the real samples of tests/vectors: the SGX, TDX,
# SEV-SNP and CSV bundles are fetched, checked to verify like the sample
# collateral does (same result and TCB status at the same time), and the
# URLs asked for are checked against the evidence (FMSPC, PCK CA, chip id,
# SPLs, serial number). Then the cache: offline reuse with the server
# stopped, an empty cache, expiry, a corrupt file; then failures (404,
# product fallback, malformed responses, server down, VLEK) and
# command-line mistakes (exit 2).
# Usage: test_attest_collateral.sh path/to/teeu SOURCE_DIR
set -u
TEEU=$1
SRC=$2
case $TEEU in
*/*) TEEU=$(cd "$(dirname "$TEEU")" && pwd)/$(basename "$TEEU") ;;
esac
SRC=$(cd "$SRC" && pwd)
V=$SRC/tests/vectors
FAKE=$SRC/tests/cli/fake_vendor_services.py
PY=/usr/bin/python3
work=$(mktemp -d)
server_pids=()
cleanup() {
	for p in "${server_pids[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$work"
}
trap cleanup EXIT
cd "$work" || exit 1
failures=0
checks=0

# Times (Unix seconds), as tests/cli/test_attest.sh.
NOW_2025=1751328000 # SGX, TDX: inside the samples' validity
NOW_SNP=1663981200  # inside the VCEK's validity
NOW_CSV=1758672000
SGX_QE_NEXT=1752919278 # the SGX sample's QE identity nextUpdate

bad() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# expect STATUS TEXT CMD...: CMD exits STATUS and TEXT ("" = anything) is
# in its stdout or stderr.
expect() {
	local want=$1 text=$2 got=0
	shift 2
	checks=$((checks + 1))
	"$@" >out.txt 2>err.txt || got=$?
	if [ "$got" != "$want" ]; then
		bad "'$*' exited $got, expected $want; stderr: $(cat err.txt)"
	elif [ -n "$text" ] && ! grep -qF -- "$text" out.txt err.txt; then
		bad "'$*' lacks '$text': $(cat out.txt err.txt)"
	fi
}

check() { # check DESCRIPTION CONDITION...
	local what=$1
	shift
	checks=$((checks + 1))
	"$@" || bad "$what"
}

# start_server NAME [ARGS]: run the fake services; sets PORT and PID.
start_server() {
	local name=$1 i
	shift
	: >"$name.log"
	"$PY" "$FAKE" --vectors "$V" --log "$work/$name.log" --snp-crl "$work/test_snp_crl.der" \
		"$@" >"$name.port" 2>"$name.err" &
	PID=$!
	server_pids+=("$PID")
	for i in $(seq 100); do
		[ -s "$name.port" ] && break
		sleep 0.05
	done
	PORT=$(cat "$name.port")
	[ -n "$PORT" ] || {
		echo "FAIL: the fake services did not start: $(cat "$name.err")"
		exit 1
	}
}

stop_server() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

logged() { # logged NAME LINE: the server NAME was asked for exactly LINE
	grep -qxF -- "$2" "$1.log"
}

# status_of EVIDENCE-ARGS...: "result tcb_status" of teeu attest verify --json
status_of() {
	"$TEEU" attest verify "$@" --json 2>/dev/null |
		"$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["result"], d["tcb_status"])' 2>/dev/null
}

# bundle_part BUNDLE KEY FILE [base64]: write a bundle's value to FILE.
bundle_part() {
	"$PY" - "$@" <<'EOF'
import base64, json, sys
v = json.load(open(sys.argv[1]))[sys.argv[2]]
data = base64.b64decode(v) if len(sys.argv) > 4 else v.encode()
open(sys.argv[3], "wb").write(data)
EOF
}

# verify_same NAME EVIDENCE BUNDLE AT REFERENCE-ARGS...: the fetched bundle
# verifies with the same result and TCB status as the sample collateral.
verify_same() {
	local name=$1 ev=$2 bundle=$3 at=$4 tee got want
	shift 4
	tee=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["tee"])' "$bundle")
	want=$(status_of --evidence "$ev" "$@" --at-unix "$at")
	got=$(status_of --evidence "$ev" --collateral "$bundle" --at-unix "$at")
	if [ -z "$got" ] && [ "$tee" = snp ]; then # verify --collateral takes SGX/TDX only
		bundle_part "$bundle" vcek vcek.pem
		bundle_part "$bundle" cert_chain chain.pem
		got=$(status_of --evidence "$ev" --vcek vcek.pem --cert-chain chain.pem --at-unix "$at")
	elif [ -z "$got" ] && [ "$tee" = csv ]; then
		bundle_part "$bundle" hsk_cek hsk_cek.bin base64
		got=$(status_of --evidence "$ev" --hsk-cek hsk_cek.bin --at-unix "$at")
	fi
	checks=$((checks + 1))
	case $want in
	pass\ *) ;;
	*) bad "$name: the sample collateral does not pass: '$want'" ;;
	esac
	[ "$got" = "$want" ] || bad "$name: the fetched bundle gives '$got', the sample '$want'"
}

SGX_FMSPC=$("$PY" -c 'import json,sys; print(json.loads(json.load(open(sys.argv[1]))["tcb_info"])["fmspc"].upper())' "$V/dcap/sgx_quote_collateral.json")
TDX_FMSPC=$("$PY" -c 'import json,sys; print(json.loads(json.load(open(sys.argv[1]))["tcb_info"])["fmspc"].upper())' "$V/dcap/tdx_quote_collateral.json")
# The SNP report's chip id (0x1A0, 64 bytes) and REPORTED_TCB (0x180):
# Milan layout bl, tee, 4 reserved, snp, ucode.
SNP_VCEK_PATH=$("$PY" -c '
import sys
r = open(sys.argv[1], "rb").read()
t = r[0x180:0x188]
print("%s?blSPL=%d&teeSPL=%d&snpSPL=%d&ucodeSPL=%d" % (r[0x1A0:0x1E0].hex(), t[0], t[1], t[6], t[7]))
' "$V/snp/attestation.bin")
CSV_SN=$("$PY" -c '
import sys
r = open(sys.argv[1], "rb").read()
a, o = r[0xBC:0xC0], 0x150 + 0x824
print(bytes(b ^ a[(o + i) % 4] for i, b in enumerate(r[o:o + 64])).rstrip(b"\0").decode())
' "$V/csv/report.cert")

# There is no AMD CRL sample: the fake KDS serves this SELF-MADE one,
# signed by a SELF-MADE TEST key under AMD's ARK-Milan name (not AMD's).
# A fetched SNP bundle carries it, and verifying with it fails at crl.
printf '[ca]\ndefault_ca = test\n[test]\ndatabase = index.txt\ndefault_md = sha384\ndefault_crl_days = 30\n' >ca.cnf
: >index.txt
openssl req -x509 -newkey rsa:2048 -nodes -keyout test_ark.key -out test_ark.pem -days 36500 \
	-subj "/OU=Engineering/C=US/L=Santa Clara/ST=CA/O=Advanced Micro Devices/CN=ARK-Milan" \
	2>/dev/null
openssl ca -config ca.cnf -gencrl -keyfile test_ark.key -cert test_ark.pem \
	-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:48 -out test_snp_crl.pem 2>/dev/null
openssl crl -in test_snp_crl.pem -outform DER -out test_snp_crl.der

start_server main
MAIN_PID=$PID
U=http://127.0.0.1:$PORT
PCCS=(--pccs-url "$U/sgx/certification/v4")
CACHE=$work/cache/sub

# --- fetch from the network ---
expect 0 "source:       network" "$TEEU" attest collateral --evidence "$V/dcap/sgx_quote" \
	--out sgx.json "${PCCS[@]}" --cache "$CACHE" --at-unix $NOW_2025
check "SGX: tcb?fmspc=$SGX_FMSPC" logged main "/sgx/certification/v4/tcb?fmspc=$SGX_FMSPC"
check "SGX: qe/identity" logged main "/sgx/certification/v4/qe/identity"
check "SGX: PCK CRL of the processor CA" logged main \
	"/sgx/certification/v4/pckcrl?ca=processor&encoding=der"
check "SGX: root CA CRL" logged main "/sgx/certification/v4/rootcacrl"
check "cache dir is 0700" test "$(stat -c %a "$CACHE")" = 700
check "one sgx cache file" test "$(ls "$CACHE" | grep -c '^sgx-[0-9a-f]\{64\}\.json$')" = 1
verify_same "SGX" "$V/dcap/sgx_quote" sgx.json $NOW_2025 \
	--collateral "$V/dcap/sgx_quote_collateral.json"

: >main.log
expect 0 "nextUpdate" "$TEEU" attest collateral --evidence "$V/dcap/tdx_quote" --type auto \
	--out tdx.json "${PCCS[@]}" --cache "$CACHE" --at 2025-07-01T00:00:00Z
check "TDX: tcb?fmspc=$TDX_FMSPC under /tdx/" logged main \
	"/tdx/certification/v4/tcb?fmspc=$TDX_FMSPC"
check "TDX: /tdx/ qe/identity" logged main "/tdx/certification/v4/qe/identity"
check "TDX: PCK CRL of the platform CA" logged main \
	"/sgx/certification/v4/pckcrl?ca=platform&encoding=der"
verify_same "TDX" "$V/dcap/tdx_quote" tdx.json $NOW_2025 \
	--collateral "$V/dcap/tdx_quote_collateral.json"

: >main.log
expect 0 '"source": "network"' "$TEEU" attest collateral --evidence "$V/snp/attestation.bin" \
	--out snp.json --amd-kds-url "$U/" --cache "$CACHE" --at-unix $NOW_SNP --json
check "SNP: the VCEK by chip id and SPLs" logged main "/vcek/v1/Milan/$SNP_VCEK_PATH"
check "SNP: Milan cert_chain" logged main "/vcek/v1/Milan/cert_chain"
check "SNP: Milan crl" logged main "/vcek/v1/Milan/crl"
check "SNP: the bundle holds the served CRL (hex of the DER)" "$PY" -c '
import json, sys
b = json.load(open(sys.argv[1]))
sys.exit(b.get("crl") != open(sys.argv[2], "rb").read().hex())
' snp.json test_snp_crl.der
# The self-made CRL is not signed by AMD's ARK: refused at crl.
checks=$((checks + 1))
got=$("$TEEU" attest verify --evidence "$V/snp/attestation.bin" --collateral snp.json \
	--at-unix $NOW_SNP --json 2>/dev/null |
	"$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["result"], d["failed_check"])')
[ "$got" = "fail crl" ] || bad "SNP: the fetched bundle with the self-made CRL gives '$got'"
# Without it, the fetched bundle verifies like the sample.
"$PY" -c '
import json, sys
b = json.load(open(sys.argv[1]))
del b["crl"]
json.dump(b, open(sys.argv[2], "w"))
' snp.json snp-nocrl.json
verify_same "SNP" "$V/snp/attestation.bin" snp-nocrl.json $NOW_SNP \
	--vcek "$V/snp/vcek.testcer" --cert-chain "$V/snp/ask_ark_milan.pem"

: >main.log
expect 0 "source:       network" "$TEEU" attest collateral --evidence "$V/csv/report.cert" \
	--type csv --out csv.json --hygon-kds-url "$U" --cache "$CACHE"
check "CSV: hsk_cek?snumber=$CSV_SN" logged main "/hsk_cek?snumber=$CSV_SN"
verify_same "CSV" "$V/csv/report.cert" csv.json $NOW_CSV --hsk-cek "$V/csv/hsk_cek.cert"

# --root-ca-crl-url (Intel's own file, DER); no cache: always the network.
: >main.log
expect 0 "source:       network" "$TEEU" attest collateral --evidence "$V/dcap/sgx_quote" \
	--out sgx_root.json "${PCCS[@]}" --root-ca-crl-url "$U/IntelSGXRootCA.der" \
	--at-unix $NOW_2025
check "--root-ca-crl-url is used" logged main "/IntelSGXRootCA.der"
check "--root-ca-crl-url: not PCCS's rootcacrl" sh -c "! grep -q rootcacrl main.log"
verify_same "SGX (root CRL from --root-ca-crl-url)" "$V/dcap/sgx_quote" sgx_root.json \
	$NOW_2025 --collateral "$V/dcap/sgx_quote_collateral.json"

# --out - writes the bundle on stdout, the summary on stderr.
"$TEEU" attest collateral --evidence "$V/csv/report.cert" --out - --hygon-kds-url "$U" \
	>stdout.json 2>stderr.txt
check "--out -: the bundle on stdout" cmp -s stdout.json csv.json
check "--out -: the summary on stderr" grep -q "source:" stderr.txt

# --- the cache ---
# A second fetch while the server runs comes from the cache.
: >main.log
expect 0 "source:       cache" "$TEEU" attest collateral --evidence "$V/dcap/sgx_quote" \
	--out sgx2.json "${PCCS[@]}" --cache "$CACHE" --at-unix $NOW_2025
check "cache hit: no request" test ! -s main.log
check "cache hit: same bundle" cmp -s sgx.json sgx2.json

# A corrupt cache file is ignored and re-fetched.
SGX_CACHE=$(ls "$CACHE"/sgx-*.json)
printf '{"tee":"sgx","tcb_info":' >"$SGX_CACHE"
expect 1 "corrupt" "$TEEU" attest collateral --evidence "$V/dcap/sgx_quote" --out x.json \
	"${PCCS[@]}" --cache "$CACHE" --at-unix $NOW_2025 --offline
expect 0 "source:       network" "$TEEU" attest collateral --evidence "$V/dcap/sgx_quote" \
	--out sgx3.json "${PCCS[@]}" --cache "$CACHE" --at-unix $NOW_2025
check "corrupt cache file: re-fetched" cmp -s sgx.json sgx3.json
check "corrupt cache file: rewritten" cmp -s <(tr -d '\n' <sgx.json) "$SGX_CACHE"
check "no temporary files left" test "$(ls -a "$CACHE" | grep -c tmp)" = 0

# Expired at --at: not taken from the cache.
expect 1 "not valid at" "$TEEU" attest collateral --evidence "$V/dcap/sgx_quote" \
	--out x.json "${PCCS[@]}" --cache "$CACHE" --offline --at-unix $((SGX_QE_NEXT + 1))
expect 0 "source:       network" "$TEEU" attest collateral --evidence "$V/dcap/sgx_quote" \
	--out x.json "${PCCS[@]}" --cache "$CACHE" --at-unix $((SGX_QE_NEXT + 1))
expect 0 "NOT valid" "$TEEU" attest collateral --evidence "$V/dcap/sgx_quote" \
	--out x.json "${PCCS[@]}" --at-unix $((SGX_QE_NEXT + 1))

# The server stopped: everything from the cache, --offline or not.
stop_server "$MAIN_PID"
for t in "sgx dcap/sgx_quote $NOW_2025" "tdx dcap/tdx_quote $NOW_2025" \
	"snp snp/attestation.bin $NOW_SNP" "csv csv/report.cert $NOW_CSV"; do
	set -- $t
	expect 0 "source:       cache" "$TEEU" attest collateral --evidence "$V/$2" \
		--out "$1-offline.json" "${PCCS[@]}" --amd-kds-url "$U" --hygon-kds-url "$U" \
		--cache "$CACHE" --offline --at-unix "$3"
	check "$1: the offline bundle is the fetched one" cmp -s "$1.json" "$1-offline.json"
done
expect 0 "source:       cache" "$TEEU" attest collateral --evidence "$V/dcap/tdx_quote" \
	--out x.json "${PCCS[@]}" --cache "$CACHE" --at-unix $NOW_2025
# SNP: the cached CRL's nextUpdate bounds the cache file's validity.
CRL_NEXT=$(openssl crl -in test_snp_crl.der -inform DER -noout -nextupdate | "$PY" -c '
import calendar, sys, time
v = sys.stdin.read().strip().split("=", 1)[1]
print(calendar.timegm(time.strptime(v, "%b %d %H:%M:%S %Y GMT")))')
expect 0 "source:       cache" "$TEEU" attest collateral --evidence "$V/snp/attestation.bin" \
	--out x.json --amd-kds-url "$U" --cache "$CACHE" --offline --at-unix $((CRL_NEXT - 1))
expect 1 "AMD CRL's nextUpdate" "$TEEU" attest collateral --evidence "$V/snp/attestation.bin" \
	--out x.json --amd-kds-url "$U" --cache "$CACHE" --offline --at-unix $CRL_NEXT
verify_same "SGX from the cache" "$V/dcap/sgx_quote" sgx-offline.json $NOW_2025 \
	--collateral "$V/dcap/sgx_quote_collateral.json"

# --offline with an empty cache names the file it looked for.
expect 1 "$work/empty/sgx-" "$TEEU" attest collateral --evidence "$V/dcap/sgx_quote" \
	--out x.json "${PCCS[@]}" --cache "$work/empty" --offline
check "--offline: nothing written" test ! -e x2.json

# --- failures ---
# Server down: the URL and curl's reason.
expect 1 "$U/sgx/certification/v4/tcb?fmspc=$SGX_FMSPC" "$TEEU" attest collateral \
	--evidence "$V/dcap/sgx_quote" --out x2.json "${PCCS[@]}" --timeout 5
check "server down: no bundle written" test ! -e x2.json
expect 1 "$U/hsk_cek?snumber=$CSV_SN" "$TEEU" attest collateral \
	--evidence "$V/csv/report.cert" --out x2.json --hygon-kds-url "$U"

start_server second --snp-product Genoa
U2=http://127.0.0.1:$PORT
# 404: the URL, the status and what it means.
expect 1 "answered 404" "$TEEU" attest collateral --evidence "$V/dcap/sgx_quote" \
	--out x2.json --pccs-url "$U2/other/sgx/certification/v4"
expect 1 "$U2/other/sgx/certification/v4/tcb?fmspc=$SGX_FMSPC" "$TEEU" attest collateral \
	--evidence "$V/dcap/sgx_quote" --out x2.json --pccs-url "$U2/other/sgx/certification/v4"
check "404: names the FMSPC" grep -q "FMSPC $SGX_FMSPC" err.txt
expect 1 "answered 404" "$TEEU" attest collateral --evidence "$V/csv/report.cert" \
	--out x2.json --hygon-kds-url "$U2/nothing"
expect 1 "no HSK/CEK" "$TEEU" attest collateral --evidence "$V/csv/report.cert" \
	--out x2.json --hygon-kds-url "$U2/nothing"
check "404: no bundle written" test ! -e x2.json
# TDX needs /sgx/ in the PCCS URL to find /tdx/.
expect 1 "/sgx/" "$TEEU" attest collateral --evidence "$V/dcap/tdx_quote" --out x2.json \
	--pccs-url "$U2/v4"
# SNP: no product in a version 2 report: Milan answers 404, then Genoa.
: >second.log
expect 0 "source:       network" "$TEEU" attest collateral --evidence "$V/snp/attestation.bin" \
	--out snp-genoa.json --amd-kds-url "$U2"
check "SNP fallback: Milan first" logged second "/vcek/v1/Milan/$SNP_VCEK_PATH"
check "SNP fallback: then Genoa" logged second "/vcek/v1/Genoa/$SNP_VCEK_PATH"
check "SNP fallback: Genoa's chain" logged second "/vcek/v1/Genoa/cert_chain"
check "SNP fallback: Genoa's CRL" logged second "/vcek/v1/Genoa/crl"
check "SNP fallback: Turin not asked" sh -c "! grep -q Turin second.log"
# All products 404: the chip is unknown.
expect 1 "404" "$TEEU" attest collateral --evidence "$V/snp/attestation.bin" --out x2.json \
	--amd-kds-url "$U2/nokds"
check "SNP 404: names Turin (the last URL)" grep -q "/nokds/vcek/v1/Turin/" err.txt
stop_server "$PID"
# AMD serves a CRL per product: a KDS without one is an error, naming it.
start_server nocrl --snp-crl ""
U2=http://127.0.0.1:$PORT
expect 1 "$U2/vcek/v1/Milan/crl answered 404" "$TEEU" attest collateral \
	--evidence "$V/snp/attestation.bin" --out x2.json --amd-kds-url "$U2"
check "no CRL: no bundle written" test ! -e x2.json
# A VLEK-signed report cannot be fetched anonymously.
"$PY" -c '
import sys
r = bytearray(open(sys.argv[1], "rb").read())
r[0x48] = (r[0x48] & ~0x1C) | (1 << 2)
open(sys.argv[2], "wb").write(r)
' "$V/snp/attestation.bin" vlek.bin
expect 1 "VLEK" "$TEEU" attest collateral --evidence vlek.bin --out x2.json \
	--amd-kds-url "$U2"
# Evidence of no known type.
head -c 700 /dev/urandom >random.bin
expect 1 "cannot detect" "$TEEU" attest collateral --evidence random.bin --out x2.json
stop_server "$PID"

start_server bad --mode malformed
U3=http://127.0.0.1:$PORT
expect 1 "$U3/sgx/certification/v4/tcb?fmspc=$SGX_FMSPC" "$TEEU" attest collateral \
	--evidence "$V/dcap/sgx_quote" --out x2.json --pccs-url "$U3/sgx/certification/v4" \
	--cache "$work/badcache"
check "malformed: nothing cached" test -z "$(ls "$work/badcache" 2>/dev/null)"
expect 1 "$U3/vcek/v1/Milan/" "$TEEU" attest collateral --evidence "$V/snp/attestation.bin" \
	--out x2.json --amd-kds-url "$U3"
expect 1 "$U3/hsk_cek?snumber=" "$TEEU" attest collateral --evidence "$V/csv/report.cert" \
	--out x2.json --hygon-kds-url "$U3"
check "malformed: no bundle written" test ! -e x2.json
stop_server "$PID"

# --- command line ---
expect 0 "Usage: teeu attest collateral" "$TEEU" attest collateral --help
expect 0 "teeu attest verify --evidence" "$TEEU" attest collateral --help
expect 2 "--evidence FILE is required" "$TEEU" attest collateral --out x.json
expect 2 "--out FILE is required" "$TEEU" attest collateral --evidence "$V/dcap/sgx_quote"
expect 2 "--offline needs --cache" "$TEEU" attest collateral --evidence "$V/dcap/sgx_quote" \
	--out x.json --offline
expect 2 "--type" "$TEEU" attest collateral --evidence "$V/dcap/sgx_quote" --out x.json \
	--type sim
expect 2 "--at" "$TEEU" attest collateral --evidence "$V/dcap/sgx_quote" --out x.json \
	--at yesterday
expect 2 "once" "$TEEU" attest collateral --evidence "$V/dcap/sgx_quote" --out x.json \
	--at-unix 5 --at-unix 6
expect 2 "--timeout" "$TEEU" attest collateral --evidence "$V/dcap/sgx_quote" --out x.json \
	--timeout 0
expect 2 "unknown option" "$TEEU" attest collateral --evidence "$V/dcap/sgx_quote" \
	--out x.json --bogus
expect 2 "unexpected argument" "$TEEU" attest collateral --evidence "$V/dcap/sgx_quote" \
	--out x.json extra
expect 2 "needs a value" "$TEEU" attest collateral --evidence
expect 1 "missing.bin" "$TEEU" attest collateral --evidence missing.bin --out x.json
expect 1 "not an http" "$TEEU" attest collateral --evidence "$V/dcap/sgx_quote" --out x.json \
	--pccs-url ftp://example/sgx/certification/v4

echo "test_attest_collateral: $checks checks, $failures failed"
[ "$failures" = 0 ]
