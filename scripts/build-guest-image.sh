#!/usr/bin/env bash
# Builds the nimbus-cirros test guest image (docs/guest-image.md) and prints its path and sha256.
#   scripts/build-guest-image.sh [--out DIR] [--force]      (default DIR: dist/guest-image)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/src/compute/guest-image/main.js ] || npx tsc -p tsconfig.json
exec node dist/src/compute/guest-image/main.js "$@"
