#!/usr/bin/env bash
# The demo from a checkout: builds and runs `hotstandby demo` (a local pair and a witness; kill -9, failover, failback).
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run --project src/HotStandby.Host -c Release -- demo
