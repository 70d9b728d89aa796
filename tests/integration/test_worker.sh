#!/bin/bash
# test_worker.sh - the TEEU worker and the party CLI, end to end.
#
# Real daemons on loopback (scripts/local-cluster.sh: an AuthManager and a
# worker hosted by carol, simulation mode), driven only through the `teeu`
# command line as parties use it. Each check prints what it checks and
# fails the script (exit 1) with the evidence when the behaviour is wrong.
#
# Usage: tests/integration/test_worker.sh BUILD_DIR
set -uo pipefail

BUILD=${1:?usage: test_worker.sh BUILD_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../scripts/local-cluster.sh"

WORK=$(mktemp -d /tmp/teeu-test-worker.XXXXXX)
FAILS=0
cleanup() {
	cluster_stop || FAILS=$((FAILS + 1))
	if [ "$FAILS" -ne 0 ] || [ -n "${TEEU_KEEP_TMP:-}" ]; then
		echo "--- authmanager.log (tail)"; tail -n 30 "$WORK/authmanager.log" 2>/dev/null
		echo "--- worker.log (tail)"; tail -n 30 "$WORK/worker.log" 2>/dev/null
	fi
	[ -n "${TEEU_KEEP_TMP:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap 'cleanup; [ "$FAILS" -eq 0 ] || exit 1' EXIT

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { echo "ok: $*"; }
as() { local p=$1; shift; "$TEEU" "$@" --config "$WORK/$p.yaml"; }

cluster_start "$BUILD" "$WORK" alice bob dave carol || { echo "cannot start the cluster"; exit 1; }

npy() { # npy FILE PYTHON_EXPR: save the array the expression gives
	"$PY" -c "import numpy as np; np.save('$1', $2)"
}
same_npy() { # same_npy GOT PYTHON_EXPR_WANT (a, b, ... loaded by name)
	"$PY" - "$WORK" "$1" "$2" <<'PY'
import sys, numpy as np
w, got_path, expr = sys.argv[1], sys.argv[2], sys.argv[3]
env = {"np": np}
for n in ("a", "b", "c"):
    try:
        env[n] = np.load(f"{w}/{n}.npy")
    except FileNotFoundError:
        pass
want = eval(expr, env)
got = np.load(got_path)
if got.shape != np.shape(want) or not np.allclose(got, want, rtol=1e-12, atol=0, equal_nan=True):
    sys.exit(f"got {got!r}, want {want!r}")
PY
}

npy "$WORK/a.npy" "np.random.default_rng(1).random((4, 3))"
npy "$WORK/b.npy" "np.random.default_rng(2).random((4, 3))"
npy "$WORK/c.npy" "np.arange(12, dtype=np.int32).reshape(4, 3)"

# --- the demo flow ---------------------------------------------------------
A=$(as alice put "$WORK/a.npy" --allow-funcs builtin:mean,builtin:sum --recipients alice,bob) || fail "alice put"
B=$(as bob put "$WORK/b.npy" --allow-funcs builtin:mean,builtin:sum --recipients alice,bob) || fail "bob put"
OUT=$(as alice run --quiet builtin:mean --inputs "$A,$B" --recipients alice,bob --param axis=1) \
	|| fail "run builtin:mean axis=1"
as alice get "$OUT" -o "$WORK/alice-mean.npy" 2>/dev/null || fail "alice get"
as bob get "$OUT" -o "$WORK/bob-mean.npy" 2>/dev/null || fail "bob get"
same_npy "$WORK/alice-mean.npy" "np.average([a, b], axis=1)" && same_npy "$WORK/bob-mean.npy" \
	"np.average([a, b], axis=1)" && ok "demo flow: mean axis=1 matches numpy for alice and bob" \
	|| fail "demo flow result"
OUT0=$(as bob run --quiet builtin:sum --inputs "$A,$B" --recipients bob) || fail "run builtin:sum"
as bob get "$OUT0" -o "$WORK/sum.npy" 2>/dev/null && same_npy "$WORK/sum.npy" "np.sum([a, b])" \
	&& ok "sum over everything (axis None) matches numpy" || fail "sum result"

# federated averaging: per-input weights
W1=$(as alice put "$WORK/a.npy" --allow-funcs builtin:weighted_mean --recipients alice,bob) || fail "put W1"
W2=$(as bob put "$WORK/b.npy" --allow-funcs builtin:weighted_mean --recipients alice,bob) || fail "put W2"
OUTW=$(as bob run --quiet builtin:weighted_mean --inputs "$W1,$W2" --recipients bob --param weights=1,3) \
	&& as bob get "$OUTW" -o "$WORK/wmean.npy" 2>/dev/null \
	&& same_npy "$WORK/wmean.npy" "np.average([a, b], axis=0, weights=[1, 3])" \
	&& ok "weighted_mean (weights 1,3) matches np.average(..., weights=[1, 3])" \
	|| fail "weighted_mean"

# --- carol's disk holds no plaintext --------------------------------------
MARKER="TEEU-PLAINTEXT-MARKER-$(date +%s%N)"
for i in $(seq 1 2000); do echo "$MARKER line $i"; done >"$WORK/secret.txt"
S=$(as alice put "$WORK/secret.txt" --allow-funcs builtin:mean --recipients alice) || fail "put raw"
if grep -r -a -q -F "$MARKER" "$WORKER_DATA"; then
	fail "the plaintext marker is on carol's disk"
elif ! "$PY" - "$WORK" "$WORKER_DATA" <<'PY'
import sys, os, numpy as np
w, d = sys.argv[1], sys.argv[2]
blob = b"".join(open(os.path.join(r, f), "rb").read() for r, _, fs in os.walk(d) for f in fs)
for n in ("a", "b"):
    data = np.load(f"{w}/{n}.npy").tobytes()
    if any(data[i:i + 8] in blob for i in range(0, len(data), 8)):
        sys.exit(f"{n}'s array is on carol's disk")
PY
then
	fail "an input array's bytes are on carol's disk"
else
	ok "carol's data directory holds no plaintext of any input"
fi

# --- refusals --------------------------------------------------------------
X=$(as alice put "$WORK/a.npy" --allow-funcs builtin:sum --recipients alice) || fail "put X"
OUTX=$(as alice run --quiet builtin:sum --inputs "$X" --recipients alice) || fail "run on X"
if as bob get "$OUTX" -o "$WORK/bob-x.npy" 2>"$WORK/err"; then
	fail "bob revealed an output whose recipients are only alice"
elif grep -q "recipients" "$WORK/err" && [ ! -e "$WORK/bob-x.npy" ]; then
	ok "bob cannot reveal an output for alice only: $(head -c 160 "$WORK/err")"
else
	fail "bob's refusal does not name the rule: $(cat "$WORK/err")"
fi

if as alice run --quiet builtin:max --inputs "$A" --recipients alice 2>"$WORK/err" >/dev/null; then
	fail "a function outside allow_funcs ran"
elif grep -q "$A" "$WORK/err" && grep -q "allow_funcs" "$WORK/err"; then
	ok "builtin:max refused, naming the object and allow_funcs"
else
	fail "refusal of builtin:max does not name object and rule: $(cat "$WORK/err")"
fi

if as alice run --quiet builtin:sum --inputs "$X" --recipients alice,bob 2>"$WORK/err" >/dev/null; then
	fail "a recipient outside the input's recipients was accepted"
elif grep -q "$X" "$WORK/err" && grep -q "recipients" "$WORK/err"; then
	ok "recipient bob refused for alice-only input, naming the object and rule"
else
	fail "recipient refusal does not name object and rule: $(cat "$WORK/err")"
fi

F=$(as alice put "$WORK/a.npy" --allow-funcs builtin:mean --recipients alice) || fail "put F"
before=$(ls "$WORKER_DATA/objects" | wc -l)
"$PY" -c "
import sys
p = '$WORKER_DATA/objects/$F.teeu'
b = bytearray(open(p, 'rb').read())
b[len(b) // 2] ^= 0x01
open(p, 'wb').write(bytes(b))"
if as alice run --quiet builtin:mean --inputs "$F" --recipients alice 2>"$WORK/err" >/dev/null; then
	fail "a task over a bit-flipped ciphertext succeeded"
elif grep -qi "authentic\|corrupt\|tamper" "$WORK/err" && grep -q "$F" "$WORK/err" \
	&& [ "$(ls "$WORKER_DATA/objects" | wc -l)" -eq "$before" ]; then
	ok "bit-flipped ciphertext: the task fails cleanly, no output ($(head -c 120 "$WORK/err"))"
else
	fail "bit flip: unclear failure or an output was left: $(cat "$WORK/err")"
fi

R=$(as bob put "$WORK/b.npy" --allow-funcs builtin:mean --recipients bob) || fail "put R"
as bob revoke "$R" >/dev/null || fail "bob revoke"
if as bob run --quiet builtin:mean --inputs "$R" --recipients bob 2>"$WORK/err" >/dev/null; then
	fail "a revoked input was released"
elif grep -q "revoked" "$WORK/err" && grep -q "$R" "$WORK/err"; then
	ok "revoked input refused, naming it"
else
	fail "revocation refusal unclear: $(cat "$WORK/err")"
fi

# --- approvals -------------------------------------------------------------
P=$(as dave put "$WORK/c.npy" --allow-funcs builtin:sum --recipients dave --require-approval) || fail "put P"
if as dave run --quiet builtin:sum --inputs "$P" --recipients dave 2>"$WORK/err" >/dev/null; then
	fail "a task ran without the required approval"
elif grep -q "require_approval" "$WORK/err"; then
	ok "require_approval: an unapproved task is refused"
else
	fail "approval refusal unclear: $(cat "$WORK/err")"
fi
TID=$("$PY" -c 'import secrets; print(secrets.token_hex(16))')
DIGEST=$(as dave run builtin:sum --inputs "$P" --recipients dave --task-id "$TID" --print-digest) \
	|| fail "print-digest"
as dave approve "$DIGEST" >/dev/null || fail "dave approve"
OUTP=$(as dave run --quiet builtin:sum --inputs "$P" --recipients dave --task-id "$TID") \
	&& as dave get "$OUTP" -o "$WORK/psum.npy" 2>/dev/null \
	&& same_npy "$WORK/psum.npy" "np.sum(c)" \
	&& ok "approved task (digest computed by the client) runs: sum of int32 matches numpy" \
	|| fail "approved task"

# --- two tasks at once -----------------------------------------------------
as alice run --quiet builtin:mean --inputs "$A,$B" --recipients alice >"$WORK/t1" 2>"$WORK/e1" &
p1=$!
as bob run --quiet builtin:sum --inputs "$A,$B" --recipients bob --param axis=0 >"$WORK/t2" 2>"$WORK/e2" &
p2=$!
if wait $p1 && wait $p2; then
	as alice get "$(cat "$WORK/t1")" -o "$WORK/m1.npy" 2>/dev/null \
		&& as bob get "$(cat "$WORK/t2")" -o "$WORK/m2.npy" 2>/dev/null \
		&& same_npy "$WORK/m1.npy" "np.mean([a, b])" \
		&& same_npy "$WORK/m2.npy" "np.sum([a, b], axis=0)" \
		&& ok "two tasks at once both complete with numpy's results" \
		|| fail "concurrent task results"
else
	fail "concurrent tasks: $(cat "$WORK/e1" "$WORK/e2")"
fi

# --- --no-wait, then --attach ----------------------------------------------
TASK=$(as alice run --no-wait builtin:sum --inputs "$A,$B" --recipients alice --param axis=2) || fail "run --no-wait"
OUTM=$(as alice run --quiet --attach "$TASK") && as alice get "$OUTM" -o "$WORK/max.npy" 2>/dev/null \
	&& same_npy "$WORK/max.npy" "np.sum([a, b], axis=2)" \
	&& ok "run --no-wait then --attach: the output of builtin:sum axis=2 matches numpy" \
	|| fail "--attach"

# --- a worker whose party the AuthManager does not know refuses to start ---
openssl genrsa -3 -out "$WORK/zed.key" 3072 2>/dev/null
if "$WORKER" --simulation --no-tls --listen "127.0.0.1:$(cluster_free_port)" --data-dir "$WORK/zed-data" \
	--party zed --party-key "$WORK/zed.key" --auth-manager "http://127.0.0.1:$AM_PORT" \
	--auth-manager-measurement "sim:$AM_MEAS" >"$WORK/zed.log" 2>&1; then
	fail "a worker for an unregistered party started"
elif grep -q "unknown party 'zed'" "$WORK/zed.log"; then
	ok "a worker whose --party is unknown to the AuthManager refuses to start"
else
	fail "unregistered worker party: $(tail -n 3 "$WORK/zed.log")"
fi
if "$WORKER" --simulation --no-tls --listen "127.0.0.1:$(cluster_free_port)" --data-dir "$WORK/zed-data" \
	--party carol --party-key "$WORK/zed.key" --auth-manager "http://127.0.0.1:$AM_PORT" \
	--auth-manager-measurement "$AM_MEAS" >"$WORK/zed.log" 2>&1; then
	fail "a worker with another party's name started"
elif grep -q "is --party-key that party's registered key" "$WORK/zed.log"; then
	ok "a worker whose --party-key is not the party's registered key refuses to start"
else
	fail "wrong worker key: $(tail -n 3 "$WORK/zed.log")"
fi
WRONG=$(printf '%064d' 0)
if "$WORKER" --simulation --no-tls --listen "127.0.0.1:$(cluster_free_port)" --data-dir "$WORK/zed-data" \
	--party carol --party-key "$WORK/carol.key" --auth-manager "http://127.0.0.1:$AM_PORT" \
	--auth-manager-measurement "$WRONG" >"$WORK/zed.log" 2>&1; then
	fail "a worker started with a wrong AuthManager pin"
elif grep -q "is not the pinned" "$WORK/zed.log"; then
	ok "a worker refuses an AuthManager whose measurement is not the pinned one"
else
	fail "wrong AuthManager pin: $(tail -n 3 "$WORK/zed.log")"
fi

# --- a worker serving HTTPS, trusted through teeu.ca_cert ------------------
(
	cd "$WORK" || exit 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
		-out ca.crt -days 2 -subj /CN=test-ca 2>/dev/null &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout w.key -out w.csr \
			-subj /CN=worker 2>/dev/null &&
		openssl x509 -req -in w.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out w.crt \
			-extfile <(printf 'subjectAltName=IP:127.0.0.1') 2>/dev/null &&
		cat w.key w.crt >w.pem
) || fail "making the worker's TLS certificate"
TLS_PORT=$(cluster_free_port)
"$WORKER" --simulation --listen "127.0.0.1:$TLS_PORT" --data-dir "$WORK/tls-data" --party carol \
	--party-key "$WORK/carol.key" --auth-manager "http://127.0.0.1:$AM_PORT" \
	--auth-manager-measurement "$AM_MEAS" --tls-cert "$WORK/w.pem" --tls-key "$WORK/w.key" \
	--quiet >"$WORK/tls-worker.log" 2>&1 &
TLS_PID=$!
if cluster_wait_port "$TLS_PORT" "$TLS_PID"; then
	sed -e "s|address: \"http://127.0.0.1:$W_PORT\"|address: \"https://127.0.0.1:$TLS_PORT\"\n  ca_cert: ca.crt|" \
		"$WORK/alice.yaml" >"$WORK/alice-tls.yaml"
	npy "$WORK/big.npy" "np.random.default_rng(3).random(300000)"
	if TA=$(as alice-tls put "$WORK/big.npy" --allow-funcs builtin:sum --recipients alice) &&
		TO=$(as alice-tls run --quiet builtin:sum --inputs "$TA" --recipients alice) &&
		as alice-tls get "$TO" -o "$WORK/big-sum.npy" 2>/dev/null &&
		"$PY" -c "import numpy as np, sys; a = np.load('$WORK/big.npy'); g = np.load('$WORK/big-sum.npy'); sys.exit(0 if np.allclose(g, np.sum(a), rtol=1e-12) else 1)"; then
		ok "over HTTPS (worker certificate from teeu.ca_cert): a 2.4 MB put, run and get"
	else
		fail "HTTPS worker"
	fi
	sed -e "s|  ca_cert: ca.crt||" "$WORK/alice-tls.yaml" >"$WORK/alice-noca.yaml"
	if as alice-noca put "$WORK/a.npy" --allow-funcs builtin:sum --recipients alice 2>"$WORK/err" >/dev/null; then
		fail "a worker certificate from an unknown CA was accepted"
	elif grep -qi "certificate" "$WORK/err"; then
		ok "without teeu.ca_cert the worker's certificate is refused"
	else
		fail "unknown CA message: $(cat "$WORK/err")"
	fi
else
	fail "the HTTPS worker did not start: $(tail -n 3 "$WORK/tls-worker.log")"
fi
kill "$TLS_PID" 2>/dev/null
wait "$TLS_PID" || fail "the HTTPS worker did not stop cleanly"

# --- audit -----------------------------------------------------------------
if as alice audit "$A" --verify >"$WORK/audit" 2>&1 && grep -q "release" "$WORK/audit"; then
	ok "alice's audit of her object verifies and shows its releases"
else
	fail "audit: $(cat "$WORK/audit")"
fi

# --- bad requests to the worker --------------------------------------------
if as alice run --quiet builtin:nosuch --inputs "$A" --recipients alice 2>"$WORK/err" >/dev/null; then
	fail "an unknown function was accepted"
elif grep -q "builtin:nosuch" "$WORK/err"; then
	ok "unknown function refused at submission"
else
	fail "unknown function message: $(cat "$WORK/err")"
fi
# --- the HTTP API against malformed and hostile requests (own signer) -----
if "$PY" "$HERE/test_worker_http.py" "$WORK" "$W_PORT" "$TEEU" >"$WORK/http.out" 2>&1; then
	ok "worker HTTP API: $(grep -c '^ok' "$WORK/http.out") malformed/hostile requests answered as specified"
else
	fail "worker HTTP API:"; grep -v '^ok' "$WORK/http.out"
fi
if kill -0 "${CLUSTER_PIDS[1]}" 2>/dev/null; then ok "the worker is still running"; else fail "the worker died"; fi

cluster_stop || fail "a daemon did not shut down cleanly (see its log)"
echo "test_worker: $FAILS failure(s)"
[ "$FAILS" -eq 0 ]
