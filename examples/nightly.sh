#!/usr/bin/env bash
# Nightly transcription of one day's recordings, for cron:
#
#   15 2 * * *  /opt/medscribe/examples/nightly.sh /srv/recordings/$(date -d yesterday +\%F) >>/var/log/medscribe-nightly.log 2>&1
#
# Arguments: INPUT_DIR [OUTPUT_DIR] [extra medscribe transcribe options...]
# Environment: MEDSCRIBE_PROFILE picks the config profile (e.g. "aws"; see
# examples/config.toml); CONCURRENCY (default 4); MEDSCRIBE (the medscribe binary).
#
# A rerun after a crash or a reboot is safe: the manifest in OUTPUT_DIR makes
# medscribe attach to the jobs it already started and skip finished files
# (counted as "skipped" in the summary).
# Exit status: 0 all transcribed, 1 some files failed (the others went through),
# 2 nothing was started (bad option, or every input refused), 130 interrupted
# (SIGINT or SIGTERM; rerun to resume).
set -euo pipefail
# Transcripts, summaries and file names are patient data: everything this script
# creates is for its owner only (folders 0700, files 0600), whatever cron's umask.
umask 077

usage() { echo "usage: $0 INPUT_DIR [OUTPUT_DIR] [medscribe options...]" >&2; exit 2; }
[[ $# -ge 1 ]] || usage
input_dir=$1; shift
[[ -d $input_dir ]] || { echo "nightly: $input_dir is not a directory" >&2; exit 2; }
output_dir=$input_dir/transcripts
if [[ $# -ge 1 && $1 != -* ]]; then output_dir=$1; shift; fi
medscribe=${MEDSCRIBE:-medscribe}
concurrency=${CONCURRENCY:-4}
summary="$output_dir/summary-$(date +%Y%m%dT%H%M%S).json"
mkdir -p -m 700 "$output_dir"  # an existing folder keeps its mode: the user chose it

status=0
# stdin from /dev/null: medscribe never prompts when it is not a terminal anyway.
"$medscribe" transcribe "$input_dir" \
    --output-dir "$output_dir" \
    --format json,text \
    --concurrency "$concurrency" \
    --json "$@" </dev/null >"$summary" || status=$?

case $status in
  0) echo "nightly: all files transcribed; summary in $summary" ;;
  1) echo "nightly: some files FAILED; see failure_reason in $summary" >&2 ;;
  2) echo "nightly: nothing started: usage error, or no input was readable audio" >&2 ;;
  130) echo "nightly: interrupted; rerun this script to resume" >&2 ;;
  *) echo "nightly: medscribe exited with status $status" >&2 ;;
esac
if command -v python3 >/dev/null && [[ -s $summary ]]; then
  # One line for the log: counts only, never transcript content.
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("nightly: %d succeeded, %d skipped, %d failed" % (d["succeeded"], d.get("skipped", 0), d["failed"]))' "$summary" || true
fi
exit "$status"
