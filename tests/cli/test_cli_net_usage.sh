#!/bin/bash
# test_cli_net_usage.sh - the networked party commands (revoke, approve,
# audit, status) as far as they can be checked without daemons: help texts,
# command-line mistakes (exit 2), a missing or incomplete config (exit 1
# with a message that says what to do), and status against services that
# are not there (exit 1, everything still reported).
# Usage: test_cli_net_usage.sh path/to/teeu
set -eu
TEEU=$1
case $TEEU in
*/*) TEEU=$(cd "$(dirname "$TEEU")" && pwd)/$(basename "$TEEU") ;;
esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
unset TEEU_CONFIG
failures=0
checks=0

ID=0123456789abcdef0123456789abcdef
DIGEST=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef

bad() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# expect STATUS TEXT COMMAND...: run COMMAND, check its exit status and that
# TEXT ("" for none) is in its stderr (or, for status 0, its stdout).
expect() {
	local want=$1 text=$2 got=0 where=err.txt
	shift 2
	checks=$((checks + 1))
	echo "check: '$*' exits $want${text:+, says \"$text\"}"
	"$@" >out.txt 2>err.txt || got=$?
	[ "$want" -eq 0 ] && where=out.txt
	if [ "$got" -ne "$want" ]; then
		bad "'$*' exited $got, expected $want; stderr: $(cat err.txt)"
	elif [ -n "$text" ] && ! grep -qF -- "$text" "$where"; then
		bad "'$*' lacks '$text' in $where: $(cat "$where")"
	fi
}

# --- help ---
for c in revoke approve audit status; do
	expect 0 "Usage: teeu $c" "$TEEU" "$c" --help
	expect 0 "docs/cli/teeu-$c.md" "$TEEU" "$c" -h
	expect 0 "Exit status" "$TEEU" help "$c"
	checks=$((checks + 1))
	echo "check: 'teeu --help' lists $c"
	"$TEEU" --help | grep -q "^  $c " || bad "teeu --help does not list $c"
done

# --- command-line mistakes: exit 2, before any config is read ---
expect 2 "expected one object ID" "$TEEU" revoke
expect 2 "expected 32 lower-case hex digits" "$TEEU" revoke abc
expect 2 "expected 32 lower-case hex digits" "$TEEU" revoke 0123456789ABCDEF0123456789ABCDEF
expect 2 "expected 32 lower-case hex digits" "$TEEU" revoke "${ID}0"
expect 2 "expected one object ID" "$TEEU" revoke "$ID" "$ID"
expect 2 "unknown option --bogus" "$TEEU" revoke --bogus "$ID"
expect 2 "--config needs a value" "$TEEU" revoke "$ID" --config
expect 2 "Try 'teeu revoke --help'" "$TEEU" revoke
expect 2 "expected one TASK_DIGEST" "$TEEU" approve
expect 2 "expected 64 lower-case hex digits" "$TEEU" approve "$ID"
expect 2 "expected 64 lower-case hex digits" "$TEEU" approve "${DIGEST}0"
expect 2 "expected 64 lower-case hex digits" "$TEEU" approve "g${DIGEST:1}"
expect 2 "unknown option --verify" "$TEEU" approve --verify "$DIGEST"
expect 2 "expected at most one object ID" "$TEEU" audit "$ID" "$ID"
expect 2 "expected 32 lower-case hex digits" "$TEEU" audit "$DIGEST"
expect 2 "unknown option --bogus" "$TEEU" audit --bogus
expect 2 "--config needs a value" "$TEEU" audit --config
expect 2 "expected no arguments" "$TEEU" status extra
expect 2 "unknown option --verify" "$TEEU" status --verify

# --- no config: exit 1 and how to give one ---
for args in "revoke $ID" "approve $DIGEST" "audit" "audit --verify" "audit $ID" "status" \
	"status --json"; do
	# shellcheck disable=SC2086
	expect 1 "no cluster config: give --config FILE or set TEEU_CONFIG" "$TEEU" $args
done
expect 1 "missing.yaml" "$TEEU" status --config missing.yaml
expect 1 "missing.yaml" env TEEU_CONFIG="$work/missing.yaml" "$TEEU" revoke "$ID"
expect 1 "missing.yaml" env TEEU_CONFIG="$work/missing.yaml" "$TEEU" audit

# --- a config without this party's key pair; services that are not there ---
"$TEEU" keygen --type ec-p256 alice >/dev/null 2>&1
cat >nokey.yaml <<EOF
parties:
  alice: {address: "127.0.0.1:9001", public_key: alice.pub}
self_party: alice
auth_manager_config:
  host: "http://127.0.0.1:1"
teeu:
  party: alice
  address: "http://127.0.0.1:1"
tee_simulation: true
EOF
expect 1 "no key pair for self_party 'alice'" "$TEEU" revoke --config nokey.yaml "$ID"
expect 1 "no key pair for self_party 'alice'" "$TEEU" approve --config nokey.yaml "$DIGEST"
# audit reads only public, signed data: no key pair needed, so it gets as far as connecting
expect 1 "Couldn't connect" "$TEEU" audit --config nokey.yaml
# status needs no key; with nothing listening it reports both parts, exit 1
expect 1 "" "$TEEU" status --config nokey.yaml
for text in "AuthManager http://127.0.0.1:1" "TEEU worker http://127.0.0.1:1" \
	"reachable:    NO" "attestation:  FAILED" "status: NOT OK"; do
	checks=$((checks + 1))
	echo "check: status output has '$text'"
	grep -qF -- "$text" out.txt || bad "status output lacks '$text': $(cat out.txt)"
done
expect 1 "" env TEEU_CONFIG="$work/nokey.yaml" "$TEEU" status --json
for text in '"auth_manager": {' '"worker": {' '"ok": false' '"reachable": false'; do
	checks=$((checks + 1))
	echo "check: status --json output has '$text'"
	grep -qF -- "$text" out.txt || bad "status --json output lacks '$text': $(cat out.txt)"
done
checks=$((checks + 1))
echo "check: status --json prints one JSON object"
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import json, sys; d = json.load(sys.stdin); assert d["ok"] is False' \
		<out.txt || bad "status --json is not one JSON object with ok false: $(cat out.txt)"
else
	[ "$(head -c 1 out.txt)" = "{" ] || bad "status --json does not start with '{'"
fi

echo "$checks checks, $failures failures"
[ "$failures" -eq 0 ]
