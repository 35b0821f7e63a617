#!/bin/sh
# Makes sure the temporal CLI is in the Fanfare cache (building it with Go if absent) and prints its path.
set -eu
cd "$(dirname "$0")/.."
exec node bin/fanfare.js temporal-cli
