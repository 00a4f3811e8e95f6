#!/usr/bin/env bash
# pg-backup.sh: one verified logical backup of one PostgreSQL database, stored in S3.
#
# The pg-backup CronJob runs this. The steps:
#   1. pg_dump --format=custom into SCRATCH_DIR, then take its sha256 and size.
#   2. Upload it to a temporary key, <prefix>/.incoming/<timestamp>-<random>.dump.
#   3. Download that object again. Its sha256 must match the local dump's. `pg_restore --list`
#      must accept it, and so must a full read with `pg_restore --file=/dev/null`. The full read
#      is needed because --list reads only the table of contents at the start of the archive, so
#      it accepts a dump that was cut short in its data.
#   4. Only then copy it to <prefix>/<YYYY>/<MM>/<DD>/<db>-<UTC timestamp>.dump and write
#      <that key>.manifest.json next to it. The manifest is written last: a backup exists once
#      its manifest does (pg-restore-drill.sh requires it).
#   5. Delete the temporary key.
# If any step fails, the script writes nothing under a final key. If the manifest write fails after
# the copy, it deletes the final dump it created in this run. It never deletes or changes any other
# object, and it never overwrites an existing final key.
#
# Environment (the only configuration):
#   PGHOST, PGPORT, PGUSER   libpq connection settings; libpq's defaults apply when unset.
#   PGPASSWORD or PGPASSFILE libpq credentials. pg_dump runs with --no-password, so it never prompts.
#   PGDATABASE               required. The database to dump; it also names the object.
#   BACKUP_BUCKET            required. The bucket name, without s3://.
#   BACKUP_PREFIX            required. The key prefix, e.g. production/orders, with no leading or
#                            trailing slash.
#   BACKUP_KMS_KEY_ID        KMS key id or ARN. When set, every write (upload, copy, manifest) carries
#                            --sse aws:kms --sse-kms-key-id <it>. When empty, no SSE flag is passed
#                            and the bucket's default encryption applies; the tests do this, because
#                            s3rver has no KMS. The CronJob always sets it.
#   AWS_ENDPOINT_URL         optional S3 endpoint (tests). It is passed as --endpoint-url, because
#                            awscli before 2.13 ignores the variable.
#   SCRATCH_DIR              local work area, default /scratch (an emptyDir). It must hold one copy
#                            of the dump: the local dump is deleted before the verification download.
#   AWS_CLI                  the aws executable, default aws.
#   PUSHGATEWAY_URL          optional, e.g. http://prometheus-pushgateway.monitoring:9091. Metrics
#                            are POSTed (push-add) to <url>/metrics/job/pg_backup/database/<last
#                            segment of BACKUP_PREFIX>, the same label the restore drill uses.
#                            A success pushes pg_backup_last_success_timestamp_seconds,
#                            pg_backup_duration_seconds and pg_backup_size_bytes. A failure pushes
#                            only pg_backup_last_failure_timestamp_seconds, so the last success
#                            survives. When unset, nothing is pushed.
#   AWS credentials come from the usual awscli chain (IRSA in the cluster).
#
# Exit status: 0 when the backup is stored and verified, 1 when a step failed, 2 for a configuration
# error. Progress goes to stderr as "pg-backup: ..." lines. A failure ends with exactly one line
# "pg-backup: ERROR: <step and cause>".
# Needs: pg-common.sh in the same directory, bash >= 4.4, GNU coreutils, pg_dump and pg_restore whose
# major version is at least the server's, awscli v2, and curl (only when PUSHGATEWAY_URL is set).

set -Eeuo pipefail

readonly ME=pg-backup
readonly TOOL_PREFIX_SED='s/^(pg_dump|pg_restore|mktemp): (error: )?//'
common="$(dirname "${BASH_SOURCE[0]}")/pg-common.sh"  # the same ConfigMap mounts both at /scripts
[[ -r $common ]] || { printf '%s: ERROR: configuration: %s is missing: deploy it next to this script\n' "$ME" "$common" >&2; exit 2; }
# shellcheck source-path=SCRIPTDIR source=pg-common.sh
source "$common"

failure=""   # the one-line reason; the EXIT trap prints it
err_line=""  # where an unexpected command failed (set -e)
work=""
incoming_uploaded=false
final_written=false

# ENOSPC (disk full), EDQUOT (quota) and EFBIG (file size limit) all mean the scratch area cannot
# take the dump. pg_dump runs with LC_ALL=C, so these are the C library's untranslated texts.
is_space_error() {
  case $1 in
    *"No space left on device"* | *"Disk quota exceeded"* | *"File too large"*) return 0 ;;
  esac
  return 1
}

# die with "<step> failed: <tool's error>", or "scratch area full: ..." when that is the cause.
fail_step() {
  local step=$1 output=$2
  if [[ -n $output ]]; then printf '%s\n' "$output" >&2; fi
  if is_space_error "$output"; then
    die "scratch area full: $step: $(first_error "$output") (SCRATCH_DIR=$SCRATCH_DIR)"
  fi
  die "$step failed: $(first_error "$output")"
}

on_exit() {
  local status=$?
  set +e
  trap - ERR
  if [[ $incoming_uploaded == true ]]; then
    log "deleting temporary object s3://$BACKUP_BUCKET/$incoming_key"
    if ! out=$(s3cli s3 rm --only-show-errors "s3://$BACKUP_BUCKET/$incoming_key" 2>&1); then
      log "WARNING: could not delete temporary object s3://$BACKUP_BUCKET/$incoming_key: $(first_error "$out")"
    fi
  fi
  if [[ $final_written == true ]]; then
    # The copy started but the manifest was not written: remove the unconfirmed final object.
    # The key was checked to be free before the copy, so the object can only be this run's.
    log "deleting unconfirmed final object s3://$BACKUP_BUCKET/$final_key"
    if ! out=$(s3cli s3 rm --only-show-errors "s3://$BACKUP_BUCKET/$final_key" 2>&1); then
      log "WARNING: could not delete s3://$BACKUP_BUCKET/$final_key: $(first_error "$out")"
    fi
  fi
  if [[ -n $work ]]; then rm -rf -- "$work"; fi
  if [[ $status -ne 0 ]]; then report_failure pg_backup "$status"; fi
  exit "$status"
}
install_traps

# --- configuration ------------------------------------------------------------------------------

require PGDATABASE "set it to the database to dump, e.g. orders"
require BACKUP_BUCKET "set it to the bucket name without s3://, e.g. acme-production-backups"
require BACKUP_PREFIX "set it to the key prefix, e.g. production/orders"
case $BACKUP_BUCKET in
  s3://* | */*) config_error "BACKUP_BUCKET (\"$BACKUP_BUCKET\") must be a bare bucket name: drop the s3:// scheme and any path" ;;
esac
check_backup_prefix
SCRATCH_DIR=${SCRATCH_DIR:-/scratch}

# Every write carries the encryption flags. CopyObject does not inherit the source object's
# encryption, and bucket policies usually deny a PutObject that does not ask for aws:kms.
sse_opts=()
if [[ -n ${BACKUP_KMS_KEY_ID:-} ]]; then
  sse_opts=(--sse aws:kms --sse-kms-key-id "$BACKUP_KMS_KEY_ID")
  log "encryption: aws:kms with key $BACKUP_KMS_KEY_ID"
else
  log "encryption: no SSE flag (BACKUP_KMS_KEY_ID is empty); the bucket's default encryption applies"
fi

started=$(date -u +%s)
stamp=$(date -u -d "@$started" +%Y%m%dT%H%M%SZ)
iso_time=$(date -u -d "@$started" +%Y-%m-%dT%H:%M:%SZ)
day_path=$(date -u -d "@$started" +%Y/%m/%d)
random_part=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
incoming_key="$BACKUP_PREFIX/.incoming/$stamp-$random_part.dump"
final_key="$BACKUP_PREFIX/$day_path/$PGDATABASE-$stamp.dump"
manifest_key="$final_key.manifest.json"

# --- 1. dump ------------------------------------------------------------------------------------

if ! out=$(mktemp -d "$SCRATCH_DIR/pg-backup.XXXXXX" 2>&1); then
  fail_step "preparing the scratch area $SCRATCH_DIR" "$out"
fi
work=$out
dump="$work/database.dump"

log "dumping database $PGDATABASE from ${PGHOST:-<libpq default host>}:${PGPORT:-5432} as ${PGUSER:-<libpq default user>}"
if ! out=$(LC_ALL=C pg_dump --format=custom --no-password --file="$dump" 2>&1); then
  fail_step "pg_dump" "$out"
fi
if ! sum_line=$(sha256sum "$dump" 2>&1); then fail_step "checksumming the dump" "$sum_line"; fi
sha256=${sum_line%% *}
size_bytes=$(stat -c %s "$dump")
log "dump written: $size_bytes bytes, sha256 $sha256"

# --- 2. upload to the temporary key -------------------------------------------------------------

log "uploading to s3://$BACKUP_BUCKET/$incoming_key"
# Set before the upload: a request that times out may still have stored the object.
incoming_uploaded=true
if ! out=$(s3cli s3 cp --only-show-errors --no-progress "${sse_opts[@]}" "$dump" "s3://$BACKUP_BUCKET/$incoming_key" 2>&1); then
  fail_step "upload" "$out"
fi
rm -f -- "$dump"  # make room for the verification copy

# --- 3. verify what S3 holds --------------------------------------------------------------------

check="$work/uploaded.dump"
log "downloading s3://$BACKUP_BUCKET/$incoming_key for verification"
if ! out=$(s3cli s3 cp --only-show-errors --no-progress "s3://$BACKUP_BUCKET/$incoming_key" "$check" 2>&1); then
  fail_step "verification download" "$out"
fi
if ! sum_line=$(sha256sum "$check" 2>&1); then fail_step "checksumming the uploaded dump" "$sum_line"; fi
uploaded_sha256=${sum_line%% *}
uploaded_size=$(stat -c %s "$check")
if [[ $uploaded_sha256 != "$sha256" || $uploaded_size != "$size_bytes" ]]; then
  die "checksum mismatch: s3://$BACKUP_BUCKET/$incoming_key has sha256 $uploaded_sha256 ($uploaded_size bytes), the local dump had $sha256 ($size_bytes bytes)"
fi
if ! listing=$(LC_ALL=C pg_restore --list "$check" 2>&1); then
  printf '%s\n' "$listing" >&2
  die "verification failed: pg_restore --list rejected the uploaded dump: $(first_error "$listing")"
fi
if ! out=$(LC_ALL=C pg_restore --file=/dev/null "$check" 2>&1); then
  printf '%s\n' "$out" >&2
  die "verification failed: pg_restore could not read the uploaded dump's data: $(first_error "$out")"
fi
server_version=$(printf '%s\n' "$listing" | sed -n 's/^;[[:space:]]*Dumped from database version: //p')
pg_dump_version=$(printf '%s\n' "$listing" | sed -n 's/^;[[:space:]]*Dumped by pg_dump version: //p')
rm -f -- "$check"
log "verified: checksum matches, pg_restore reads all $(printf '%s\n' "$listing" | grep -c '^[0-9]') archive entries"

# --- 4. publish under the final key -------------------------------------------------------------

if ! out=$(s3cli s3api list-objects-v2 --bucket "$BACKUP_BUCKET" --prefix "$final_key" --query 'Contents[].Key' --output text 2>&1); then
  fail_step "checking that the final key is free" "$out"
fi
if grep -qxF -- "$final_key" <<<"$(tr '\t' '\n' <<<"$out")"; then
  die "final key s3://$BACKUP_BUCKET/$final_key already exists: refusing to overwrite it"
fi

log "copying to s3://$BACKUP_BUCKET/$final_key"
final_written=true
if ! out=$(s3cli s3 cp --only-show-errors "${sse_opts[@]}" "s3://$BACKUP_BUCKET/$incoming_key" "s3://$BACKUP_BUCKET/$final_key" 2>&1); then
  fail_step "copy to the final key" "$out"
fi

json_string() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/\\r}
  s=${s//$'\t'/\\t}
  printf '"%s"' "$s"
}
duration_seconds=$(($(date -u +%s) - started))
manifest=$(
  printf '{\n'
  printf '  "database": %s,\n' "$(json_string "$PGDATABASE")"
  printf '  "key": %s,\n' "$(json_string "$final_key")"
  printf '  "size_bytes": %d,\n' "$size_bytes"
  printf '  "sha256": "%s",\n' "$sha256"
  printf '  "duration_seconds": %d,\n' "$duration_seconds"
  printf '  "pg_server_version": %s,\n' "$(json_string "$server_version")"
  printf '  "pg_dump_version": %s,\n' "$(json_string "$pg_dump_version")"
  printf '  "timestamp": "%s"\n' "$iso_time"
  printf '}'
)
log "writing s3://$BACKUP_BUCKET/$manifest_key"
if ! out=$(printf '%s\n' "$manifest" | s3cli s3 cp --only-show-errors "${sse_opts[@]}" --content-type application/json - "s3://$BACKUP_BUCKET/$manifest_key" 2>&1); then
  fail_step "manifest upload" "$out"
fi
final_written=false  # committed: the manifest exists, the final object stays

# --- 5. tidy up ---------------------------------------------------------------------------------

if out=$(s3cli s3 rm --only-show-errors "s3://$BACKUP_BUCKET/$incoming_key" 2>&1); then
  incoming_uploaded=false
else
  # The backup is stored and verified, so this is not a failure. The EXIT trap tries once more.
  log "WARNING: could not delete temporary object s3://$BACKUP_BUCKET/$incoming_key: $(first_error "$out")"
fi

push_metrics pg_backup "# TYPE pg_backup_last_success_timestamp_seconds gauge
pg_backup_last_success_timestamp_seconds $(date -u +%s)
# TYPE pg_backup_duration_seconds gauge
pg_backup_duration_seconds $duration_seconds
# TYPE pg_backup_size_bytes gauge
pg_backup_size_bytes $size_bytes
"
log "done: s3://$BACKUP_BUCKET/$final_key ($size_bytes bytes, sha256 $sha256, ${duration_seconds}s)"
