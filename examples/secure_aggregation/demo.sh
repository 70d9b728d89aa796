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
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../scripts/local-cluster.sh" # cluster_start / cluster_stop

WORK=$(mktemp -d /tmp/teeu-demo.XXXXXX)
cleanup() {
	local rc=$?
	cluster_stop || rc=1
	if [ "$rc" -ne 0 ]; then
		echo "demo: FAILED (exit $rc). Service logs:" >&2
		tail -n 20 "$WORK"/*.log >&2 2>/dev/null || true
	fi
	rm -rf "$WORK"
	exit $rc
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

# 1-3. Key pairs as SecretFlow's guide makes them (openssl genrsa -3 3072),
# one cluster config per party (the shape of sf.init's arguments), and
# carol's services: the AuthManager and her TEEU (scripts/local-cluster.sh).
echo "1. key pairs (openssl genrsa -3 3072) and cluster configs for alice, bob, carol"
echo "2. carol starts the AuthManager and her TEEU worker (simulation, loopback)"
cluster_start "$BUILD" "$WORK" alice bob carol
echo "   AuthManager 127.0.0.1:$AM_PORT (sim:${AM_MEAS:0:16}...), TEEU 127.0.0.1:$W_PORT (sim:${W_MEAS:0:16}...)"

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
"$PY" - "$WORK" "$WORKER_DATA" <<'PY'
import sys, os, numpy as np
w = sys.argv[1]
blobs = b""
for root, _, files in os.walk(f"{sys.argv[2]}"):
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
