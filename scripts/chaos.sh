#!/usr/bin/env bash
# Chaos run: a, b and the witness as real `hotstandby run` processes, each in its own network namespace, under a seeded
# schedule of kill -9, SIGSTOP, partitions (also one-way), packet loss, rate limits and witness outages, with writers and
# readers recording every operation; then a checker proves nothing acknowledged was lost, there was never a second
# primary, nothing was discarded silently, reads never went back and writes recovered in time.
# Usage: scripts/chaos.sh [--minutes N | --seconds N] [--seed S|random] [--out DIR] [--mode sync|async] [--no-netns] …
# Needs root for the namespaces (iproute2, iptables); without them only process faults run, and it says so.
# Exit 0: every check passed; 1: a violation (the report names it; the run directory holds everything to replay it).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && ! command -v iptables >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  echo "chaos.sh: installing iptables (apt-get)" >&2
  (apt-get install -y -qq iptables >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq iptables >/dev/null 2>&1; }) \
    || echo "chaos.sh: could not install iptables; network faults will be skipped" >&2
fi
dotnet build tools/HotStandby.Chaos -c Release -v quiet -nologo >/dev/null
tag=$(printf '%04x' $((RANDOM % 65536)))
tool=tools/HotStandby.Chaos/bin/Release/net10.0/hotstandby-chaos.dll
cleanup() {
  # The tool cleans up after itself, also on SIGINT/SIGTERM; this catches what a killed tool left behind.
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^hsc${tag}" || true); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  ip link del "hsc${tag}h" 2>/dev/null || true
}
trap cleanup EXIT
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 130' INT TERM
# Background jobs of a script ignore SIGINT, so the trap forwards SIGTERM, which the tool handles.
dotnet "$tool" --tag "$tag" "$@" &
child=$!
wait "$child"
