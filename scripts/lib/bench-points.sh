# Sourced by bench-ab.sh, bench-paired.sh and bench-datapath.sh (from the repository root): one way to take our
# 16-client point and Redis' SET + WAIT 1 point, so that the scripts cannot read the same output differently.

HS_HOST_DLL=src/HotStandby.Host/bin/Release/net10.0/hotstandby.dll
HS_PEER=../shared/peers/redis

# CPU ticks (user + system) a process has used so far.
proc_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# our_point MODE SECONDS WARM_UP [VAR=VALUE ...] -> "writes/s p99_ms | CPU per write line" ("0 0 | no CPU line" when the
# point gave no figure). Our trio on a fresh cluster; the variables go to the bench and the nodes it starts.
our_point() {
  local mode=$1 seconds=$2 warm_up=$3 out line cpu
  shift 3
  out=$(env "$@" timeout 300 dotnet "$HS_HOST_DLL" bench-replication --modes "$mode" --clients 16 --seconds "$seconds" \
    --warm-up "$warm_up" --trials 0 --catch-up 0 --points-only)
  line=$(sed -n "s/^$mode \+clients 16: \+\([0-9]\+\) acknowledged writes\/s \+p50 [0-9.]\+ ms \+p99 \([0-9.]\+\) ms.*/\1 \2/p" <<<"$out")
  cpu=$(sed -n 's/^ *CPU per acknowledged write: //p' <<<"$out" | tail -1)
  echo "${line:-0 0} | ${cpu:-no CPU line}"
}

# redis_peer_setup: installs Redis and gcc when missing, sources the peer's helpers and builds its client in a fresh
# PEER_DIR. Returns 1 (and does nothing) when the peer is not beside this repository.
redis_peer_setup() {
  [ -f "$HS_PEER/lib.sh" ] && [ -f "$HS_PEER/wbench.c" ] || return 1
  command -v redis-server >/dev/null && command -v gcc >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools gcc >/dev/null; }
  export PEER_DIR; PEER_DIR=$(mktemp -d)
  # shellcheck source=/dev/null
  source "$HS_PEER/lib.sh"
  gcc -O2 -pthread -o "$PEER_DIR/wbench" "$HS_PEER/wbench.c"
}

# redis_point POLICY SECONDS -> "ops/s p99_us primary_CPU_us_per_write": a fresh primary + replica with appendfsync
# POLICY, 16 clients of the peer's wbench (after its 2 s of warm-up, whose CPU is counted at the same rate).
redis_point() {
  local policy=$1 seconds=$2 pid t0 t1 out n p99
  # The peer's helpers end on tests that may be false and read optional arguments: outside errexit and nounset.
  set +u; start_pair "$policy" >/dev/null || true; set -u
  pid=$(cat "$PEER_DIR/data/$policy/p7001/redis.pid")
  t0=$(proc_ticks "$pid")
  out=$(timeout 120 "$PEER_DIR/wbench" 7001 setwait 16 "$seconds" 100 2)
  t1=$(proc_ticks "$pid")
  set +u; stop_pair "$policy" >/dev/null 2>&1 || true; set -u
  n=$(sed -n 's/.*ops_per_s=\([0-9]*\).*/\1/p' <<<"$out"); p99=$(sed -n 's/.*p99_us=\([0-9.]*\).*/\1/p' <<<"$out")
  echo "${n:-0} ${p99:-0} $(( ${n:-0} > 0 ? (t1 - t0) * 1000000 / $(getconf CLK_TCK) / (n * (seconds + 2)) : 0 ))"
}
