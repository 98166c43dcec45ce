#!/usr/bin/env bash
# Example role hook: move a virtual IP with the primary role. Wire it up with
#   hotstandby.hooks { on-promote = "/opt/hotstandby/hooks/move-vip.sh", on-demote = "/opt/hotstandby/hooks/move-vip.sh" }
# The node passes HOTSTANDBY_NODE_ID, HOTSTANDBY_HOOK, HOTSTANDBY_FROM_ROLE, HOTSTANDBY_TO_ROLE, HOTSTANDBY_EPOCH and
# HOTSTANDBY_REASON. A non-zero exit (or a timeout) of on-promote fences the node, so that the standby takes over.
set -euo pipefail
VIP="${VIP:-192.0.2.10/24}"
DEV="${DEV:-eth0}"
case "$HOTSTANDBY_HOOK" in
  on-promote)
    ip addr add "$VIP" dev "$DEV" 2>/dev/null || ip addr show dev "$DEV" | grep -q "${VIP%/*}"
    arping -c 3 -U -I "$DEV" "${VIP%/*}" >/dev/null 2>&1 || true   # tell the switch where the address lives now
    ;;
  on-demote|on-fault)
    ip addr del "$VIP" dev "$DEV" 2>/dev/null || true
    ;;
esac
logger -t hotstandby "$HOTSTANDBY_NODE_ID $HOTSTANDBY_FROM_ROLE -> $HOTSTANDBY_TO_ROLE epoch $HOTSTANDBY_EPOCH: $HOTSTANDBY_REASON"
