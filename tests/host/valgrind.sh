#!/usr/bin/env bash
# Runs every test binary of httpserv-host-tests under valgrind memcheck: no invalid reads or
# writes, no uninitialised values, no leaks (the one suppression is std's test harness, see
# valgrind.supp). The stress tests run HOST_STRESS_REQUESTS (raw test module) and
# HOST_STRESS_EXAMPLE_REQUESTS (example DLLs) requests instead of 100,000. The example module
# cdylibs the tests dlopen are built (not under valgrind) by the tests themselves (src/dylib.rs)
# and run under memcheck with the rest of the process.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed" >&2; exit 1; }

binaries=$(cargo test -p httpserv-host-tests --no-run --message-format=json 2>/dev/null |
  grep -o '"executable":"[^"]*"' | sed 's/^"executable":"//; s/"$//')
[ -n "$binaries" ] || { echo "valgrind.sh: no test binaries built" >&2; exit 1; }

export HOST_STRESS_REQUESTS="${HOST_STRESS_REQUESTS:-4000}"
export HOST_STRESS_EXAMPLE_REQUESTS="${HOST_STRESS_EXAMPLE_REQUESTS:-1000}"
status=0
for exe in $binaries; do
  echo "valgrind: $(basename "$exe")"
  if ! valgrind -q --error-exitcode=1 --leak-check=full --show-leak-kinds=definite,indirect,possible \
      --errors-for-leak-kinds=definite,indirect,possible --track-origins=yes \
      --suppressions=tests/host/valgrind.supp "$exe" -q; then
    echo "valgrind: $(basename "$exe") FAILED" >&2
    status=1
  fi
done
exit $status
