#!/usr/bin/env bash
# Submit N shards of a benchmark as a Slurm array, then the aggregation once they all succeed.
#   bash run.sh [N] [spec]        (from this folder; prints the two job ids)
set -euo pipefail
cd "$(dirname "$0")"
n=${1:-4}
spec=${2:-benchmark.toml}
array=$(sbatch --parsable --array="0-$((n - 1))" shards.sbatch "$spec")
aggregate=$(sbatch --parsable --dependency="afterok:${array}" aggregate.sbatch "$spec")
echo "shards: job ${array} (${n} tasks); aggregate: job ${aggregate}"
