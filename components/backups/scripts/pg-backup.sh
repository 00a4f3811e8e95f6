#!/usr/bin/env bash
# pg-backup.sh: one verified logical backup of one PostgreSQL database, stored in S3.
#
# The pg-backup CronJob runs this. The steps:
#   1. pg_dump --format=custom into SCRATCH_DIR, then read its table of contents (`pg_restore --list`),
#      which must be readable before anything is uploaded.
#   2. Upload it to its final key, <prefix>/<YYYY>/<MM>/<DD>/<db>-<UTC timestamp>-<8 hex>.dump, and
#      meanwhile take its sha256 and read it in full with `pg_restore --file=/dev/null`. The full read
#      is needed because --list reads only the table of contents at the start of the archive, so it
#      accepts a dump that was cut short in its data. The
#      random part makes the key this run's own: two runs that start in the same second (a manual
#      `kubectl create job --from=cronjob/...` beside the scheduled one) write two backups, and
#      neither can replace the other's object or describe it with its own manifest.
#   3. Read the object back from S3: its sha256 must be the dump's, so S3 holds exactly the bytes that
#      pg_restore read in full. The listing for step 5 is taken meanwhile. Then S3 must say the object is
#      encrypted (aws:kms when BACKUP_KMS_KEY_ID is set; otherwise the bucket's default encryption).
#   4. Write <final key>.manifest.json next to it. The manifest is written last: a backup exists once
#      its manifest does (pg-restore-drill.sh and the retention below require it).
#   5. Retention: keep the newest BACKUP_KEEP_LAST complete backups whatever their age, and delete
#      older complete backups once they are older than BACKUP_RETENTION_DAYS (by the timestamp in
#      their key). Only a successful run deletes, so a database whose backups keep failing keeps
#      its last good ones. Dumps without a manifest (and manifests without a dump) older than a day
#      were left by a killed run and are deleted too; a younger one may be a concurrent run's.
# If a step fails, or the run is interrupted, after the upload started, the script deletes this
# run's dump (and manifest, if its write was attempted). It deletes nothing else, except in step 5.
# The bucket is versioned under S3 Object Lock, so a delete only hides an object behind a delete
# marker; the locked version stays until its retention ends and the bucket lifecycle removes it.
#
# Environment (the only configuration):
#   PGHOST, PGPORT, PGUSER   libpq connection settings; libpq's defaults apply when unset.
#   PGPASSWORD or PGPASSFILE libpq credentials. pg_dump runs with --no-password, so it never prompts.
#   PGDATABASE               required. The database to dump; it also names the object.
#   BACKUP_BUCKET            required. The bucket name, without s3://.
#   BACKUP_PREFIX            required. The key prefix, e.g. production/orders, with no leading or
#                            trailing slash.
#   BACKUP_RETENTION_DAYS    required. Age in days after which a backup may be deleted (step 5).
#   BACKUP_KEEP_LAST         required. How many complete backups are always kept, at least 1.
#   BACKUP_KMS_KEY_ID        KMS key id or ARN. When set, every write (dump, manifest) carries
#                            --sse aws:kms --sse-kms-key-id <it>. When empty, no SSE flag is passed
#                            and the bucket's default encryption applies. The CronJob always sets it.
#   AWS_ENDPOINT_URL         optional S3 endpoint (tests). It is passed as --endpoint-url, because
#                            awscli before 2.13 ignores the variable.
#   SCRATCH_DIR              local work area for the dump, default /scratch. It must hold one dump.
#   TMPDIR                   where the script keeps its steps' output, default /tmp (a few KiB).
#                            A TMPDIR that cannot take a write fails the run at its start; one that
#                            fills up later fails the step whose output was lost, naming TMPDIR.
#   AWS_CLI                  the aws executable, default aws.
#   STEP_STOP_SECONDS        how long an interrupted step may take to stop before it is killed,
#                            default 10.
#   PUSHGATEWAY_URL          optional, e.g. http://prometheus-pushgateway.monitoring:9091. Metrics
#                            are POSTed (push-add) to <url>/metrics/job/pg_backup/database/<last
#                            segment of BACKUP_PREFIX>, the same label the restore drill uses.
#                            A success pushes pg_backup_last_success_timestamp_seconds,
#                            pg_backup_duration_seconds, pg_backup_size_bytes and
#                            pg_backup_retained_backups. A failure, an interruption included, pushes
#                            only pg_backup_last_failure_timestamp_seconds, so the last success
#                            survives. When unset, nothing is pushed. A failed push is a WARNING line
#                            (it changes no exit status) that names the URL without its credentials.
#   AWS credentials come from the usual awscli chain (IRSA in the cluster).
#
# Signals: TERM or INT stops the running step (pg_dump cancels its query, awscli aborts its upload),
# and the run fails with "interrupted by SIGTERM during <step>" after the clean-up above. The clean-up
# is bounded: STEP_STOP_SECONDS, then at most 12 s for each of up to four S3 calls and 10 s for the
# metrics push.
#
# Exit status: 0 when the backup is stored and verified, 1 when a step failed or the run was
# interrupted, 2 for a configuration error. Progress goes to stderr as "pg-backup: ..." lines. A
# failure ends with exactly one line "pg-backup: ERROR: <step and cause>".
# Needs: pg-common.sh in the same directory, bash >= 4.4, GNU coreutils, pg_dump and pg_restore whose
# major version is at least the server's, awscli v2, openssl (sha256 with the CPU's SHA extensions, several
# times faster than sha256sum), and curl (only when PUSHGATEWAY_URL is set).

set -Eeuo pipefail

readonly ME=pg-backup
readonly TOOL_PREFIX_SED='s/^(pg_dump|pg_restore|mktemp|openssl): (error: )?//'
common="$(dirname "${BASH_SOURCE[0]}")/pg-common.sh"  # the same ConfigMap mounts both at /scripts
[[ -r $common ]] || { printf '%s: ERROR: configuration: %s is missing: deploy it next to this script\n' "$ME" "$common" >&2; exit 2; }
# shellcheck source-path=SCRIPTDIR source=pg-common.sh
source "$common"

failure=""   # the one-line reason; the EXIT trap prints it
err_line=""  # where an unexpected command failed (set -e)
step="" step_pid="" step_output="" step_status=""
work=""
state_dir=""
# Objects of this run that are not a backup yet: the EXIT trap deletes them after a failure.
unconfirmed=()
committed=false  # the manifest is written: from then on the run has done its job
reported=false
retained=""

# die with "<step> failed: <tool's error>", or "scratch area full: ..." when that is the cause. A tool that
# said nothing is named by step_status: a caller that ran it in a command substitution sets it first.
fail_step() {
  local name=$1 output=$2
  if [[ -z $output ]]; then die "$name failed: $(lost_output "$(silent_end)")"; fi
  printf '%s\n' "$output" >&2
  if is_space_error "$output"; then
    die "scratch area full: $name: $(first_error "$output") (SCRATCH_DIR=$SCRATCH_DIR)"
  fi
  die "$name failed: $(first_error "$output")"
}

# Deletes an object of this run if S3 has it. A delete of a key that does not exist would still add
# a delete marker in a versioned bucket, hence the HEAD first. S3 answers a HEAD of a missing key with 403
# instead of 404 when the caller may not list that key (the job's ListBucket is limited to its prefix), and
# with 403 to credentials it refuses; either way this run stored nothing there that it could delete.
delete_unconfirmed() { # <key>
  local key=$1 out
  if ! out=$(timeout --kill-after=2 10 "${S3CLI[@]}" s3api head-object --bucket "$BACKUP_BUCKET" --key "$key" 2>&1); then
    if [[ $out == *"Not Found"* || $out == *"(404)"* || $out == *"Forbidden"* || $out == *"(403)"* ]]; then return 0; fi
  fi
  log "deleting unconfirmed object s3://$BACKUP_BUCKET/$key"
  if ! out=$(timeout --kill-after=2 10 "${S3CLI[@]}" s3api delete-object --bucket "$BACKUP_BUCKET" --key "$key" 2>&1); then
    log "WARNING: could not delete s3://$BACKUP_BUCKET/$key: $(first_error "$out")"
  fi
}

on_exit() {
  local status=$? i
  # A subshell that a signal ends can run this trap too (stop_step's watchdog did): the clean-up, its metrics
  # and its ERROR line belong to the script alone.
  if [[ $BASHPID != "$$" ]]; then exit "$status"; fi
  set +e
  trap - ERR
  trap '' TERM INT  # the clean-up is bounded; the kubelet's KILL at the end of the grace period stays the limit
  if [[ $status -ne 0 && $committed == true ]]; then
    # Only retention was left; what stopped it does not undo the stored backup.
    log "WARNING: ${failure:-unexpected failure (exit status $status at line ${err_line:-?})}; the backup is stored, retention did not finish"
    status=0
    if [[ $reported == false ]]; then report_success; fi
  fi
  if [[ $status -ne 0 ]]; then
    # The manifest first, so the pair stops counting as a backup before its dump goes.
    for ((i = ${#unconfirmed[@]} - 1; i >= 0; i--)); do delete_unconfirmed "${unconfirmed[i]}"; done
  fi
  if [[ -n $work ]]; then rm -rf -- "$work"; fi
  if [[ -n $state_dir ]]; then rm -rf -- "$state_dir"; fi
  if [[ $status -ne 0 ]]; then report_failure pg_backup "$status"; fi
  exit "$status"
}
install_traps

# --- configuration ------------------------------------------------------------------------------

require PGDATABASE "set it to the database to dump, e.g. orders"
require BACKUP_BUCKET "set it to the bucket name without s3://, e.g. acme-production-backups"
require BACKUP_PREFIX "set it to the key prefix, e.g. production/orders"
require BACKUP_RETENTION_DAYS "set it to the days after which a backup may be deleted, e.g. 30"
require BACKUP_KEEP_LAST "set it to how many complete backups are always kept, e.g. 7"
case $BACKUP_BUCKET in
  s3://* | */*) config_error "BACKUP_BUCKET (\"$BACKUP_BUCKET\") must be a bare bucket name: drop the s3:// scheme and any path" ;;
esac
check_backup_prefix
require_whole_number BACKUP_RETENTION_DAYS 1 30
require_whole_number BACKUP_KEEP_LAST 1 7
SCRATCH_DIR=${SCRATCH_DIR:-/scratch}
use_s3cli
if ! state_dir=$(mktemp -d "${TMPDIR:-/tmp}/pg-backup.XXXXXX" 2>&1); then
  failure="preparing the state folder in ${TMPDIR:-/tmp} failed: $(first_error "$state_dir")"
  state_dir=""
  exit 1
fi
# A full TMPDIR would lose the steps' output: fail now, before any work, rather than after the upload.
if why=$(state_dir_unwritable); then die "preparing the state folder in ${TMPDIR:-/tmp} failed: $why"; fi

# Every write carries the encryption flags: bucket policies usually deny a PutObject that does not
# ask for aws:kms with the backup key.
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
final_key="$BACKUP_PREFIX/$day_path/$PGDATABASE-$stamp-$random_part.dump"
manifest_key="$final_key.manifest.json"

# --- 1. dump ------------------------------------------------------------------------------------

out=$(mktemp -d "$SCRATCH_DIR/pg-backup.XXXXXX" 2>&1) || { step_status=$?; fail_step "preparing the scratch area $SCRATCH_DIR" "$out"; }
work=$out
dump="$work/database.dump"

log "dumping database $PGDATABASE from ${PGHOST:-<libpq default host>}:${PGPORT:-5432} as ${PGUSER:-<libpq default user>}"
if ! run_step pg_dump env LC_ALL=C pg_dump --format=custom --no-password --file="$dump"; then
  fail_step "pg_dump" "$step_output"
fi
size_bytes=$(stat -c %s "$dump")
if ! listing=$(LC_ALL=C pg_restore --list "$dump" 2>&1); then
  printf '%s\n' "$listing" >&2
  die "verification failed: pg_restore --list rejected the dump: $(first_error "$listing")"
fi
server_version=$(printf '%s\n' "$listing" | sed -n 's/^;[[:space:]]*Dumped from database version: //p')
pg_dump_version=$(printf '%s\n' "$listing" | sed -n 's/^;[[:space:]]*Dumped by pg_dump version: //p')
log "dump written: $size_bytes bytes, $(printf '%s\n' "$listing" | grep -c '^[0-9]') archive entries"

# --- 2. upload to the final key, and check the dump meanwhile ----------------------------------

# Beside the upload, from the page cache: the dump's sha256, and a full read by pg_restore. The full read is
# needed because --list reads only the table of contents at the start of the archive, so it accepts a
# dump that was cut short in its data. Step 3 then proves that S3 holds exactly these bytes.
upload_and_check() {
  local sum_pid read_pid upload_status=0 sum_status=0 read_status=0
  # Background commands start with INT ignored; env gives it back, so stop_step stops them too.
  env --default-signal=INT openssl dgst -sha256 -r "$dump" >"$state_dir/dump.sha256" 2>"$state_dir/checksum.err" &
  sum_pid=$!
  env --default-signal=INT LC_ALL=C pg_restore --file=/dev/null "$dump" 2>"$state_dir/read.err" &
  read_pid=$!
  "${S3CLI[@]}" s3 cp --only-show-errors --no-progress "${sse_opts[@]}" "$dump" "s3://$BACKUP_BUCKET/$final_key" || upload_status=$?
  wait "$sum_pid" || sum_status=$?
  wait "$read_pid" || read_status=$?
  printf '%s %s %s\n' "$upload_status" "$sum_status" "$read_status" >"$state_dir/upload.status"
  ((upload_status == 0 && sum_status == 0 && read_status == 0))
}
log "uploading to s3://$BACKUP_BUCKET/$final_key"
# Recorded before the upload: a request that times out may still have stored the object.
unconfirmed+=("$final_key")
if ! run_step upload upload_and_check; then
  read -r upload_status sum_status read_status <"$state_dir/upload.status" || true
  # The step's own status is upload_and_check's; silent_end must see the failed tool's (137: its OOM kill).
  if [[ ${read_status:-0} != 0 ]]; then
    read_error=$(<"$state_dir/read.err")
    step_status=$read_status
    if [[ -z $read_error ]]; then die "verification failed: pg_restore could not read the dump's data: $(lost_output "$(silent_end)")"; fi
    printf '%s\n' "$read_error" >&2
    die "verification failed: pg_restore could not read the dump's data: $(first_error "$read_error")"
  fi
  if [[ ${sum_status:-0} != 0 ]]; then
    step_status=$sum_status
    fail_step "checksumming the dump" "$(<"$state_dir/checksum.err")"
  fi
  step_status=${upload_status:-$step_status}
  fail_step "upload" "$step_output"
fi
sha256=$(<"$state_dir/dump.sha256")
sha256=${sha256%% *}
# Without this check two empty checksums (both lost on a full TMPDIR) would compare equal in step 3.
if ! [[ $sha256 =~ ^[0-9a-f]{64}$ ]]; then die "checksumming the dump failed: $(lost_output "openssl printed no sha256")"; fi
rm -f -- "$dump"

# --- 3. verify what S3 holds --------------------------------------------------------------------

# The object's bytes, streamed into openssl: the same sha256 as the dump that pg_restore read in full.
# The retention's listing (step 5) is taken meanwhile.
read_back() {
  local list_pid statuses
  "${S3CLI[@]}" s3api list-objects-v2 --bucket "$BACKUP_BUCKET" --prefix "$BACKUP_PREFIX/" --query 'Contents[].Key' --output text \
    >"$state_dir/listing" 2>"$state_dir/listing.err" &
  list_pid=$!
  set +e
  "${S3CLI[@]}" s3 cp --only-show-errors --no-progress "s3://$BACKUP_BUCKET/$final_key" - 2>"$state_dir/download.err" | openssl dgst -sha256 -r >"$state_dir/uploaded.sha256"
  statuses=("${PIPESTATUS[@]}")
  wait "$list_pid" || mv "$state_dir/listing.err" "$state_dir/listing.failed"
  [[ ${statuses[*]} == "0 0" ]] || { cat "$state_dir/download.err"; return 1; }
}
log "reading s3://$BACKUP_BUCKET/$final_key back for verification"
if ! run_step "verification download" read_back; then
  fail_step "verification download" "$step_output"
fi
uploaded_sha256=$(<"$state_dir/uploaded.sha256")
uploaded_sha256=${uploaded_sha256%% *}
if ! [[ $uploaded_sha256 =~ ^[0-9a-f]{64}$ ]]; then die "verification download failed: $(lost_output "openssl printed no sha256")"; fi
if [[ $uploaded_sha256 != "$sha256" ]]; then
  die "checksum mismatch: s3://$BACKUP_BUCKET/$final_key has sha256 $uploaded_sha256, the local dump had $sha256 ($size_bytes bytes)"
fi
# Encrypted at rest, as the platform promises: without BACKUP_KMS_KEY_ID the bucket's default encryption
# must have applied, and a bucket without one would otherwise hold a plaintext dump reported as a success.
if ! run_step "encryption check" "${S3CLI[@]}" s3api head-object --bucket "$BACKUP_BUCKET" --key "$final_key" --query ServerSideEncryption --output text; then
  fail_step "encryption check" "$step_output"
fi
encryption=$step_output
if [[ -z $encryption ]]; then die "encryption check failed: $(lost_output "S3 said nothing about the object's encryption")"; fi
case $encryption in
  aws:kms | aws:kms:dsse) ;;
  AES256)
    if [[ -n ${BACKUP_KMS_KEY_ID:-} ]]; then
      die "not encrypted as asked: s3://$BACKUP_BUCKET/$final_key is stored with AES256 (S3-managed keys), not aws:kms with key $BACKUP_KMS_KEY_ID"
    fi
    ;;
  *) die "not encrypted: s3://$BACKUP_BUCKET/$final_key is stored without server-side encryption; set BACKUP_KMS_KEY_ID or give the bucket default encryption" ;;
esac
log "verified: pg_restore read the whole dump, and S3 returns exactly its bytes (sha256 $sha256), encrypted ($encryption)"

# --- 4. publish: the manifest ---------------------------------------------------------------------

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
if ! out=$({ printf '%s\n' "$manifest" >"$state_dir/manifest.json"; } 2>&1); then
  out=${out//$'\n'/ }
  die "writing the manifest failed: TMPDIR=${TMPDIR:-/tmp} cannot take it (${out##*: })"
fi
log "writing s3://$BACKUP_BUCKET/$manifest_key"
unconfirmed+=("$manifest_key")
if ! run_step "manifest upload" "${S3CLI[@]}" s3 cp --only-show-errors "${sse_opts[@]}" --content-type application/json \
  "$state_dir/manifest.json" "s3://$BACKUP_BUCKET/$manifest_key"; then
  fail_step "manifest upload" "$step_output"
fi
unconfirmed=()  # committed: the backup exists, nothing of it is deleted on the way out
committed=true

# --- 5. retention ---------------------------------------------------------------------------------

# Seconds since the epoch of a key's <YYYYMMDD>T<HHMMSS>Z, or nothing when the key has no timestamp.
key_time() {
  [[ $1 =~ -([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})Z(-[0-9a-f]{8})?\.dump(\.manifest\.json)?$ ]] || return 0
  date -u -d "${BASH_REMATCH[1]}-${BASH_REMATCH[2]}-${BASH_REMATCH[3]}T${BASH_REMATCH[4]}:${BASH_REMATCH[5]}:${BASH_REMATCH[6]}Z" +%s
}

# Sets `retained` to the complete backups left. A failure is a warning, not a failed run: the backup
# is stored, and old backups kept a day longer are safe. Works on the listing taken during step 3, plus
# this run's backup, which was not complete then: whatever appeared since is at most a day old.
apply_retention() {
  local key t now kept=0 complete=0 deleted=0 dumps=() manifests=() doomed=()
  local -A present=([$final_key]=1 [$manifest_key]=1)
  if [[ -e $state_dir/listing.failed ]]; then
    log "WARNING: retention skipped: listing s3://$BACKUP_BUCKET/$BACKUP_PREFIX/ failed: $(first_error "$(<"$state_dir/listing.failed")")"
    return 0
  fi
  dumps=("$final_key")
  while IFS= read -r key; do
    [[ ${key#"$BACKUP_PREFIX/"} =~ ^[0-9]{4}/[0-9]{2}/[0-9]{2}/[^/]+\.dump(\.manifest\.json)?$ && -z ${present[$key]:-} ]] || continue
    present[$key]=1
    if [[ $key == *.manifest.json ]]; then manifests+=("$key"); else dumps+=("$key"); fi
  done < <(tr '\t' '\n' <"$state_dir/listing")
  now=$(date -u +%s)
  # Newest first: the date folders and the timestamp order the keys by time.
  while IFS= read -r key; do
    t=$(key_time "$key")
    [[ -n $t ]] || continue
    if [[ -n ${present[$key.manifest.json]:-} ]]; then
      complete=$((complete + 1))
      if ((kept < 10#$BACKUP_KEEP_LAST)); then
        kept=$((kept + 1))
      elif ((t < now - 10#$BACKUP_RETENTION_DAYS * 86400)); then
        doomed+=("$key" "$key.manifest.json")  # the dump first: a manifest alone is no backup
        deleted=$((deleted + 1))
      fi
    elif ((t < now - 86400)); then
      doomed+=("$key")  # never confirmed, and no run takes a day: left by a killed run
    fi
  done < <(if ((${#dumps[@]} > 0)); then printf '%s\n' "${dumps[@]}" | LC_ALL=C sort -r; fi)
  for key in "${manifests[@]}"; do
    t=$(key_time "$key")
    if [[ -n $t && -z ${present[${key%.manifest.json}]:-} ]] && ((t < now - 86400)); then
      doomed+=("$key")  # its dump is gone: a deletion that was interrupted
    fi
  done
  for key in "${doomed[@]}"; do
    log "retention: deleting s3://$BACKUP_BUCKET/$key"
    if ! run_step "retention" "${S3CLI[@]}" s3api delete-object --bucket "$BACKUP_BUCKET" --key "$key"; then
      log "WARNING: retention stopped: deleting s3://$BACKUP_BUCKET/$key failed: $(first_error "$step_output")"
      return 0
    fi
  done
  retained=$((complete - deleted))
  log "retention: $retained complete backup(s) left, ${#doomed[@]} object(s) deleted (the newest $BACKUP_KEEP_LAST stay whatever their age, the rest for $BACKUP_RETENTION_DAYS days)"
}

report_success() {
  local metrics
  reported=true
  metrics="# TYPE pg_backup_last_success_timestamp_seconds gauge
pg_backup_last_success_timestamp_seconds $(date -u +%s)
# TYPE pg_backup_duration_seconds gauge
pg_backup_duration_seconds $duration_seconds
# TYPE pg_backup_size_bytes gauge
pg_backup_size_bytes $size_bytes
"
  if [[ -n $retained ]]; then
    metrics+="# TYPE pg_backup_retained_backups gauge
pg_backup_retained_backups $retained
"
  fi
  push_metrics pg_backup "$metrics"
  log "done: s3://$BACKUP_BUCKET/$final_key ($size_bytes bytes, sha256 $sha256, ${duration_seconds}s)"
}

apply_retention
report_success
