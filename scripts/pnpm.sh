#!/bin/sh
# Runs the pinned pnpm (12.4.2), installing it into ./.tools on first use.
# Only Node 20 + npm are needed on the machine; corepack is not used (it fails on some hosts).
set -e
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
bin="$root/.tools/node_modules/.bin"
if [ ! -x "$bin/pnpm" ] || [ "$("$bin/pnpm" --version 2>/dev/null)" != "12.4.2" ]; then
  npm install --prefix "$root/.tools" --no-save --no-audit --no-fund --loglevel=error pnpm@12.4.2 >&2
fi
export PATH="$bin:$PATH"
export TURBO_TELEMETRY_DISABLED=1
export DO_NOT_TRACK=1
exec pnpm "$@"
