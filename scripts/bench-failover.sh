#!/usr/bin/env bash
# Failover benchmark: real `hotstandby run` processes on loopback (a, b and a witness), kill -9 of whichever node is
# primary, time until the standby's GET /status says "primary" (and until it holds its lease and may serve writes).
# Prints p50/p99/max per profile. Usage: scripts/bench-failover.sh [TRIALS]   (default 20 per profile)
set -euo pipefail
cd "$(dirname "$0")/.."
trials="${1:-20}"
dotnet build src/HotStandby.Host -c Release -v quiet -nologo >/dev/null
host=src/HotStandby.Host/bin/Release/net10.0/hotstandby.dll
echo "machine: $(nproc) cores, $(uname -r); $(date -u +%FT%TZ)"
for profile in fast default; do
  timeout 900 dotnet "$host" bench-failover --profile "$profile" --trials "$trials"
done
