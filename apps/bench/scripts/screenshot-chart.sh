#!/bin/sh
# Renders a bench chart to PNG with headless Chromium, to check that it renders.
#
#   sh apps/bench/scripts/screenshot-chart.sh [chart.svg] [out.png]
#
# Defaults: bench-results/chart.svg (relative to where you run it), PNG next to it.
# Needs Debian's chromium: apt-get update && apt-get install -y chromium
set -eu
base=${INIT_CWD:-$PWD}
svg=${1:-bench-results/chart.svg}
case $svg in /*) ;; *) svg=$base/$svg ;; esac
[ -f "$svg" ] || { echo "screenshot-chart: no chart at $svg (run npm run bench first)" >&2; exit 1; }
png=${2:-${svg%.svg}.png}
# The window takes the SVG's own size, read from its root element.
size=$(sed -n 's/^<svg [^>]*width="\([0-9]*\)" height="\([0-9]*\)".*/\1,\2/p' "$svg" | head -n 1)
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --hide-scrollbars \
  --screenshot="$png" --window-size="${size:-1440,420}" "file://$svg" 2>/dev/null
echo "$png"
