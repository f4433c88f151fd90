#!/bin/bash
# Submits a pae-cli batch to Slurm: an array of N shards, then batch-report after it.
#   packaging/slurm/submit.sh MANIFEST OUT_DIR N [TASKS] [-- more sbatch options]
# TASKS (default 0-(N-1)) resubmits some shards only, e.g. "1" or "0,2": finished items
# are skipped either way. Each task asks for a GPU (--gres=gpu:1) when the partition
# ($PAE_PARTITION, else the default one) has GPUs. Prints the two job ids.
set -euo pipefail
if [ $# -lt 3 ]; then
  sed -n '2,7p' "$0" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
manifest=$(realpath "$1")
out=$(realpath -m "$2")
shards=$3
shift 3
tasks="0-$((shards - 1))"
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
  tasks=$1
  shift
fi
[ "${1:-}" = "--" ] && shift
[ -f "$manifest" ] || { echo "submit.sh: $manifest: no such manifest" >&2; exit 2; }
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || { echo "submit.sh: N must be a positive integer, not '$shards'" >&2; exit 2; }

partition=${PAE_PARTITION:-}
extra=()
if [ -n "$partition" ]; then
  extra+=(--partition="$partition")
  gres=$(sinfo -h -p "$partition" -o %G)
else
  gres=$(sinfo -h -o '%P %G' | awk '$1 ~ /\*$/ {print $2}')
fi
if grep -q 'gpu' <<<"$gres"; then
  extra+=(--gres=gpu:1)
fi

mkdir -p "$out/logs"
export PAE_MANIFEST=$manifest PAE_OUT=$out PAE_SHARDS=$shards
array=$(sbatch --parsable --export=ALL --array="$tasks" --output="$out/logs/pae-batch-%A_%a.out" \
  "${extra[@]}" "$@" "$here/pae-batch.sbatch")
array=${array%%;*}
report=$(sbatch --parsable --export=ALL --dependency="afterany:$array" --kill-on-invalid-dep=yes \
  --output="$out/logs/pae-batch-report-%j.out" ${partition:+--partition="$partition"} "$here/pae-batch-report.sbatch")
report=${report%%;*}
echo "array job $array (tasks $tasks of $shards${extra[*]:+, ${extra[*]}}), report job $report"
echo "watch: squeue -j $array,$report; tail -f $out/logs/pae-batch-${array}_*.out"
echo "$array $report" >"$out/logs/last-submission"
