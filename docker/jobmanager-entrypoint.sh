#!/usr/bin/env bash
# Starts the upbot job in application mode, resuming from the newest complete checkpoint or savepoint on
# the checkpoint volume. Without HA, a restarted JobManager would otherwise start the job with empty state
# and rewrite rows from partial totals. Arguments are the job's flags (see flink-job/README.md).
set -euo pipefail
dir="${UPBOT_CHECKPOINT_ROOT:-/opt/flink/checkpoints}"
latest="$(find "$dir" -maxdepth 3 -name _metadata -printf '%T@ %h\n' 2>/dev/null | sort -n | tail -1 | cut -d' ' -f2-)"
restore=()
if [ -n "$latest" ]; then
  echo "upbot: resuming from $latest"
  restore=(--fromSavepoint "$latest")
else
  echo "upbot: no checkpoint under $dir, starting fresh"
fi
exec /docker-entrypoint.sh standalone-job --job-classname io.upbot.job.JobMain "${restore[@]}" "$@"
