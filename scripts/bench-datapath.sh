#!/usr/bin/env bash
# Where the primary's time goes, by shape: the same 16-client PUT load (the bench's own client, 100-byte values) against
# four small servers of tools/DataPathProbe and against our trio, in rotating order, ROUNDS times:
#   loop            one thread, epoll, every ready request appended, one fsync per batch, then the answers (Redis' shape)
#   kestrel-store   Kestrel as the node sets it up, each PUT handed to a store thread that appends, fsyncs once per
#                   drained queue and answers (the node's shape without Akka and replication)
#   kestrel-inline  Kestrel answering at once, no log (what Kestrel alone costs)
#   loop-nofsync    the loop without its fsync
#   ours            our trio in async mode (bench-replication's point: primary, standby and witness, Akka, replication)
#   redis           the Redis peer's primary + replica, SET + WAIT 1 with appendfsync everysec, its own client (wbench),
#                   when ../shared/peers/redis is here: the async target, measured in the same minutes
# Prints writes/s, p99, and CPU per write of the server (for ours: each node, after 10 s of warm-up) and of the client.
# Usage: scripts/bench-datapath.sh [ROUNDS] [SECONDS] [DIR]   (defaults 2, 10, /tmp; DIR holds the probe's log file)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-2}"; seconds="${2:-10}"; dir="${3:-/tmp}"
[[ "$rounds" =~ ^[1-9][0-9]*$ && "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "bench-datapath: ROUNDS and SECONDS must be positive numbers" >&2; exit 2; }
[ -d "$dir" ] && [ -w "$dir" ] || { echo "bench-datapath: $dir is not a writable directory" >&2; exit 2; }
# shellcheck source=lib/bench-points.sh
source scripts/lib/bench-points.sh
if redis_peer_setup; then with_redis=1; else
  echo "bench-datapath: the Redis peer ($HS_PEER) is not here; its row is left out"
  with_redis=0
fi
dotnet build tools/DataPathProbe -c Release -v quiet -nologo >/dev/null
dotnet build src/HotStandby.Host -c Release -v quiet -nologo >/dev/null
probe=tools/DataPathProbe/bin/Release/net10.0/datapath-probe.dll
port=$((20000 + RANDOM % 10000))
# The node's socket settings (HotStandby.Host sets the same at start), so the Kestrel shapes run as the node does;
# for the probe's server only: the bench's own processes must not inherit them.
probe_env=(DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT=1 DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=20)
server=""
trap '[ -n "$server" ] && kill -9 "$server" 2>/dev/null; rm -f "$dir/.datapath-probe.$$".*
      [ "$with_redis" = 1 ] && { stop_pair everysec >/dev/null 2>&1; rm -rf "$PEER_DIR"; }; true' EXIT
echo "bench-datapath: $rounds rounds, 16 clients, $seconds s per point after 5 s of warm-up, log in $dir; $(nproc) cores; $(date -u +%FT%TZ)"

probe_point() { # mode
  local out="$dir/.datapath-probe.$$.out" t0 t1 line n
  env "${probe_env[@]}" dotnet "$probe" serve "$1" "$port" "$dir/.datapath-probe.$$.log" > "$out" 2>&1 & server=$!
  for _ in $(seq 1 100); do grep -q "^datapath-probe:" "$out" && break; sleep 0.1; done
  dotnet "$probe" load "http://127.0.0.1:$port" 16 5 >/dev/null
  t0=$(proc_ticks "$server")
  line=$(dotnet "$probe" load "http://127.0.0.1:$port" 16 "$seconds")
  t1=$(proc_ticks "$server")
  kill -9 "$server"; wait "$server" 2>/dev/null || true; server=""; rm -f "$out" "$dir/.datapath-probe.$$.log"
  n=$(sed -n 's/^load: \([0-9]*\) acknowledged.*/\1/p' <<<"$line")
  printf '%-15s %6s writes/s  p99 %5s ms  server %3s us  client %3s us per write\n' "$1" \
    "$(sed -n 's/.* \([0-9]*\) writes\/s.*/\1/p' <<<"$line")" "$(sed -n 's/.*p99 \([0-9.]*\) ms.*/\1/p' <<<"$line")" \
    "$(( n > 0 ? (t1 - t0) * 1000000 / $(getconf CLK_TCK) / n : 0 ))" "$(sed -n 's/.*client CPU \([0-9]*\) us.*/\1/p' <<<"$line")"
}

ours_row() {
  local point n p99
  point=$(our_point async "$seconds" 10)
  read -r n p99 _ <<<"$point"
  printf '%-15s %6s writes/s  p99 %5s ms  %s\n' ours "$n" "$p99" "${point#*| }"
}

redis_row() {
  local n p99 cpu
  read -r n p99 cpu <<<"$(redis_point everysec "$seconds")"
  printf '%-15s %6s writes/s  p99 %5s ms  primary ~%2s us per write (SET + WAIT 1, everysec)\n' redis "$n" \
    "$(awk "BEGIN{printf \"%.2f\", $p99 / 1000}")" "$cpu"
}

modes=(loop kestrel-store kestrel-inline loop-nofsync ours)
[ "$with_redis" = 1 ] && modes+=(redis)
for round in $(seq 1 "$rounds"); do
  echo "round $round"
  for i in "${!modes[@]}"; do
    mode=${modes[$(( (i + round - 1) % ${#modes[@]} ))]}
    sync; sleep 5 # the last point's dirty pages and deleted files must not land in this one
    case $mode in ours) ours_row ;; redis) redis_row ;; *) probe_point "$mode" ;; esac
  done
done
