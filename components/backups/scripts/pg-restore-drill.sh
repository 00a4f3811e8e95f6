#!/usr/bin/env bash
# pg-restore-drill.sh: prove that the newest backup under BACKUP_PREFIX restores.
#
# The steps:
#   1. Find the newest backup by key: <prefix>/<YYYY>/<MM>/<DD>/<db>-<timestamp>-<8 hex>.dump,
#      leaving out the manifests and any dump that has no manifest (yet).
#   2. Download it and its manifest. The object's sha256 and size must match the manifest's.
#   3. Create a scratch database, restore_drill_<UTC timestamp>_<8 hex>, and run
#      pg_restore --exit-on-error --no-owner --no-privileges into it.
#   4. Check that every table in DRILL_TABLES exists and has at least DRILL_MIN_ROWS rows.
#   5. Drop the scratch database. The EXIT trap does this, so it happens whatever failed.
# The script only reads from S3; it never writes to the bucket.
#
# Environment (the only configuration):
#   PGHOST, PGPORT, PGUSER   the drill server, where the scratch database is created. The role
#                            needs CREATEDB.
#   PGPASSWORD or PGPASSFILE libpq credentials; no tool prompts.
#   PGDATABASE               the database used for CREATE and DROP DATABASE, default postgres.
#   BACKUP_BUCKET            required. The bucket name, without s3://.
#   BACKUP_PREFIX            required. The key prefix that pg-backup.sh used, e.g. production/orders.
#   DRILL_TABLES             required. Comma-separated schema.table names, e.g.
#                            public.customers,public.orders. Names are matched exactly, including
#                            case, as they appear in pg_catalog.
#   DRILL_MIN_ROWS           the fewest rows each of those tables may have, default 1.
#   AWS_ENDPOINT_URL         optional S3 endpoint (tests), passed as --endpoint-url.
#   SCRATCH_DIR              local work area, default /scratch; it must hold one copy of the dump.
#   TMPDIR                   where the script keeps its steps' output, default /tmp (a few KiB).
#                            A TMPDIR that cannot take a write fails the run at its start; one that
#                            fills up later fails the step whose output was lost, naming TMPDIR.
#   AWS_CLI                  the aws executable, default aws.
#   STEP_STOP_SECONDS        how long an interrupted step may take to stop before it is killed,
#                            default 10.
#   PUSHGATEWAY_URL          optional. Metrics are POSTed (push-add) to
#                            <url>/metrics/job/pg_restore_drill/database/<last segment of BACKUP_PREFIX>.
#                            Prefixes are <stack>/<database>, so this is the same `database` label
#                            that pg-backup.sh pushes. On success it pushes
#                            pg_restore_drill_last_success_timestamp_seconds,
#                            pg_restore_drill_duration_seconds (the whole drill) and
#                            pg_restore_drill_restore_duration_seconds (download, checksum,
#                            CREATE DATABASE and pg_restore: what a real restore of this backup
#                            takes, compared with the stack's recovery time objective), and
#                            pg_restore_drill_last_failure_timestamp_seconds on failure.
#
# --no-privileges: a drill server seldom has the production roles, and with --exit-on-error a
# GRANT to a missing role would abort the restore. The drill proves the data, not the ACLs.
#
# Signals: TERM or INT stops the running step (download, pg_restore, psql), drops the scratch database
# and fails the run with "interrupted by SIGTERM during <step>".
#
# Exit status: 0 when the drill passed and the scratch database is dropped, 1 on any failure (an
# interruption included), 2 for a configuration error. A failure ends with exactly one line
# "pg-restore-drill: ERROR: <cause>".
# Needs: pg-common.sh in the same directory, bash >= 4.4, GNU coreutils, psql and pg_restore (same
# major as the dump or newer), awscli v2, openssl, and curl (only when PUSHGATEWAY_URL is set).

set -Eeuo pipefail

readonly ME=pg-restore-drill
readonly TOOL_PREFIX_SED='s/^(psql|pg_restore|mktemp|openssl)(:[^:]*:[0-9]+)?: (error: |ERROR: +)?//;s/^ERROR: +//'
common="$(dirname "${BASH_SOURCE[0]}")/pg-common.sh"  # the same ConfigMap mounts both at /scripts
[[ -r $common ]] || { printf '%s: ERROR: configuration: %s is missing: deploy it next to this script\n' "$ME" "$common" >&2; exit 2; }
# shellcheck source-path=SCRIPTDIR source=pg-common.sh
source "$common"

failure=""
err_line=""
step="" step_pid="" step_output="" step_status=""
work=""
state_dir=""
scratch_db=""
passed=false
restore_seconds=""

# die with "<step> failed: <tool's error>". With "scratch", the step writes to SCRATCH_DIR, and a full disk
# is said as "scratch area full: ..." (the drill server's own volume filling up is another matter). A tool
# that said nothing is named by step_status: a caller that ran it in a command substitution sets it first.
fail_step() { # <step> <tool output> [scratch]
  if [[ -z $2 ]]; then die "$1 failed: $(lost_output "$(silent_end)")"; fi
  printf '%s\n' "$2" >&2
  if [[ ${3:-} == scratch ]] && is_space_error "$2"; then
    die "scratch area full: $1: $(first_error "$2") (SCRATCH_DIR=$SCRATCH_DIR)"
  fi
  die "$1 failed: $(first_error "$2")"
}

psql_admin() { psql -X -q -At --no-password -v ON_ERROR_STOP=1 "$@"; }

on_exit() {
  local status=$? duration_seconds
  # A subshell that a signal ends can run this trap too (stop_step's watchdog did): the clean-up, its metrics
  # and its ERROR line belong to the script alone.
  if [[ $BASHPID != "$$" ]]; then exit "$status"; fi
  set +e
  trap - ERR
  trap '' TERM INT  # the clean-up is bounded; the kubelet's KILL at the end of the grace period stays the limit
  if [[ -n $scratch_db ]]; then
    log "dropping scratch database $scratch_db"
    # WITH (FORCE) ends sessions that an aborted pg_restore may have left behind.
    if ! out=$(psql_admin -c "DROP DATABASE IF EXISTS $scratch_db WITH (FORCE)" 2>&1); then
      printf '%s\n' "$out" >&2
      failure="${failure:+$failure; also }could not drop scratch database $scratch_db: $(first_error "$out")"
      if [[ $status -eq 0 ]]; then status=1; fi
    fi
  fi
  if [[ -n $work ]]; then rm -rf -- "$work"; fi
  if [[ -n $state_dir ]]; then rm -rf -- "$state_dir"; fi
  if [[ $status -eq 0 && $passed == true ]]; then
    duration_seconds=$(($(date -u +%s) - started))
    push_metrics pg_restore_drill "# TYPE pg_restore_drill_last_success_timestamp_seconds gauge
pg_restore_drill_last_success_timestamp_seconds $(date -u +%s)
# TYPE pg_restore_drill_duration_seconds gauge
pg_restore_drill_duration_seconds $duration_seconds
# TYPE pg_restore_drill_restore_duration_seconds gauge
pg_restore_drill_restore_duration_seconds $restore_seconds
"
    log "passed: s3://$BACKUP_BUCKET/$key restored in ${restore_seconds}s, ${#tables[@]} table(s) checked, scratch database dropped (${duration_seconds}s)"
  elif [[ $status -ne 0 ]]; then
    report_failure pg_restore_drill "$status"
  fi
  exit "$status"
}
install_traps

# --- configuration ------------------------------------------------------------------------------

require BACKUP_BUCKET "set it to the bucket name without s3://, e.g. acme-production-backups"
require BACKUP_PREFIX "set it to the prefix pg-backup.sh writes to, e.g. production/orders"
require DRILL_TABLES "list the tables to check as schema.table, comma-separated, e.g. public.orders"
check_backup_prefix
DRILL_MIN_ROWS=${DRILL_MIN_ROWS:-1}
require_whole_number DRILL_MIN_ROWS 0 1
# Base 10: bash reads a leading zero (08) as octal in arithmetic.
DRILL_MIN_ROWS=$((10#$DRILL_MIN_ROWS))
tables=()
IFS=',' read -r -a entries <<<"$DRILL_TABLES"
for entry in "${entries[@]}"; do
  entry=${entry#"${entry%%[![:space:]]*}"}  # trim leading
  entry=${entry%"${entry##*[![:space:]]}"}  # and trailing blanks
  if ! [[ $entry =~ ^[^.]+\.[^.]+$ ]]; then
    config_error "DRILL_TABLES entry \"$entry\" is not schema.table: write e.g. public.orders"
  fi
  tables+=("$entry")
done
export PGDATABASE=${PGDATABASE:-postgres}
SCRATCH_DIR=${SCRATCH_DIR:-/scratch}
use_s3cli
if ! state_dir=$(mktemp -d "${TMPDIR:-/tmp}/pg-restore-drill.XXXXXX" 2>&1); then
  failure="preparing the state folder in ${TMPDIR:-/tmp} failed: $(first_error "$state_dir")"
  state_dir=""
  exit 1
fi
# A full TMPDIR would lose the steps' output: fail now, before any work, rather than after the download and restore.
if why=$(state_dir_unwritable); then die "preparing the state folder in ${TMPDIR:-/tmp} failed: $why"; fi
started=$(date -u +%s)

# --- 1. find the newest backup ------------------------------------------------------------------

if ! run_step "listing backups" "${S3CLI[@]}" s3api list-objects-v2 --bucket "$BACKUP_BUCKET" --prefix "$BACKUP_PREFIX/" --query 'Contents[].Key' --output text; then
  fail_step "listing s3://$BACKUP_BUCKET/$BACKUP_PREFIX/" "$step_output"
fi
keys=$(printf '%s\n' "$step_output" | tr '\t' '\n')
# Keys are <prefix>/<YYYY>/<MM>/<DD>/<db>-<YYYYMMDDTHHMMSSZ>-<8 hex>.dump, so the greatest key is the
# newest. A dump without its manifest is unfinished or was abandoned (pg-backup.sh writes the
# manifest last), so it is not a backup yet.
key=""
while IFS= read -r candidate; do
  if grep -qxF -- "$candidate.manifest.json" <<<"$keys"; then
    key=$candidate
    break
  fi
  log "skipping s3://$BACKUP_BUCKET/$candidate: it has no manifest"
done < <(printf '%s\n' "$keys" | grep -E '\.dump$' | LC_ALL=C sort -r || true)
if [[ -z $key ]]; then
  die "no backup found under s3://$BACKUP_BUCKET/$BACKUP_PREFIX/ (no .dump key with a .manifest.json next to it)"
fi
log "newest backup: s3://$BACKUP_BUCKET/$key"

# --- 2. download and check it against its manifest ----------------------------------------------

out=$(mktemp -d "$SCRATCH_DIR/pg-restore-drill.XXXXXX" 2>&1) || { step_status=$?; fail_step "preparing the scratch area $SCRATCH_DIR" "$out" scratch; }
work=$out
restore_started=$(date -u +%s)
if ! run_step "manifest download" "${S3CLI[@]}" s3 cp --only-show-errors --no-progress "s3://$BACKUP_BUCKET/$key.manifest.json" "$work/manifest.json"; then
  fail_step "manifest download (s3://$BACKUP_BUCKET/$key.manifest.json)" "$step_output" scratch
fi
if ! run_step "backup download" "${S3CLI[@]}" s3 cp --only-show-errors --no-progress "s3://$BACKUP_BUCKET/$key" "$work/backup.dump"; then
  fail_step "backup download" "$step_output" scratch
fi

# pg-backup.sh writes one field per line, so sed can read it without jq.
manifest_field() { sed -n -E "s/^[[:space:]]*\"$1\": *\"?([^\",]*)\"?,?[[:space:]]*$/\\1/p" "$work/manifest.json"; }
expected_sha256=$(manifest_field sha256)
expected_size=$(manifest_field size_bytes)
manifest_key=$(manifest_field key)
if [[ $manifest_key != "$key" ]]; then
  die "manifest mismatch: s3://$BACKUP_BUCKET/$key.manifest.json describes \"$manifest_key\", not $key"
fi
if ! run_step "checksumming the backup" openssl dgst -sha256 -r "$work/backup.dump"; then fail_step "checksumming the backup" "$step_output"; fi
actual_sha256=${step_output%% *}
if ! [[ $actual_sha256 =~ ^[0-9a-f]{64}$ ]]; then die "checksumming the backup failed: $(lost_output "openssl printed no sha256")"; fi
actual_size=$(stat -c %s "$work/backup.dump")
if [[ $actual_sha256 != "$expected_sha256" || $actual_size != "$expected_size" ]]; then
  die "checksum mismatch: s3://$BACKUP_BUCKET/$key has sha256 $actual_sha256 ($actual_size bytes), its manifest says $expected_sha256 ($expected_size bytes)"
fi
log "checksum matches the manifest: sha256 $actual_sha256, $actual_size bytes"

# --- 3. restore into a scratch database ---------------------------------------------------------

# The random part makes the name this run's own: a second drill on the same server in the same second (one
# run by hand beside the scheduled one) would otherwise fail to create it, and its clean-up would drop this one's.
scratch_db="restore_drill_$(date -u +%Y%m%d%H%M%S)_$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
log "creating scratch database $scratch_db on ${PGHOST:-<libpq default host>}:${PGPORT:-5432}"
# template0: a restore must start from an empty database, whatever was added to template1.
out=$(psql_admin -c "CREATE DATABASE $scratch_db TEMPLATE template0" 2>&1) || { step_status=$?; fail_step "creating scratch database $scratch_db" "$out"; }
log "restoring into $scratch_db"
if ! run_step pg_restore env LC_ALL=C pg_restore --exit-on-error --no-owner --no-privileges --no-password --dbname="$scratch_db" "$work/backup.dump"; then
  fail_step "pg_restore into $scratch_db" "$step_output"
fi
restore_seconds=$(($(date -u +%s) - restore_started))
rm -f -- "$work/backup.dump"

# --- 4. check the tables ------------------------------------------------------------------------

# psql variables quote the names (:'x' as a literal, :"x" as an identifier), so any name is safe.
exists_sql="SELECT to_regclass(format('%I.%I', :'schema', :'name')) IS NOT NULL;"
count_sql='SELECT count(*) FROM :"schema".:"name";'
table_query() { # <schema> <name> <sql>
  psql_admin -d "$scratch_db" -v schema="$1" -v name="$2" <<<"$3"
}
problems=()
for table in "${tables[@]}"; do
  schema=${table%%.*}
  name=${table#*.}
  out=$(table_query "$schema" "$name" "$exists_sql" 2>&1) || { step_status=$?; fail_step "looking up $table" "$out"; }
  if [[ $out != t ]]; then
    log "$table: missing"
    problems+=("$table does not exist in the restored database")
    continue
  fi
  if ! run_step "counting rows of $table" table_query "$schema" "$name" "$count_sql"; then
    fail_step "counting rows of $table" "$step_output"
  fi
  out=$step_output
  if ! [[ $out =~ ^[0-9]+$ ]]; then fail_step "counting rows of $table" "$out"; fi
  log "$table: $out rows"
  if ((out < DRILL_MIN_ROWS)); then
    problems+=("$table has $out rows (need >= $DRILL_MIN_ROWS)")
  fi
done
if ((${#problems[@]} > 0)); then
  joined=$(printf '; %s' "${problems[@]}")
  die "row check failed: ${joined#; }"
fi

passed=true  # the EXIT trap reports success only after the scratch database is gone
