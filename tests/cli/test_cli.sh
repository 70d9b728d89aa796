#!/bin/sh
# test_cli.sh - the teeu tool as a user drives it: exit codes, messages,
# files created or not created, modes, pipes. Usage: test_cli.sh path/to/teeu
set -u
TEEU=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
failures=0
checks=0

ok() { checks=$((checks + 1)); }
bad() { echo "FAIL: $*"; failures=$((failures + 1)); }
# run EXPECTED-STATUS TEXT-IN-STDERR-OR-"" COMMAND...
run() {
	want=$1 text=$2; shift 2
	"$@" >out.txt 2>err.txt
	got=$?
	if [ "$got" -ne "$want" ]; then
		bad "'$*' exited $got, expected $want; stderr: $(cat err.txt)"
	elif [ -n "$text" ] && ! grep -q -- "$text" err.txt; then
		bad "'$*' stderr lacks '$text': $(cat err.txt)"
	else
		ok
	fi
}
absent() { if [ -e "$1" ]; then bad "$1 exists but should not"; else ok; fi; }
same() { if cmp -s "$1" "$2"; then ok; else bad "$1 and $2 differ"; fi; }
no_temp_files() { if ls -A | grep -q '^\.'; then bad "temporary files left: $(ls -A | grep '^\.')"; else ok; fi; }

# --- help and usage ---
run 0 "" "$TEEU" --help
grep -q "seal" out.txt && ok || bad "--help lacks the command list"
for c in seal open inspect policy config keygen key; do
	run 0 "" "$TEEU" "$c" --help
	grep -q "Usage: teeu $c" out.txt && ok || bad "teeu $c --help lacks a usage line"
	run 0 "" "$TEEU" help "$c"
done
run 2 "no command 'frobnicate'" "$TEEU" frobnicate
run 2 "" "$TEEU"
run 2 "--data-key-out KEYFILE is required" "$TEEU" seal in out
run 2 "expected IN and OUT" "$TEEU" seal --data-key-out k in
run 2 "--chunk-size 3" "$TEEU" seal --data-key-out k --chunk-size 3 in out
run 2 "--owner" "$TEEU" seal --data-key-out k --owner "bad name" in out
run 2 "--kind" "$TEEU" seal --data-key-out k --kind thing in out
run 2 "never written to stdout" "$TEEU" seal --data-key-out - in out
run 2 "--bits 3072abc" "$TEEU" keygen --bits 3072abc x
run 2 "unknown option --bogus" "$TEEU" key --bogus

# --- seal / open round trips: empty, tiny, multi-chunk, unrecorded size ---
: >empty.bin
printf 'x' >one.bin
head -c 3000000 /dev/urandom >big.bin
for f in empty one big; do
	run 0 "" "$TEEU" seal --owner alice --data-key-out $f.dk $f.bin $f.teeu
	grep -Eq '^[0-9a-f]{32}$' out.txt && ok || bad "seal did not print an object id"
	run 0 "" "$TEEU" open --data-key $f.dk $f.teeu $f.back
	same $f.bin $f.back
done
run 0 "" "$TEEU" seal --chunk-size 16 --data-key-out small.dk one.bin small.teeu
run 0 "" "$TEEU" open --data-key small.dk small.teeu small.back
same one.bin small.back
# pipes both ways: size not recorded
cat big.bin | "$TEEU" seal --data-key-out pipe.dk - - >pipe.teeu 2>err.txt && ok || bad "seal from a pipe: $(cat err.txt)"
"$TEEU" inspect pipe.teeu | grep -q "plaintext_size: not recorded" && ok || bad "pipe size should be unrecorded"
cat pipe.teeu | "$TEEU" open --data-key pipe.dk - - >pipe.back 2>err.txt && ok || bad "open from a pipe: $(cat err.txt)"
same big.bin pipe.back
"$TEEU" open --data-key pipe.dk pipe.teeu - >pipe2.back 2>err.txt && ok || bad "open to stdout"
same big.bin pipe2.back

# key file: 64 hex digits, mode 0600
grep -Eq '^[0-9a-f]{64}$' big.dk && ok || bad "data key file format"
[ "$(stat -c %a big.dk)" = 600 ] && ok || bad "data key file mode is $(stat -c %a big.dk)"

# inspect
run 0 "" "$TEEU" inspect big.teeu
grep -q "plaintext_size: 3000000" out.txt && ok || bad "inspect: size"
grep -q "owner:          alice" out.txt && ok || bad "inspect: owner"
run 1 "not a TEEU object" "$TEEU" inspect big.bin

# --- refusals leave nothing behind ---
run 1 "already exists" "$TEEU" seal --data-key-out big.dk big.bin new.teeu
absent new.teeu
run 1 "already exists" "$TEEU" seal --data-key-out new.dk big.bin big.teeu
absent new.dk
run 0 "" "$TEEU" seal --force --data-key-out big2.dk big.bin big.teeu
run 0 "" "$TEEU" open --data-key big2.dk big.teeu big2.back
same big.bin big2.back
run 1 "cannot open" "$TEEU" seal --data-key-out x.dk missing.bin x.teeu
absent x.dk
absent x.teeu
run 1 "not the key of object" "$TEEU" open --data-key one.dk big.teeu wrong.out
absent wrong.out
# one flipped bit in the middle of the object
cp big.teeu flipped.teeu
printf '\377' | dd of=flipped.teeu bs=1 seek=1500000 conv=notrunc 2>/dev/null
run 1 "failed authentication" "$TEEU" open --data-key big2.dk flipped.teeu flipped.out
absent flipped.out
# to stdout from a regular file: verified before any byte is written
"$TEEU" open --data-key big2.dk flipped.teeu - >stdout.out 2>/dev/null && bad "stdout open of a damaged object succeeded" || ok
[ ! -s stdout.out ] && ok || bad "plaintext reached stdout before verification"
head -c 2000000 big.teeu >cut.teeu
run 1 "truncated" "$TEEU" open --data-key big2.dk cut.teeu cut.out
absent cut.out
run 1 "not a data key file" "$TEEU" open --data-key one.bin big.teeu k.out
absent k.out
no_temp_files

# --- policy check ---
M=0000000000000000000000000000000000000000000000000000000000000000
printf '{"allow_funcs":["builtin:mean"],"allow_tees":[{"type":"sim","measurement":"%s"}],"recipients":["alice","bob"]}' $M >p.json
run 0 "" "$TEEU" policy check p.json
grep -q "recipients:      alice, bob" out.txt && ok || bad "policy description"
run 0 "" "$TEEU" policy check --canonical p.json
grep -q '^{"allow_funcs":\["builtin:mean"\]' out.txt && ok || bad "canonical JSON"
printf '{"allow_funcs":["builtin:mean"],"allow_tees":[{"type":"sim","measurement":"abc"}],"recipients":["alice"]}' >bad.json
run 1 "allow_tees\[0\].measurement: expected 64 hexadecimal digits" "$TEEU" policy check bad.json
run 1 "cannot open" "$TEEU" policy check nothere.json
run 2 "" "$TEEU" policy frob p.json

# --- keys: keygen, key, fingerprints agree with openssl ---
run 0 "" "$TEEU" keygen --type ec-p256 carol
[ "$(stat -c %a carol.key)" = 600 ] && ok || bad "private key mode"
run 0 "" "$TEEU" key carol.pub
want=$(openssl pkey -pubin -in carol.pub -outform DER | openssl dgst -sha256 -r | cut -c1-64)
grep -q "sha256:$want" out.txt && ok || bad "fingerprint differs from openssl's"
run 1 "already exists" "$TEEU" keygen --type ec-p256 carol
openssl genrsa -3 -out alice.key 3072 2>/dev/null
openssl rsa -in alice.key -pubout -out alice.pub 2>/dev/null
run 0 "" "$TEEU" key --private alice.key
grep -q "RSA-3072" out.txt && ok || bad "key type"
openssl genrsa -out weak.key 1024 2>/dev/null
run 1 "1024 bits" "$TEEU" key weak.key

# --- config check ---
openssl genrsa -3 -out bob.key 3072 2>/dev/null
openssl rsa -in bob.key -pubout -out bob.pub 2>/dev/null
cat >cluster.yaml <<YAML
parties:
  alice: {address: "127.0.0.1:9001", public_key: alice.pub}
  bob: {address: "127.0.0.1:9002", public_key: bob.pub}
  carol: {address: "127.0.0.1:9003", public_key: carol.pub}
self_party: alice
party_key_pair:
  alice: {private_key: alice.key, public_key: alice.pub}
auth_manager_config: {host: "127.0.0.1:8835", measurement: ""}
teeu: {party: carol, address: "127.0.0.1:10001"}
tee_simulation: true
YAML
run 0 "" "$TEEU" config check cluster.yaml
grep -q "SIMULATION" out.txt && ok || bad "config check should flag simulation"
sed 's/bob.pub}/bobby.pub}/' cluster.yaml >missing.yaml
run 1 "parties.bob.public_key" "$TEEU" config check missing.yaml
grep -q "bobby.pub" err.txt && ok || bad "missing-file error lacks the file name"
sed 's/tee_simulation/tee_simulaton/' cluster.yaml >typo.yaml
run 1 "tee_simulaton: unknown key" "$TEEU" config check typo.yaml

echo "test_cli: $checks checks passed, $failures failed"
[ "$failures" -eq 0 ]
