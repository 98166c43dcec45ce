#!/usr/bin/env bash
# A/B of one setting: our 16-client point on a fresh cluster for each side, the sides alternating (A B, B A, A B, ...)
# so that each pair sees the same machine and neither side always goes first. This is how the "tried" figures in
# docs/performance.md are measured; on a shared 2-core VM a single point moves by +-20 %, so read the pairs, not one run.
# Calibration: an A/A run (both sides the same, 3 pairs) gave means of 28.5k and 26.2k writes/s with one side ahead
# in all 3 pairs, so a difference under ~10 % over 3 pairs is noise; run more pairs for less.
# A side is "ENV|HOCON": environment variables for the run (the nodes inherit them, and so does the bench's client
# process) and HOCON added to every node (HS_BENCH_EXTRA). Examples:
#   scripts/bench-ab.sh 3 async "DOTNET_HillClimbing_Disable=1|" "|"
#   scripts/bench-ab.sh 3 async "|hotstandby.replication.async-batch-delay = 5ms" "|"
# Usage: scripts/bench-ab.sh PAIRS MODE SIDE_A SIDE_B   (PAIRS: how many A/B pairs, 3 or more to read; MODE: async or sync)
#        HS_WARM_UP=S: 16-client writes on each fresh cluster before its point (default 10); HS_SECONDS=S per point (15);
#        HS_SETTLE=S: idle seconds before each point (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 4 ] || { echo "usage: scripts/bench-ab.sh PAIRS MODE 'ENV|HOCON' 'ENV|HOCON'" >&2; exit 2; }
pairs=$1; mode=$2; sides=("$3" "$4")
[[ "$pairs" =~ ^[1-9][0-9]*$ ]] || { echo "bench-ab: PAIRS must be a positive number, not '$pairs'" >&2; exit 2; }
[[ "$mode" = async || "$mode" = sync ]] || { echo "bench-ab: MODE must be async or sync, not '$mode'" >&2; exit 2; }
# shellcheck source=lib/bench-points.sh
source scripts/lib/bench-points.sh
dotnet build src/HotStandby.Host -c Release -v quiet -nologo >/dev/null
results=$(mktemp); trap 'rm -f "$results"' EXIT
echo "bench-ab: $pairs pairs, $mode, 16 clients, ${HS_SECONDS:-15} s per point after ${HS_WARM_UP:-10} s of warm-up; $(nproc) cores; $(date -u +%FT%TZ)"
echo "  A = ${sides[0]}"
echo "  B = ${sides[1]}"

point() { # side index -> "writes/s p99 | cpu line"
  local spec=${sides[$1]} envs hocon
  envs=${spec%%|*}; hocon=${spec#*|}; [ "$spec" = "${spec#*|}" ] && hocon=""
  # shellcheck disable=SC2086 # the side's variables are words on purpose
  our_point "$mode" "${HS_SECONDS:-15}" "${HS_WARM_UP:-10}" $envs HS_BENCH_EXTRA="$hocon"
}

for pair in $(seq 1 "$pairs"); do
  if [ $((pair % 2)) = 1 ]; then order=(0 1); else order=(1 0); fi
  for i in "${order[@]}"; do
    sync; sleep "${HS_SETTLE:-5}" # the last cluster's dirty pages and exiting processes must not land in this point
    r=$(point "$i"); label=$([ "$i" = 0 ] && echo A || echo B)
    read -r n p99 _ <<<"$r"
    echo "pair $pair  $label  $n writes/s  p99 $p99 ms  | CPU per write: ${r#*| }"
    echo "$pair $label $n ${order[0]}" >> "$results"
  done
done
awk '{ n[$2] += $3; c[$2]++; v[$1, $2] = $3; first[$1] = ($4 == 0 ? "A" : "B") }
     END {
       for (p = 1; (p, "A") in v; p++) { w = v[p, "A"] >= v[p, "B"] ? "A" : "B"; won[w]++; if (w == first[p]) firstwon++ }
       printf "A: mean %.0f writes/s, ahead in %d of %d pairs\nB: mean %.0f writes/s, ahead in %d\n", n["A"] / c["A"], won["A"] + 0, p - 1, n["B"] / c["B"], won["B"] + 0
       printf "the side that went first was ahead in %d of %d pairs (an order effect shows here)\n", firstwon + 0, p - 1 }' "$results"
