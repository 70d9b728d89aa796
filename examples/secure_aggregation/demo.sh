#!/bin/bash
# demo.sh - TEEU's main job on one machine: secure aggregation.
#
# SecretFlow's TEEU example, end to end and for real: alice and bob each
# seal a random 4x3 numpy array on their side, allowing only builtin:mean
# and only themselves as recipients; carol hosts the TEEU and the
# AuthManager; the mean with the example's axis (np.average([a, b], axis=1))
# runs inside carol's TEEU; alice and bob each fetch and decrypt the result
# and check it against numpy on the plaintext. Carol's disk only ever holds
# ciphertext. In simulation mode, though, nothing protects carol's memory:
# the banner says so.
#
# Usage: examples/secure_aggregation/demo.sh [BUILD_DIR]   (make demo runs it)
# Exit status 0 only if both results match numpy; every process it started
# is stopped on every exit path.
set -euo pipefail

BUILD=${1:-build}
TEEU=$BUILD/teeu
AM=$BUILD/teeu-authmanager
WORKER=$BUILD/teeu-worker
PY=/usr/bin/python3 # Debian's, with python3-numpy (scripts/install-deps)
for b in "$TEEU" "$AM" "$WORKER"; do
	[ -x "$b" ] || { echo "demo: $b is missing: run make demo (it builds first)" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/teeu-demo.XXXXXX)
PIDS=()
cleanup() {
	local rc=$?
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
	if [ "$rc" -ne 0 ]; then
		echo "demo: FAILED (exit $rc). Service logs:" >&2
		tail -n 20 "$WORK"/*.log >&2 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat <<'BANNER'
==============================================================================
 TEEU demo: secure aggregation (SecretFlow's TEEU example)
 SIMULATION MODE - THIS PROTECTS NOTHING. No hardware TEE is used: whoever
 controls this machine could read the arrays inside the TEEU. The protocol,
 the encryption, the policies and the audit log are real; the enclave is not.
==============================================================================
BANNER

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { # wait until something listens on 127.0.0.1:$1 (or the pid $2 exits)
	for _ in $(seq 1 200); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# 1. Each party makes its key pair as SecretFlow's TEEU guide does.
echo "1. key pairs: openssl genrsa -3 3072 for alice, bob and carol"
for p in alice bob carol; do
	openssl genrsa -3 -out "$WORK/$p.key" 3072 2>/dev/null
	openssl rsa -in "$WORK/$p.key" -pubout -out "$WORK/$p.pub" 2>/dev/null
	chmod 600 "$WORK/$p.key"
done

AM_PORT=$(free_port)
W_PORT=$(free_port)
AM_MEAS=$("$AM" --simulation --print-measurement | sed 's/^sim://')
W_MEAS=$("$WORKER" --simulation --print-measurement | sed 's/^sim://')

# 2. One cluster config per party (the shape of sf.init's arguments).
for p in alice bob carol; do
	cat >"$WORK/$p.yaml" <<YAML
# $p's view of the cluster (docs/CONFIG.md)
parties:
  alice: {address: "127.0.0.1:0", public_key: alice.pub}
  bob:   {address: "127.0.0.1:0", public_key: bob.pub}
  carol: {address: "127.0.0.1:$W_PORT", public_key: carol.pub}
self_party: $p
party_key_pair:
  $p: {private_key: $p.key, public_key: $p.pub}
auth_manager_config:
  host: "http://127.0.0.1:$AM_PORT"
  measurement: "$AM_MEAS"
teeu:
  party: carol
  address: "http://127.0.0.1:$W_PORT"
  measurement: "$W_MEAS"
tee_simulation: true
YAML
done

# 3. Carol starts the AuthManager and her TEEU.
echo "2. carol starts the AuthManager (127.0.0.1:$AM_PORT) and the TEEU (127.0.0.1:$W_PORT)"
"$AM" --simulation --no-tls --quiet --listen "127.0.0.1:$AM_PORT" --data-dir "$WORK/am-data" \
	--parties "$WORK/carol.yaml" >"$WORK/authmanager.log" 2>&1 &
PIDS+=($!)
wait_port "$AM_PORT" "${PIDS[0]}" || { echo "demo: the AuthManager did not start" >&2; exit 1; }
"$WORKER" --simulation --no-tls --quiet --listen "127.0.0.1:$W_PORT" --data-dir "$WORK/carol-data" \
	--party carol --party-key "$WORK/carol.key" --auth-manager "http://127.0.0.1:$AM_PORT" \
	--auth-manager-measurement "$AM_MEAS" >"$WORK/worker.log" 2>&1 &
PIDS+=($!)
wait_port "$W_PORT" "${PIDS[1]}" || { echo "demo: the TEEU worker did not start" >&2; exit 1; }

# 4. The plaintext arrays, on alice's and bob's machines.
"$PY" - "$WORK" <<'PY'
import sys, numpy as np
w = sys.argv[1]
rng = np.random.default_rng()
np.save(f"{w}/alice.npy", rng.random((4, 3)))
np.save(f"{w}/bob.npy", rng.random((4, 3)))
PY

ms() { date +%s%N | cut -c1-13; }
T0=$(ms)
echo "3. alice and bob put their arrays: allow_funcs=builtin:mean, recipients alice,bob"
A=$("$TEEU" put --config "$WORK/alice.yaml" "$WORK/alice.npy" --allow-funcs builtin:mean --recipients alice,bob)
B=$("$TEEU" put --config "$WORK/bob.yaml" "$WORK/bob.npy" --allow-funcs builtin:mean --recipients alice,bob)
echo "   alice's object $A, bob's object $B"
echo "4. alice runs np.average([a, b], axis=1) in carol's TEEU: builtin:mean axis=1"
OUT=$("$TEEU" run --config "$WORK/alice.yaml" --quiet builtin:mean --inputs "$A,$B" \
	--recipients alice,bob --param axis=1)
echo "   output object $OUT"
echo "5. alice and bob each fetch and decrypt the result"
"$TEEU" get --config "$WORK/alice.yaml" "$OUT" -o "$WORK/alice-result.npy" 2>/dev/null
"$TEEU" get --config "$WORK/bob.yaml" "$OUT" -o "$WORK/bob-result.npy" 2>/dev/null
T1=$(ms)

# 6. Carol's disk holds ciphertext only: no input's bytes appear there.
"$PY" - "$WORK" <<'PY'
import sys, os, numpy as np
w = sys.argv[1]
blobs = b""
for root, _, files in os.walk(f"{w}/carol-data"):
    for f in files:
        blobs += open(os.path.join(root, f), "rb").read()
for p in ("alice", "bob"):
    data = np.load(f"{w}/{p}.npy").tobytes()
    for i in range(0, len(data) - 8, 8):
        if data[i:i + 8] in blobs:
            sys.exit(f"demo: plaintext of {p}'s array found on carol's disk")
PY

# 7. Both check the result against numpy on the plaintext.
"$PY" - "$WORK" "$((T1 - T0))" <<'PY'
import sys, numpy as np
w, elapsed = sys.argv[1], int(sys.argv[2])
a, b = np.load(f"{w}/alice.npy"), np.load(f"{w}/bob.npy")
want = np.average([a, b], axis=1)
np.set_printoptions(precision=6, suppress=True)
print("alice's array:\n", a, "\nbob's array:\n", b)
print("np.average([a, b], axis=1) on the plaintext:\n", want)
ok = True
for p in ("alice", "bob"):
    got = np.load(f"{w}/{p}-result.npy")
    same = got.shape == want.shape and got.dtype == want.dtype and np.allclose(got, want, rtol=1e-12, atol=0)
    print(f"{p} decrypted from the TEEU:\n", got, "\n  ->", "matches numpy" if same else "MISMATCH")
    ok &= bool(same)
print(f"put x2 + run + get x2: {elapsed} ms (services already running)")
if not ok:
    sys.exit("demo: FAIL: a result differs from numpy's")
print("PASS")
PY
