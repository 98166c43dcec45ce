#!/usr/bin/env bash
# Replication benchmark: real `hotstandby run` processes on loopback (a, b and a witness, fast-failover profile),
# 100-byte values. Prints acknowledged writes/s and p50/p99 latency at 1, 16 and 64 clients in sync and async mode,
# async lag p99, kill -9 -> first acknowledged write on the new primary (p50/p99 over TRIALS), catch-up rate of a
# standby CATCHUP entries behind, and resident memory of nodes holding that many keys; then runs the Redis peer
# (../shared/peers/redis/run.sh quick) in the same session and prints its SET + WAIT 1 figures beside ours.
# Usage: scripts/bench-replication.sh [SECONDS_PER_POINT] [TRIALS] [CATCHUP]   (defaults 10, 20, 1000000)
#        HS_WARM_UP=S: seconds of 16-client writes on each mode's fresh cluster before its points (default 10)
#        HS_SKIP_REDIS=1 to leave the peer out.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"; trials="${2:-20}"; catchup="${3:-1000000}"
dotnet build src/HotStandby.Host -c Release -v quiet -nologo >/dev/null
host=src/HotStandby.Host/bin/Release/net10.0/hotstandby.dll
out=$(mktemp -d)
echo "machine: $(nproc) cores, $(uname -r); $(date -u +%FT%TZ)"
timeout 3000 dotnet "$host" bench-replication --seconds "$seconds" --warm-up "${HS_WARM_UP:-10}" --trials "$trials" --catch-up "$catchup" | tee "$out/ours.txt"

peer=../shared/peers/redis/run.sh
if [ -n "${HS_SKIP_REDIS:-}" ] || [ ! -x "$peer" ] && [ ! -f "$peer" ]; then
  echo "Redis peer skipped (HS_SKIP_REDIS set or $peer missing)"; exit 0
fi
echo; echo "Redis peer, same session: $peer quick"
timeout 1200 bash "$peer" quick | tee "$out/redis.txt" | grep -E "wbench setwait|sentinel" || true

echo; echo "side by side (100-byte values, loopback, this machine):"
python3 - "$out/ours.txt" "$out/redis.txt" <<'PY'
import re, sys
ours = open(sys.argv[1]).read(); redis = open(sys.argv[2]).read()
def our(mode, c):
    m = re.search(rf"^{mode}\s+clients\s+{c}:\s+(\d+) acknowledged writes/s\s+p50 ([\d.]+) ms\s+p99 ([\d.]+) ms", ours, re.M)
    return (int(m.group(1)), float(m.group(2)), float(m.group(3))) if m else None
def red(policy, c):
    m = re.search(rf"^{policy} wbench setwait c={c} .*?median (\d+) p50_us (\d+) p99_us (\d+)", redis, re.M)
    return (int(m.group(1)), int(m.group(2)) / 1000, int(m.group(3)) / 1000) if m else None
fmt = lambda r: "n/a" if r is None else f"{r[0]:>7} /s  p50 {r[1]:.2f} ms  p99 {r[2]:.2f} ms"
for c in (1, 16, 64):
    print(f"clients {c:>2}  sync (standby fsynced):  {fmt(our('sync', c))}   | Redis SET+WAIT 1, appendfsync always:   {fmt(red('always', c))}")
    print(f"            async (primary fsynced): {fmt(our('async', c))}   | Redis SET+WAIT 1, appendfsync everysec: {fmt(red('everysec', c))}")
PY
