# local-cluster.sh - a TEEU cluster on loopback, for the demo and the tests.
#
# Sourced by bash scripts (examples/secure_aggregation/demo.sh,
# tests/integration/test_worker.sh). cluster_start BUILD_DIR WORK_DIR
# PARTY... makes a key pair per party the way SecretFlow's TEEU guide does
# (openssl genrsa -3 3072), writes one cluster config per party
# (WORK/PARTY.yaml, docs/CONFIG.md), and starts, in simulation mode with
# plain HTTP on free 127.0.0.1 ports, the AuthManager and a TEEU worker
# hosted by the LAST party named. cluster_stop stops both; callers trap it.
# Sets: TEEU AM WORKER (binaries), AM_PORT W_PORT, AM_MEAS W_MEAS,
# WORKER_DATA (the host's data directory), CLUSTER_PIDS. With CLUSTER_VERBOSE
# set to an option (e.g. --threads=2... or just " "), the daemons log each request.

PY=/usr/bin/python3 # Debian's interpreter, with python3-numpy (scripts/install-deps)
CLUSTER_PIDS=()

cluster_free_port() {
	"$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Wait until something listens on 127.0.0.1:$1, unless process $2 exits.
cluster_wait_port() {
	for _ in $(seq 1 200); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

cluster_start() {
	local build=$1 work=$2 host p
	shift 2
	TEEU=$build/teeu
	AM=$build/teeu-authmanager
	WORKER=$build/teeu-worker
	for p in "$TEEU" "$AM" "$WORKER"; do
		[ -x "$p" ] || { echo "local-cluster: $p is missing (build first)" >&2; return 1; }
	done
	for p in "$@"; do host=$p; done
	for p in "$@"; do
		openssl genrsa -3 -out "$work/$p.key" 3072 2>/dev/null
		openssl rsa -in "$work/$p.key" -pubout -out "$work/$p.pub" 2>/dev/null
		chmod 600 "$work/$p.key"
	done
	AM_PORT=$(cluster_free_port)
	W_PORT=$(cluster_free_port)
	AM_MEAS=$("$AM" --simulation --print-measurement | sed 's/^sim://')
	W_MEAS=$("$WORKER" --simulation --print-measurement | sed 's/^sim://')
	WORKER_DATA=$work/$host-data
	for p in "$@"; do
		{
			echo "# $p's view of the cluster (docs/CONFIG.md)"
			echo "parties:"
			for q in "$@"; do
				echo "  $q: {address: \"127.0.0.1:0\", public_key: $q.pub}"
			done
			echo "self_party: $p"
			echo "party_key_pair:"
			echo "  $p: {private_key: $p.key, public_key: $p.pub}"
			echo "auth_manager_config:"
			echo "  host: \"http://127.0.0.1:$AM_PORT\""
			echo "  measurement: \"$AM_MEAS\""
			echo "teeu:"
			echo "  party: $host"
			echo "  address: \"http://127.0.0.1:$W_PORT\""
			echo "  measurement: \"$W_MEAS\""
			echo "tee_simulation: true"
		} >"$work/$p.yaml"
	done
	"$AM" --simulation --no-tls ${CLUSTER_VERBOSE:---quiet} --listen "127.0.0.1:$AM_PORT" \
		--data-dir "$work/authmanager-data" --parties "$work/$host.yaml" \
		>"$work/authmanager.log" 2>&1 &
	CLUSTER_PIDS+=($!)
	cluster_wait_port "$AM_PORT" "$!" || { echo "local-cluster: the AuthManager did not start" >&2; return 1; }
	"$WORKER" --simulation --no-tls ${CLUSTER_VERBOSE:---quiet} --listen "127.0.0.1:$W_PORT" \
		--data-dir "$WORKER_DATA" --party "$host" --party-key "$work/$host.key" \
		--auth-manager "http://127.0.0.1:$AM_PORT" --auth-manager-measurement "$AM_MEAS" \
		>"$work/worker.log" 2>&1 &
	CLUSTER_PIDS+=($!)
	cluster_wait_port "$W_PORT" "$!" || { echo "local-cluster: the TEEU worker did not start" >&2; return 1; }
}

# Stop both daemons (SIGTERM: a clean shutdown). Returns 1 if either did
# not exit with status 0 (a crash, or a leak reported by AddressSanitizer).
cluster_stop() {
	local pid rc=0
	for pid in "${CLUSTER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${CLUSTER_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || { echo "local-cluster: process $pid exited with status $?" >&2; rc=1; }
	done
	CLUSTER_PIDS=()
	return $rc
}
