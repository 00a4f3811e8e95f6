# shellcheck shell=bash
# pg-common.sh: the helpers that pg-backup.sh and pg-restore-drill.sh share. A library, not a program:
# sourcing it only defines functions. It sets no variable, option or trap and runs no command.
#
# Both scripts source it from their own directory, so it must sit next to them. In the cluster the
# one scripts ConfigMap mounts all three files at /scripts.
#
# The sourcing script provides (read when a function runs, not at source time):
#   ME               its name, e.g. pg-backup. Every line it prints starts with "<ME>: ".
#   TOOL_PREFIX_SED  a sed -E script that drops its own tools' prefixes ("pg_dump: error: ") from an
#                    error line; first_error applies it before dropping awscli's.
#   on_exit          the function the EXIT trap runs, which ends with report_failure on a failure.
#   state_dir        a private folder for the steps' output (run_step writes one file per step).
#   BACKUP_PREFIX    the key prefix, <stack>/<database>; its last segment labels the pushed metrics.
#   PUSHGATEWAY_URL  optional; when unset or empty, push_metrics sends nothing.
#   AWS_CLI          optional, the aws executable (default aws); AWS_ENDPOINT_URL, optional.
# and these globals, which the functions write:
#   failure          the one-line reason of a failure; die, config_error and on_signal set it.
#   err_line         the line where an unexpected command failed; the ERR trap sets it.
#   step, step_pid   the step that runs now and its process group; run_step sets and clears them.
#   step_output      what the last step printed (stdout and stderr).
#   step_status      the last step's exit status (128 + the signal's number when a signal ended it).
#   S3CLI            the aws command line with the endpoint flag, for run_step and timeout;
#                    use_s3cli sets it.
#
# Needs: bash >= 4.4 (an empty array expands under set -u), GNU coreutils >= 8.31 (env
# --default-signal, timeout), and curl for push_metrics when PUSHGATEWAY_URL is set.

log() { printf '%s: %s\n' "$ME" "$*" >&2; }
# The EXIT trap prints the reason as the run's one ERROR line.
die() { failure=$*; exit 1; }
config_error() { failure="configuration: $*"; exit 2; }

# The line of a tool's output that says what went wrong: its first "error" line, else its first line. The
# PostgreSQL tools' first "detail:" line follows in parentheses: it holds what the error line lacks, e.g. the
# refused query, or both versions after "aborting because of server version mismatch".
first_error() {
  local line detail
  line=$(printf '%s\n' "$1" | grep -i -m1 'error' || true)
  [[ -n $line ]] || line=$(printf '%s\n' "$1" | grep -m1 . || true)
  line=${line//$'\r'/}
  detail=$(printf '%s\n' "$1" | sed -n -E '/^(pg_dump|pg_restore|psql): detail: /{s///p;q;}')
  # Drop the tool's own prefix, then awscli's "upload failed: <src> to <dst> ".
  printf '%s' "$line" | sed -E -e "$TOOL_PREFIX_SED" -e 's/^(upload|download|copy|delete) failed: [^ ]+( to [^ ]+)? //'
  if [[ -n $detail ]]; then printf ' (%s)' "${detail//$'\r'/}"; fi
}

# Prints why state_dir cannot take a write (e.g. "No space left on device"); returns 1 when it can.
state_dir_unwritable() {
  local out
  # shellcheck disable=SC2154 # state_dir comes from the sourcing script
  if out=$({ printf 'probe\n' >"$state_dir/probe"; } 2>&1); then
    rm -f -- "$state_dir/probe"
    return 1
  fi
  rm -f -- "$state_dir/probe"
  out=${out//$'\n'/ }
  printf '%s' "${out##*: }"
}

# How the last step ended, for a failure it said nothing about.
silent_end() {
  local status=${step_status:-} signal
  # Above 128 only when kill -l names a signal: a tool may exit 255 on its own (awscli does on its errors).
  if [[ $status =~ ^[0-9]+$ ]] && ((status > 128)) && signal=$(kill -l "$status" 2>/dev/null); then
    printf 'it was killed by SIG%s' "$signal"
    if ((status == 137)); then printf " (the kernel's OOM killer sends it when the container reaches its memory limit)"; fi
  elif [[ -n $status ]]; then
    printf 'it exited with status %s and printed nothing' "$status"
  else
    printf 'it printed no error message'
  fi
}

# What to say when a step's recorded result is empty. The steps write their output into state_dir, in TMPDIR;
# when TMPDIR fills up during a run those files stay empty, and some tools still exit 0 (openssl 3 does not
# report that it could not write its result), so a full TMPDIR is named; otherwise this says <otherwise>.
lost_output() { # <otherwise>
  local why
  if why=$(state_dir_unwritable); then
    printf 'its output was lost: TMPDIR=%s cannot take it (%s)' "${TMPDIR:-/tmp}" "$why"
  else
    printf '%s' "$1"
  fi
}

# Call once on_exit is defined and before anything can fail: from then on every exit goes through
# on_exit, and an interrupted run fails with one clear reason instead of a bare signal.
install_traps() {
  trap 'err_line=$LINENO' ERR
  trap on_exit EXIT
  trap 'on_signal TERM' TERM
  trap 'on_signal INT' INT
}

# A pod eviction or a Job deadline sends TERM, and the kubelet kills the pod when the grace period
# ends. Bash runs a trap only once the foreground command has returned, so every long step runs
# through run_step, whose `wait` returns at once; the step is stopped here, and the run ends through
# on_exit with its clean-up, failure metric and ERROR line.
on_signal() { # <signal name>
  failure="interrupted by SIG$1${step:+ during $step}"
  stop_step
  exit 1
}

# Runs one step in the background, in a process group of its own, and waits for it. Its stdout and
# stderr go to step_output. Returns the step's exit status.
run_step() { # <step name> <command> [args...]
  # shellcheck disable=SC2154 # state_dir comes from the sourcing script
  local status=0 output="$state_dir/step.log"
  step=$1
  shift
  set -m # job control, only while forking: the step and its children get their own process group
  "$@" >"$output" 2>&1 &
  step_pid=$!
  set +m
  # stderr: bash's own notice of a job a signal ended ("<pid> Killed ..."); silent_end says it once.
  wait "$step_pid" 2>/dev/null || status=$?
  step_pid=""
  step=""
  step_status=$status
  # shellcheck disable=SC2034 # read by the sourcing script
  step_output=$(<"$output")
  return "$status"
}

# Asks the running step to stop (INT: pg_dump cancels its query, awscli aborts its multipart upload),
# and kills it after STEP_STOP_SECONDS (default 10), so clean-up still fits in the grace period. A
# killed step had no chance to clean up (an upload it started stays open until the bucket's lifecycle
# rule aborts it), so the log says so.
stop_step() {
  local pid=$step_pid watchdog
  [[ -n $pid ]] || return 0
  kill -INT -- "-$pid" 2>/dev/null || true
  # The watchdog gets a process group of its own and is ended with KILL, its sleep included. TERM would reach it
  # while it may still carry this shell's handlers (it is forked inside the TERM trap), and it then ran the
  # script's EXIT trap: a stray "wait_for: No record of process" line, and the clean-up begun a second time.
  set -m
  (
    sleep "${STEP_STOP_SECONDS:-10}"
    if kill -KILL -- "-$pid" 2>/dev/null; then
      log "the $step step did not stop within ${STEP_STOP_SECONDS:-10} s of INT and was killed"
    fi
  ) &
  watchdog=$!
  set +m
  wait "$pid" 2>/dev/null || true
  kill -KILL -- "-$watchdog" 2>/dev/null || true
  wait "$watchdog" 2>/dev/null || true
  step_pid=""
}

# ENOSPC (disk full), EDQUOT (quota) and EFBIG (file size limit) all mean the scratch area cannot take
# the dump. The PostgreSQL tools run with LC_ALL=C, and awscli prints "[Errno 28] <strerror>", so these
# are the C library's untranslated texts.
is_space_error() { # <tool output>
  case $1 in
    *"No space left on device"* | *"Disk quota exceeded"* | *"File too large"*) return 0 ;;
  esac
  return 1
}

require() { # <variable> <how to fix>
  if [[ -z ${!1:-} ]]; then config_error "$1 is not set: $2"; fi
}

require_whole_number() { # <variable> <minimum> <example>
  if ! [[ ${!1} =~ ^[0-9]+$ ]] || ((10#${!1} < $2)); then
    config_error "$1 (\"${!1}\") must be a whole number of at least $2, e.g. $3"
  fi
}

# Keys are built as "$BACKUP_PREFIX/...", so a slash at either end would make an empty path segment.
check_backup_prefix() {
  case $BACKUP_PREFIX in
    /* | */) config_error "BACKUP_PREFIX (\"$BACKUP_PREFIX\") must not start or end with /: use e.g. production/orders" ;;
  esac
}

# Pushgateway label values in a path must be URL-safe; anything else goes in base64url form.
database_label_path() {
  local db=$1
  if [[ $db =~ ^[A-Za-z0-9_.-]+$ ]]; then
    printf 'database/%s' "$db"
  else
    printf 'database@base64/%s' "$(printf '%s' "$db" | base64 -w0 | tr '+/' '-_')"
  fi
}

push_metrics() { # <job> <metrics in the text format>
  local job=$1 body=$2 url shown out prefix=${BACKUP_PREFIX:-unknown}
  if [[ -z ${PUSHGATEWAY_URL:-} ]]; then return 0; fi
  # Labelled by the last segment of the prefix (the platform's database entry name), so the backup
  # and drill series of one database always carry the same label. A configuration error can come
  # before BACKUP_PREFIX is known; that failure is still pushed, as database "unknown".
  url="${PUSHGATEWAY_URL%/}/metrics/job/$job/$(database_label_path "${prefix##*/}")"
  # POST is Pushgateway's push-add: it replaces only the metrics named in the body.
  # A Pushgateway behind basic auth takes its credentials in the URL; the log names it without them.
  shown=$url
  if [[ $url =~ ^([A-Za-z][A-Za-z0-9+.-]*://)[^/]*@(.*)$ ]]; then shown="${BASH_REMATCH[1]}<credentials>@${BASH_REMATCH[2]}"; fi
  if ! out=$(printf '%s' "$body" | curl -fsS --max-time 10 --data-binary @- "$url" 2>&1); then
    log "WARNING: could not push metrics to $shown: $(first_error "$out")"
  fi
}

# For the failure path of on_exit: pushes only <job>_last_failure_timestamp_seconds, so the last
# success's gauges survive, and prints the run's one "<ME>: ERROR: ..." line.
report_failure() { # <job> <exit status>
  local job=$1 status=$2
  push_metrics "$job" "# TYPE ${job}_last_failure_timestamp_seconds gauge
${job}_last_failure_timestamp_seconds $(date -u +%s)
"
  printf '%s: ERROR: %s\n' "$ME" "${failure:-unexpected failure (exit status $status at line ${err_line:-?})}" >&2
}

# The aws command line as an array, so run_step and timeout can run it. The endpoint is passed as a
# flag because awscli before 2.13 ignores AWS_ENDPOINT_URL. INT gets its default action back: bash
# starts background commands with INT ignored, and awscli only cancels (and aborts a multipart
# upload) when INT reaches it.
use_s3cli() {
  S3CLI=(env --default-signal=INT AWS_PAGER= "${AWS_CLI:-aws}")
  if [[ -n ${AWS_ENDPOINT_URL:-} ]]; then S3CLI+=(--endpoint-url "$AWS_ENDPOINT_URL"); fi
}
