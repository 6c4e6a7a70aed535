#!/usr/bin/env bash
# Whole-process benchmark: full `httpserv-codegen generate` on the bundled header against the
# floor (`clang++ -fsyntax-only` of the same translation unit), medians and ratios, plus the
# stage breakdown. Usage: benches/regen.sh [RUNS]. See benches/regen.py (also `scaling`).
set -euo pipefail
exec python3 "$(dirname "$0")/regen.py" floor --runs "${1:-30}"
