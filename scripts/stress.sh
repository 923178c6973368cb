#!/bin/sh
# Run the execution, kill and fault tests N times each (default 20) while a CPU hog occupies
# every core, and print how many runs of each passed. A deadline a test relies on, or a race
# in the pool, shows up here long before it shows up on a quiet machine.
#
#   scripts/stress.sh [runs] [test files…]
#
# The hog is `stress-ng --cpu <cores>` when installed (apt-get install -y stress-ng), else one
# busy shell loop per core. Logs of failed runs: $STRESS_LOGS (default /tmp/themis-stress).
set -u
cd "$(dirname "$0")/.."
RUNS=${1:-20}
[ $# -gt 0 ] && shift
TESTS=${*:-test/execution_test.ts test/kill_test.ts test/fault_schedule_test.ts}
CORES=$(nproc)
LOGS=${STRESS_LOGS:-/tmp/themis-stress}
mkdir -p "$LOGS"

HOGS=""
if command -v stress-ng >/dev/null 2>&1; then
  stress-ng --cpu "$CORES" --quiet &
  HOGS=$!
  HOG="stress-ng --cpu $CORES"
else
  for _ in $(seq "$CORES"); do
    sh -c 'while :; do :; done' &
    HOGS="$HOGS $!"
  done
  HOG="$CORES busy shell loops"
fi
trap 'kill $HOGS 2>/dev/null' EXIT INT TERM

echo "CPU hog: $HOG; $RUNS runs per test; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
# Type-check once up front (each run still checks, as under `deno task test`).
deno check $TESTS >/dev/null 2>&1
for test in $TESTS; do
  passed=0
  for run in $(seq "$RUNS"); do
    log="$LOGS/$(basename "$test" .ts)-$run.log"
    if deno test -A "$test" >"$log" 2>&1; then
      passed=$((passed + 1))
      rm -f "$log"
    else
      echo "  $test run $run failed: $log"
    fi
  done
  echo "$test: $passed/$RUNS passed"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
