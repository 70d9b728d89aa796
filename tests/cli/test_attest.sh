#!/bin/bash
# test_attest.sh - `teeu attest verify` over the real evidence in
# tests/vectors (SGX, TDX, TDX outdated, SEV-SNP, Hygon CSV) at the times of
# /work/shared/attestation-samples/EXPECTED.json and the unit tests
# (test_attest_*.c): exit status, result, tcb_status and the measurement in
# the --json output; then a status not accepted, a tampered quote, a wrong
# --type, a time one second after validity, simulation evidence, and
# command-line mistakes (exit 2); collateral as separate files in the
# forms Intel's PCS/PCCS return (--tcb-info and friends), alone and on top of
# a bundle, and SNP/CSV bundles.
# Usage: test_attest.sh path/to/teeu SOURCE_DIR
set -eu
TEEU=$1
SRC=$2
case $TEEU in
*/*) TEEU=$(cd "$(dirname "$TEEU")" && pwd)/$(basename "$TEEU") ;;
esac
SRC=$(cd "$SRC" && pwd)
V=$SRC/tests/vectors
PY=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
failures=0
checks=0

# Verification times (Unix seconds).
NOW_2025=1751328000       # 2025-07-01T00:00:00Z: SGX-01, TDX-01 (EXPECTED.json)
NOW_2026=1772323200       # 2026-03-01T00:00:00Z: TDX-02-neg (EXPECTED.json)
NOW_SNP=1663981200        # 2022-09-24T01:00:00Z (test_attest_snp.c, as go-sev-guest)
VCEK_NOT_AFTER=1884905728 # 2029-09-24T00:55:28Z (test_attest_snp.c)
SGX_QE_NEXT=1752919278    # 2025-07-19T10:01:18Z: the SGX collateral's last valid second
NOW_CSV=1758672000        # 2025-09-24T00:00:00Z (test_attest_csv.c)

SGX_MEAS=33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb
TDX_MEAS=91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7
TDX_RTMR0=44c0197b39157fdd7a4dcc44767f9d6b0bb3977c7a8e347b8492f827fe9d9e5c48aca29b220b80b6a540cf994b9bc9c0
SNP_MEAS=b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01
CSV_MEAS=1178dadbf826ec7a07444ba358376d81c312cb53d703f9da83b26c1eee2ea052

SGX=(--evidence "$V/dcap/sgx_quote" --collateral "$V/dcap/sgx_quote_collateral.json")
TDX=(--evidence "$V/dcap/tdx_quote" --collateral "$V/dcap/tdx_quote_collateral.json")
TDX_OLD=(--evidence "$V/dcap/tdx_quote_outdated"
	--collateral "$V/dcap/tdx_quote_outdated_collateral.json")
SNP_COLL=(--vcek "$V/snp/vcek.testcer" --cert-chain "$V/snp/ask_ark_milan.pem")
SNP=(--evidence "$V/snp/attestation.bin" "${SNP_COLL[@]}")
CSV=(--evidence "$V/csv/report.cert" --hsk-cek "$V/csv/hsk_cek.cert")

bad() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# field KEY: the value of KEY in out.json (a dotted path; "" for null or
# missing; lists joined with commas).
field() {
	"$PY" -c '
import json, sys
v = json.load(open("out.json"))
for k in sys.argv[1].split("."):
    v = v.get(k) if isinstance(v, dict) else None
if v is None:
    v = ""
elif isinstance(v, bool):
    v = "true" if v else "false"
elif isinstance(v, list):
    v = ",".join(v)
print(v)
' "$1"
}

# verify_json NAME STATUS KEY=VALUE... -- ARGS...: run `teeu attest verify
# ARGS --json`, check its exit status and each KEY (a path in the JSON
# object) equals VALUE.
verify_json() {
	local name=$1 want=$2 got=0 kv
	shift 2
	local expects=()
	while [ "$1" != "--" ]; do
		expects+=("$1")
		shift
	done
	shift
	checks=$((checks + 1))
	echo "check: $name: exits $want${expects[*]:+, ${expects[*]}}"
	"$TEEU" attest verify "$@" --json >out.json 2>err.txt || got=$?
	if [ "$got" -ne "$want" ]; then
		bad "$name: exited $got, expected $want; stderr: $(cat err.txt)"
		return
	fi
	if ! "$PY" -c 'import json; json.load(open("out.json"))' 2>/dev/null; then
		bad "$name: output is not JSON: $(cat out.json)"
		return
	fi
	for kv in "${expects[@]}"; do
		local key=${kv%%=*} val=${kv#*=} have
		have=$(field "$key")
		[ "$have" = "$val" ] || bad "$name: $key is '$have', expected '$val'"
	done
}

# expect STATUS TEXT COMMAND...: exit status, and TEXT in stderr (stdout for 0).
expect() {
	local want=$1 text=$2 got=0 where=err.txt shown
	shift 2
	checks=$((checks + 1))
	shown="$*"
	shown=${shown//"$TEEU"/teeu}
	shown=${shown//"$V"/tests/vectors}
	echo "check: '$shown' exits $want${text:+, says \"$text\"}"
	"$@" >out.txt 2>err.txt || got=$?
	[ "$want" -eq 0 ] && where=out.txt
	if [ "$got" -ne "$want" ]; then
		bad "'$*' exited $got, expected $want; stderr: $(cat err.txt)"
	elif [ -n "$text" ] && ! grep -qF -- "$text" "$where"; then
		bad "'$*' lacks '$text' in $where: $(cat "$where")"
	fi
}

# --- the samples, at EXPECTED.json's times ---
verify_json "SGX-01" 0 result=pass tee=sgx tcb_status=ConfigurationAndSWHardeningNeeded \
	advisory_ids=INTEL-SA-00289,INTEL-SA-00615 claims.measurement=$SGX_MEAS \
	claims.signer=815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6 \
	claims.product_id=0 claims.debug=false -- "${SGX[@]}" --at-unix $NOW_2025
verify_json "SGX-01 (auto type, --at RFC 3339)" 0 result=pass tee=sgx \
	claims.measurement=$SGX_MEAS -- "${SGX[@]}" --type auto --at 2025-07-01T00:00:00Z
verify_json "TDX-01" 0 result=pass tee=tdx tcb_status=UpToDate advisory_ids= \
	claims.measurement=$TDX_MEAS claims.rtmr0=$TDX_RTMR0 -- "${TDX[@]}" --at-unix $NOW_2025
verify_json "TDX-01 accepted as UpToDate" 0 result=pass tcb_status=UpToDate -- \
	"${TDX[@]}" --type tdx --at-unix $NOW_2025 --accept-status UpToDate,SWHardeningNeeded
verify_json "TDX-02-neg (outdated)" 1 result=fail tee=tdx failed_check=tcb_level tcb_status= \
	-- "${TDX_OLD[@]}" --at-unix $NOW_2026
verify_json "SNP Milan" 0 result=pass tee=snp tcb_status=UpToDate claims.measurement=$SNP_MEAS \
	claims.debug=true -- "${SNP[@]}" --at-unix $NOW_SNP
verify_json "SNP Milan with --ark" 0 result=pass tee=snp claims.measurement=$SNP_MEAS -- \
	"${SNP[@]}" --ark "$V/snp/ark_milan.pem" --at-unix $NOW_SNP
verify_json "CSV-01 (hsk_cek)" 0 result=pass tee=csv tcb_status=UpToDate \
	claims.measurement=$CSV_MEAS -- "${CSV[@]}" --at-unix $NOW_CSV
verify_json "CSV-01 (--cek, --cert-chain HSK, --hrk)" 0 result=pass tee=csv \
	claims.measurement=$CSV_MEAS -- --evidence "$V/csv/report.cert" --cek "$V/csv/cek.cert" \
	--cert-chain "$V/csv/hsk.cert" --hrk "$V/csv/hrk.cert" --at-unix $NOW_CSV

# --- text output ---
expect 0 "result:       PASS" "$TEEU" attest verify "${SGX[@]}" --at-unix $NOW_2025
expect 0 "tcb_status:   ConfigurationAndSWHardeningNeeded" \
	"$TEEU" attest verify "${SGX[@]}" --at-unix $NOW_2025
expect 1 "FAIL (tcb_level)" "$TEEU" attest verify "${TDX_OLD[@]}" --at-unix $NOW_2026
checks=$((checks + 1))
echo "check: text output of a failure names failed_check on stdout"
"$TEEU" attest verify "${TDX_OLD[@]}" --at-unix $NOW_2026 >out.txt 2>/dev/null || true
grep -q "^failed_check: tcb_level" out.txt || bad "no 'failed_check: tcb_level': $(cat out.txt)"

# --- a status not accepted ---
verify_json "SGX-01 --accept-status UpToDate" 1 result=fail failed_check=accept_status \
	tcb_status=ConfigurationAndSWHardeningNeeded claims.measurement=$SGX_MEAS -- \
	"${SGX[@]}" --at-unix $NOW_2025 --accept-status UpToDate

# --- tampered evidence: one byte flipped in the signed body ---
cp "$V/dcap/sgx_quote" flipped_quote
"$PY" -c '
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[48 + 100] ^= 0x01
open(p, "wb").write(b)
' flipped_quote
verify_json "SGX quote with a flipped body byte" 1 result=fail failed_check=quote_sig -- \
	--evidence flipped_quote --collateral "$V/dcap/sgx_quote_collateral.json" \
	--at-unix $NOW_2025
cp "$V/snp/attestation.bin" flipped_report
"$PY" -c '
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[0x90] ^= 0x01
open(p, "wb").write(b)
' flipped_report
verify_json "SNP report with a flipped measurement byte" 1 result=fail \
	failed_check=report_sig_by_vek -- --evidence flipped_report "${SNP_COLL[@]}" \
	--at-unix $NOW_SNP

# --- the wrong type ---
verify_json "--type snp on an SGX quote" 1 result=fail tee=snp failed_check=report_parse -- \
	--evidence "$V/dcap/sgx_quote" --type snp "${SNP_COLL[@]}" --at-unix $NOW_SNP
verify_json "--type tdx on an SGX quote" 1 result=fail failed_check=tee_type -- \
	"${SGX[@]}" --type tdx --at-unix $NOW_2025
verify_json "undetectable evidence" 1 result=fail tee= failed_check=detect_type -- \
	--evidence "$V/csv/hrk.cert"

# --- time: the last valid second, then one second after ---
verify_json "SGX-01 at its last valid second" 0 result=pass -- "${SGX[@]}" \
	--at-unix $SGX_QE_NEXT
verify_json "SGX-01 one second after its collateral expires" 1 result=fail \
	failed_check=qe_identity_validity -- "${SGX[@]}" --at-unix $((SGX_QE_NEXT + 1))
verify_json "SNP one second after the VCEK expires" 1 result=fail failed_check=cert_validity \
	-- "${SNP[@]}" --at-unix $((VCEK_NOT_AFTER + 1))
verify_json "SNP before the VCEK is valid (RFC 3339)" 1 result=fail \
	failed_check=cert_validity -- "${SNP[@]}" --at 2022-09-24T00:55:27Z

# --- simulation evidence: refused unless allowed, and then says it proves nothing ---
"$PY" -c '
import struct
ev = b"TEEUSIM\0" + struct.pack("<HHI", 1, 0, 0) + bytes(range(32)) + b"sim" + bytes(61)
open("sim.ev", "wb").write(ev)
'
verify_json "sim without --allow-simulation" 1 result=fail tee=sim \
	failed_check=allow_simulation -- --evidence sim.ev
verify_json "sim with --allow-simulation" 0 result=pass tee=sim tcb_status=Simulation \
	claims.measurement=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f -- \
	--evidence sim.ev --allow-simulation
expect 0 "PROVES NOTHING" sh -c "'$TEEU' attest verify --evidence sim.ev --allow-simulation 2>&1"
verify_json "sim --accept-status UpToDate" 1 failed_check=accept_status -- \
	--evidence sim.ev --allow-simulation --accept-status UpToDate

# --- missing files: exit 1, named ---
verify_json "missing evidence file" 1 result=fail failed_check=read_evidence -- \
	--evidence no-such-file
verify_json "missing collateral file" 1 result=fail failed_check=read_collateral -- \
	--evidence "$V/dcap/sgx_quote" --collateral no-such.json --at-unix $NOW_2025

# --- collateral as separate files (the forms PCS/PCCS return), and other bundles ---
"$PY" - "$V" <<'PYEOF'
import base64, json, sys, urllib.parse
V = sys.argv[1]

def pem_blocks(text):
    out, cur = [], None
    for line in text.splitlines():
        if line.startswith("-----BEGIN"):
            cur = []
        elif line.startswith("-----END"):
            out.append(base64.b64decode("".join(cur)))
            cur = None
        elif cur is not None:
            cur.append(line.strip())
    return out

def pem(der, kind):
    b = base64.b64encode(der).decode()
    return "-----BEGIN %s-----\n%s\n-----END %s-----\n" % (
        kind, "\n".join(b[i:i + 64] for i in range(0, len(b), 64)), kind)

for name in ("sgx", "tdx"):
    d = json.load(open("%s/dcap/%s_quote_collateral.json" % (V, name)))
    w = lambda f, data: open("%s_%s" % (name, f), "wb").write(
        data.encode() if isinstance(data, str) else data)
    # PCS responses: the body byte for byte, then the signature.
    w("tcb.json", '{"tcbInfo":%s,"signature":"%s"}' % (d["tcb_info"], d["tcb_info_signature"]))
    # signature first, white space, a trailing newline
    w("qe.json", '{ "signature" : "%s",\n  "enclaveIdentity" : %s }\n'
      % (d["qe_identity_signature"].upper(), d["qe_identity"]))
    w("tcb_chain.pem", d["tcb_info_issuer_chain"])
    w("tcb_chain.url", urllib.parse.quote(d["tcb_info_issuer_chain"], safe=""))
    w("tcb_chain.der", b"".join(pem_blocks(d["tcb_info_issuer_chain"])))
    w("pck_chain.pem", d["pck_crl_issuer_chain"])
    pck, root = bytes.fromhex(d["pck_crl"]), bytes.fromhex(d["root_ca_crl"])
    w("pck_crl.der", pck)
    w("pck_crl.pem", pem(pck, "X509 CRL"))
    w("pck_crl.hex", d["pck_crl"].upper() + "\n\0")   # as PCCS: hex, trailing NUL
    w("root_crl.der", root + b"\0\0")
    w("root_crl.hex", d["root_ca_crl"])
    # the TCB info with one signature bit flipped
    sig = bytearray(bytes.fromhex(d["tcb_info_signature"]))
    sig[10] ^= 1
    w("tcb_flipped.json", '{"tcbInfo":%s,"signature":"%s"}' % (d["tcb_info"], sig.hex()))

# SNP and CSV bundles
vcek = open(V + "/snp/vcek.testcer", "rb").read()
json.dump({"tee": "snp", "vcek": pem(vcek, "CERTIFICATE"),
           "cert_chain": open(V + "/snp/ask_ark_milan.pem").read()}, open("snp_bundle.json", "w"))
json.dump({"tee": "csv", "hsk_cek": base64.b64encode(open(V + "/csv/hsk_cek.cert", "rb").read()).decode()},
          open("csv_bundle.json", "w"))
PYEOF

# the same JSON output from files as from the bundle, for SGX and TDX
for t in sgx tdx; do
	checks=$((checks + 1))
	echo "check: $t: parts as files give the bundle's result"
	"$TEEU" attest verify --evidence "$V/dcap/${t}_quote" --collateral \
		"$V/dcap/${t}_quote_collateral.json" --at-unix $NOW_2025 --json >bundle.out || true
	"$TEEU" attest verify --evidence "$V/dcap/${t}_quote" --tcb-info ${t}_tcb.json \
		--qe-identity ${t}_qe.json --tcb-signing-chain ${t}_tcb_chain.pem \
		--pck-crl ${t}_pck_crl.der --root-ca-crl ${t}_root_crl.hex \
		--pck-chain ${t}_pck_chain.pem --at-unix $NOW_2025 --json >files.out || true
	cmp -s bundle.out files.out || bad "$t: files give $(cat files.out), the bundle $(cat bundle.out)"
	grep -q '"result": *"pass"' files.out || bad "$t: files do not pass: $(cat files.out)"
done
verify_json "SGX-01 from files (DER chain, PEM/hex CRLs)" 0 result=pass tee=sgx \
	tcb_status=ConfigurationAndSWHardeningNeeded advisory_ids=INTEL-SA-00289,INTEL-SA-00615 \
	claims.measurement=$SGX_MEAS skipped_checks= -- --evidence "$V/dcap/sgx_quote" \
	--tcb-info sgx_tcb.json --qe-identity sgx_qe.json --tcb-signing-chain sgx_tcb_chain.der \
	--pck-crl sgx_pck_crl.pem --root-ca-crl sgx_root_crl.der --at-unix $NOW_2025
verify_json "TDX-01 from files (URL-encoded chain, hex CRL with NUL)" 0 result=pass tee=tdx \
	tcb_status=UpToDate claims.measurement=$TDX_MEAS -- --evidence "$V/dcap/tdx_quote" \
	--tcb-info tdx_tcb.json --qe-identity tdx_qe.json --tcb-signing-chain tdx_tcb_chain.url \
	--pck-crl tdx_pck_crl.hex --root-ca-crl tdx_root_crl.hex --at-unix $NOW_2025
verify_json "SGX-01 from files without CRLs says they were skipped" 0 result=pass \
	skipped_checks=root_crl,pck_crl -- --evidence "$V/dcap/sgx_quote" \
	--tcb-info sgx_tcb.json --qe-identity sgx_qe.json --tcb-signing-chain sgx_tcb_chain.pem \
	--at-unix $NOW_2025
expect 0 "skipped:      root_crl (no root CA CRL given: revocation not checked)" \
	"$TEEU" attest verify --evidence "$V/dcap/sgx_quote" --tcb-info sgx_tcb.json \
	--qe-identity sgx_qe.json --tcb-signing-chain sgx_tcb_chain.pem \
	--pck-crl sgx_pck_crl.der --at-unix $NOW_2025
verify_json "a flipped TCB info signature in a file" 1 result=fail failed_check=tcb_info_sig \
	-- --evidence "$V/dcap/sgx_quote" --tcb-info sgx_tcb_flipped.json \
	--qe-identity sgx_qe.json --tcb-signing-chain sgx_tcb_chain.pem --at-unix $NOW_2025
verify_json "--collateral with a flipped --tcb-info on top" 1 result=fail \
	failed_check=tcb_info_sig -- "${SGX[@]}" --tcb-info sgx_tcb_flipped.json \
	--at-unix $NOW_2025
verify_json "--collateral with --pck-crl on top (hex form)" 0 result=pass skipped_checks= -- \
	"${SGX[@]}" --pck-crl sgx_pck_crl.hex --at-unix $NOW_2025
verify_json "--collateral with the root CA CRL as --pck-crl" 1 result=fail \
	failed_check=pck_crl -- "${SGX[@]}" --pck-crl sgx_root_crl.hex --at-unix $NOW_2025
verify_json "a CRL file in no accepted form" 1 result=fail failed_check=collateral_parse -- \
	"${SGX[@]}" --pck-crl sgx_tcb.json --at-unix $NOW_2025
expect 1 "sgx_tcb.json: PCK CRL" "$TEEU" attest verify "${SGX[@]}" --pck-crl sgx_tcb.json \
	--at-unix $NOW_2025
expect 1 "sgx_pck_crl.der: TCB info" "$TEEU" attest verify "${SGX[@]}" \
	--tcb-info sgx_pck_crl.der --at-unix $NOW_2025
verify_json "a missing part file" 1 result=fail failed_check=read_collateral -- \
	"${SGX[@]}" --root-ca-crl no-such.crl --at-unix $NOW_2025
verify_json "SNP from an snp bundle" 0 result=pass tee=snp claims.measurement=$SNP_MEAS -- \
	--evidence "$V/snp/attestation.bin" --collateral snp_bundle.json --at-unix $NOW_SNP
verify_json "SNP bundle with --ark on top" 0 result=pass tee=snp -- \
	--evidence "$V/snp/attestation.bin" --collateral snp_bundle.json \
	--ark "$V/snp/ark_milan.pem" --at-unix $NOW_SNP
verify_json "SNP bundle with --vcek on top (DER)" 0 result=pass tee=snp -- \
	--evidence "$V/snp/attestation.bin" --collateral snp_bundle.json \
	--vcek "$V/snp/vcek.testcer" --at-unix $NOW_SNP
# --- SNP: AMD's CRL and the reported TCB ---
# There is no AMD CRL sample. This one is SELF-MADE here, signed by a
# SELF-MADE TEST key under AMD's ARK-Milan name (an impersonation, not
# AMD's): the verifier must refuse it at check crl.
printf '[ca]\ndefault_ca = test\n[test]\ndatabase = index.txt\ndefault_md = sha384\ndefault_crl_days = 3650\n' >ca.cnf
: >index.txt
openssl req -x509 -newkey rsa:2048 -nodes -keyout test_ark.key -out test_ark.pem -days 36500 \
	-subj "/OU=Engineering/C=US/L=Santa Clara/ST=CA/O=Advanced Micro Devices/CN=ARK-Milan" \
	2>/dev/null
openssl ca -config ca.cnf -gencrl -keyfile test_ark.key -cert test_ark.pem \
	-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:48 -out test_snp_crl.pem 2>/dev/null
openssl crl -in test_snp_crl.pem -outform DER -out test_snp_crl.der
verify_json "SNP without a CRL says it was skipped" 0 result=pass skipped_checks=snp_crl \
	claims.snp_tcb.fmc=0 claims.snp_tcb.bootloader=2 claims.snp_tcb.tee=0 \
	claims.snp_tcb.snp=5 claims.snp_tcb.microcode=68 -- "${SNP[@]}" --at-unix $NOW_SNP
expect 0 "skipped:      snp_crl (no AMD CRL given: revocation not checked)" \
	"$TEEU" attest verify "${SNP[@]}" --at-unix $NOW_SNP
expect 0 "snp_tcb       fmc 0, bootloader 2, tee 0, snp 5, microcode 68 (reported TCB)" \
	"$TEEU" attest verify "${SNP[@]}" --at-unix $NOW_SNP
verify_json "SNP with a self-made CRL (DER) fails crl" 1 result=fail failed_check=crl \
	skipped_checks= -- "${SNP[@]}" --snp-crl test_snp_crl.der --at-unix $NOW_SNP
verify_json "SNP with a self-made CRL (PEM) fails crl" 1 result=fail failed_check=crl -- \
	"${SNP[@]}" --snp-crl test_snp_crl.pem --at-unix $NOW_SNP
expect 1 "does not verify with the ARK" "$TEEU" attest verify "${SNP[@]}" \
	--snp-crl test_snp_crl.der --at-unix $NOW_SNP
verify_json "SNP bundle with --snp-crl on top fails crl" 1 result=fail failed_check=crl -- \
	--evidence "$V/snp/attestation.bin" --collateral snp_bundle.json \
	--snp-crl test_snp_crl.der --at-unix $NOW_SNP
verify_json "--snp-crl that is not a CRL" 1 result=fail failed_check=collateral_parse -- \
	"${SNP[@]}" --snp-crl "$V/snp/vcek.testcer" --at-unix $NOW_SNP
expect 1 "vcek.testcer: SNP CRL" "$TEEU" attest verify "${SNP[@]}" \
	--snp-crl "$V/snp/vcek.testcer" --at-unix $NOW_SNP
expect 2 "--snp-crl does not apply to sgx evidence" "$TEEU" attest verify "${SGX[@]}" \
	--snp-crl test_snp_crl.der
expect 2 "--snp-crl does not apply to csv evidence" "$TEEU" attest verify "${CSV[@]}" \
	--snp-crl test_snp_crl.der
expect 0 "--snp-crl FILE" "$TEEU" attest verify --help
verify_json "CSV from a csv bundle" 0 result=pass tee=csv claims.measurement=$CSV_MEAS -- \
	--evidence "$V/csv/report.cert" --collateral csv_bundle.json --at-unix $NOW_CSV
verify_json "an snp bundle for an SGX quote" 1 result=fail failed_check=collateral_parse -- \
	--evidence "$V/dcap/sgx_quote" --collateral snp_bundle.json --at-unix $NOW_2025
expect 2 "or --tcb-info FILE, --qe-identity FILE and --tcb-signing-chain FILE" \
	"$TEEU" attest verify --evidence "$V/dcap/sgx_quote" --tcb-info sgx_tcb.json \
	--qe-identity sgx_qe.json
expect 2 "--tcb-info does not apply to snp evidence" "$TEEU" attest verify "${SNP[@]}" \
	--tcb-info sgx_tcb.json
expect 2 "--pck-crl does not apply to csv evidence" "$TEEU" attest verify "${CSV[@]}" \
	--pck-crl sgx_pck_crl.der
expect 0 "--tcb-signing-chain" "$TEEU" attest verify --help

# --- help ---
expect 0 "Usage: teeu attest verify" "$TEEU" attest --help
expect 0 "docs/cli/teeu-attest.md" "$TEEU" attest verify --help
expect 0 "Exit status" "$TEEU" help attest
expect 0 "tests/vectors/dcap/sgx_quote" "$TEEU" attest verify -h
checks=$((checks + 1))
echo "check: 'teeu --help' lists attest"
"$TEEU" --help | grep -q "^  attest " || bad "teeu --help does not list attest"

# --- command-line mistakes: exit 2 ---
expect 2 "expected a subcommand: verify" "$TEEU" attest
expect 2 "unknown subcommand 'check'" "$TEEU" attest check
expect 2 "--evidence FILE is required" "$TEEU" attest verify
expect 2 "unknown option --bogus" "$TEEU" attest verify --bogus
expect 2 "--evidence needs a value" "$TEEU" attest verify --evidence
expect 2 "--type tpm: expected auto" "$TEEU" attest verify --evidence x --type tpm
expect 2 "expected RFC 3339" "$TEEU" attest verify --evidence x --at yesterday
expect 2 "--at-unix 12x" "$TEEU" attest verify --evidence x --at-unix 12x
expect 2 "give one of --at and --at-unix" "$TEEU" attest verify --evidence x \
	--at-unix 1 --at 2025-07-01T00:00:00Z
expect 2 "unknown status 'Fine'" "$TEEU" attest verify --evidence x --accept-status Fine
expect 2 "empty status" "$TEEU" attest verify --evidence x --accept-status UpToDate,
expect 2 "unexpected argument" "$TEEU" attest verify --evidence x extra
expect 2 "sgx evidence needs --collateral" "$TEEU" attest verify --evidence "$V/dcap/sgx_quote"
expect 2 "snp evidence needs --vcek" "$TEEU" attest verify --evidence "$V/snp/attestation.bin"
expect 2 "csv evidence needs --hsk-cek" "$TEEU" attest verify --evidence "$V/csv/report.cert"
expect 2 "--vcek does not apply to sgx" "$TEEU" attest verify "${SGX[@]}" \
	--vcek "$V/snp/vcek.testcer"
expect 2 "Try 'teeu attest verify --help'" "$TEEU" attest verify

echo "$checks checks, $failures failed"
[ "$failures" -eq 0 ]
