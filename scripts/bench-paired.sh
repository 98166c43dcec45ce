#!/usr/bin/env bash
# Paired rounds against the Redis peer: our 16-client point and Redis' SET + WAIT 1 at 16 clients, one after the other
# in each round (the order alternates), each on a fresh cluster / pair, for both targets of the replication benchmark:
#   async (primary fsynced)  vs  appendfsync everysec
#   sync  (standby fsynced)  vs  appendfsync always
# Single figures on a shared VM move by +-20 % from minute to minute; a ratio taken within one round sees the same
# machine on both sides, so the spread of the ratios says what the comparison is worth.
# Usage: scripts/bench-paired.sh [ROUNDS] [SECONDS]   (defaults 6, 10; about 100 s per round)
#        HS_SETTLE=S: idle seconds between the sides (default 5); HS_WARM_UP=S: 16-client writes on our fresh cluster
#        before our point (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-6}"; seconds="${2:-10}"
# shellcheck source=lib/bench-points.sh
source scripts/lib/bench-points.sh
redis_peer_setup || { echo "bench-paired: the Redis peer ($HS_PEER) is not here" >&2; exit 2; }
trap 'stop_pair everysec >/dev/null 2>&1 || true; stop_pair always >/dev/null 2>&1 || true; rm -rf "$PEER_DIR"' EXIT
dotnet build src/HotStandby.Host -c Release -v quiet -nologo >/dev/null
echo "bench-paired: $rounds rounds, $seconds s per side (ours after ${HS_WARM_UP:-10} s of warm-up), 16 clients, 100-byte values; $(nproc) cores; $(date -u +%FT%TZ)"

ours() { our_point "$1" "$seconds" "${HS_WARM_UP:-10}"; } # mode -> "writes/s p99 | cpu"
redis() { redis_point "$1" "$seconds"; }                 # policy -> "ops/s p99_us cpu"

# What one side leaves behind (dirty pages, deleted files, processes ending) must not land in the other's measurement.
settle() { sync; sleep "${HS_SETTLE:-5}"; }

results=$(mktemp)
for round in $(seq 1 "$rounds"); do
  for target in "async everysec" "sync always"; do
    set -- $target
    if [ $((round % 2)) = 1 ]; then o=$(ours "$1"); settle; r=$(redis "$2"); else r=$(redis "$2"); settle; o=$(ours "$1"); fi
    settle
    read -r on op99 _ <<<"${o:-0 0}"; read -r rn rp99 _ <<<"${r:-0 0}"
    echo "round $round  $1 ${on} /s (p99 ${op99} ms)  |  Redis $2 ${rn} /s (p99 $(awk "BEGIN{printf \"%.2f\", $rp99/1000}") ms)  |  ratio $(awk "BEGIN{printf \"%.3f\", $on/($rn>0?$rn:1)}")"
    echo "$1 $on $rn" >> "$results"
  done
done
echo
awk '{ r = $3 > 0 ? $2 / $3 : 0; n[$1]++; s[$1] += r; o[$1] += $2; p[$1] += $3; if (r >= 1) won[$1]++;
       if (!($1 in lo) || r < lo[$1]) lo[$1] = r; if (r > hi[$1]) hi[$1] = r }
     END { for (m in n) printf "%-5s ours/Redis over %d rounds: mean %.3f (min %.3f, max %.3f), ours >= Redis in %d; means %.0f vs %.0f /s\n",
           m, n[m], s[m] / n[m], lo[m], hi[m], won[m] + 0, o[m] / n[m], p[m] / n[m] }' "$results"
rm -f "$results"
