#!/bin/sh
# blue-green-gate.sh: the pre-promotion gate of a blue-green app (components/apps, Argo Rollouts'
# prePromotionAnalysis done as a Kubernetes Job inside `pulumi up`).
#
# The app's active Service depends on the Job that runs this script, and Pulumi waits for a Job to
# complete, so a non-zero exit fails `pulumi up` before the Service's selector moves: traffic stays on
# the old colour. Two checks, in this order:
#   1. Smoke checks: each line of CHECKS is requested once on PREVIEW_URL (the colour about to receive
#      traffic). Every one must answer with its status code and, when given, contain its text.
#   2. Error ratio: ERROR_RATIO_QUERY is evaluated on PROMETHEUS_URL (/api/v1/query). It must return one
#      sample, below ERROR_RATIO_THRESHOLD. While the query returns no sample (the pods are too new for
#      Prometheus to have two scrapes) or NaN (no requests in the window), it is retried every
#      POLL_INTERVAL_SECONDS for up to METRICS_WAIT_SECONDS; after that the gate fails closed, because a
#      preview nobody measured is not a healthy one.
#
# Environment (the only configuration):
#   TARGET                 what is being promoted, for messages, e.g. "api green (ghcr.io/example/api:1.5.0)".
#   PREVIEW_URL            required. Base URL of the colour under test, e.g. http://api-green.apps.svc.cluster.local:8080
#   CHECKS                 required. One check per line: "<path> <status> [<text the body must contain>]".
#   TIMEOUT_SECONDS        limit of each HTTP request, default 5.
#   PROMETHEUS_URL         required. Base URL of a Prometheus-compatible query API (Prometheus, Thanos, Mimir).
#   ERROR_RATIO_QUERY      required. PromQL that yields one sample: the preview's 5xx share of requests.
#   ERROR_RATIO_THRESHOLD  required. A number in (0, 1); the gate fails when the ratio is at or above it.
#   ERROR_RATIO_WINDOW     the query's range (e.g. 5m), only used in messages.
#   METRICS_WAIT_SECONDS   how long to retry a query without a sample, default 120.
#   POLL_INTERVAL_SECONDS  pause between those retries, default 10.
#
# Output (stdout): "gate: ..." progress lines, then exactly one "gate: PASS ..." or "gate: FAIL <reason>".
# Exit status: 0 pass, 1 a check failed, 2 configuration error.
#
# The image (curlimages/curl) has no jq, so the Prometheus answer is read with sed. That is sound for
# what the query API returns for this query: one object whose "data" holds a vector of at most one
# sample (`sum(...)` has no labels) or a scalar. Whitespace is removed before matching, so pretty-printed
# JSON works too. The script refuses, rather than guesses, anything else: more than one series, a
# status other than "success", or a value that is not a plain number.
#
# Needs: POSIX sh, curl, sed, grep, awk, tr, date (busybox in curlimages/curl; dash + GNU tools on Debian).

set -u

readonly NL='
'

log() { printf 'gate: %s\n' "$*"; }
fail() {
  printf 'gate: FAIL %s\n' "$*"
  exit 1
}
config_error() {
  printf 'gate: FAIL configuration: %s\n' "$*"
  exit 2
}

is_count() {
  case $1 in
    '' | *[!0-9]*) return 1 ;;
    *) return 0 ;;
  esac
}

is_positive() {
  is_count "$1" && [ "$1" -gt 0 ]
}

# A plain decimal number (what Prometheus prints for a finite sample), optionally with an exponent.
is_number() {
  printf '%s' "$1" | grep -Eq '^[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$'
}

# --- configuration -----------------------------------------------------------------------------------

TARGET=${TARGET:-the preview}
TIMEOUT_SECONDS=${TIMEOUT_SECONDS:-5}
METRICS_WAIT_SECONDS=${METRICS_WAIT_SECONDS:-120}
POLL_INTERVAL_SECONDS=${POLL_INTERVAL_SECONDS:-10}
ERROR_RATIO_WINDOW=${ERROR_RATIO_WINDOW:-the window}

[ -n "${PREVIEW_URL:-}" ] || config_error "PREVIEW_URL is not set"
[ -n "${CHECKS:-}" ] || config_error "CHECKS is not set"
[ -n "${PROMETHEUS_URL:-}" ] || config_error "PROMETHEUS_URL is not set"
[ -n "${ERROR_RATIO_QUERY:-}" ] || config_error "ERROR_RATIO_QUERY is not set"
[ -n "${ERROR_RATIO_THRESHOLD:-}" ] || config_error "ERROR_RATIO_THRESHOLD is not set"
is_positive "$TIMEOUT_SECONDS" || config_error "TIMEOUT_SECONDS must be a positive whole number (got \"$TIMEOUT_SECONDS\")"
is_count "$METRICS_WAIT_SECONDS" || config_error "METRICS_WAIT_SECONDS must be a whole number (got \"$METRICS_WAIT_SECONDS\")"
is_positive "$POLL_INTERVAL_SECONDS" || config_error "POLL_INTERVAL_SECONDS must be a positive whole number (got \"$POLL_INTERVAL_SECONDS\")"
is_number "$ERROR_RATIO_THRESHOLD" || config_error "ERROR_RATIO_THRESHOLD must be a number such as 0.01 (got \"$ERROR_RATIO_THRESHOLD\")"
PREVIEW_URL=${PREVIEW_URL%/}
PROMETHEUS_URL=${PROMETHEUS_URL%/}

# --- HTTP ----------------------------------------------------------------------------------------------

# Why curl gave up, from its exit status (curl's man page, EXIT CODES).
curl_reason() {
  case $1 in
    6) printf 'cannot resolve the host' ;;
    7) printf 'cannot connect' ;;
    28) printf 'no response within %ss' "$TIMEOUT_SECONDS" ;;
    52) printf 'the server closed the connection without a response' ;;
    56) printf 'the connection broke while receiving' ;;
    *) printf 'request failed (curl exit %s)' "$1" ;;
  esac
}

# Sets http_code and http_body from one request, or curl_exit (non-zero) when there was no response.
# The status code is appended after a newline and split off again, so no temporary file is needed (the
# root filesystem is read-only).
http_request() {
  curl_exit=0
  response=$(curl --silent --max-time "$TIMEOUT_SECONDS" --connect-timeout "$TIMEOUT_SECONDS" \
    --write-out "${NL}%{http_code}" "$@" </dev/null) || curl_exit=$?
  http_code=${response##*"$NL"}
  http_body=${response%"$NL"*}
}

run_check() {
  line=$1 path=$2 expected=$3 text=$4
  case $path in /*) ;; *) config_error "CHECKS: \"$path\" is not a path starting with / (line \"$line\")" ;; esac
  case $expected in
    [1-5][0-9][0-9]) ;;
    '') config_error "CHECKS: no status code after the path (line \"$line\")" ;;
    *) config_error "CHECKS: \"$expected\" is not an HTTP status code (line \"$line\")" ;;
  esac
  http_request -- "$PREVIEW_URL$path"
  [ "$curl_exit" -eq 0 ] || fail "GET $path: $(curl_reason "$curl_exit") ($PREVIEW_URL)"
  [ "$http_code" = "$expected" ] || fail "GET $path: status $http_code, expected $expected"
  if [ -n "$text" ]; then
    case $http_body in
      *"$text"*) ;;
      *) fail "GET $path: status $http_code but the body does not contain \"$text\"" ;;
    esac
  fi
  log "ok GET $path -> $http_code"
}

checks_passed=0
while IFS= read -r line; do
  [ -n "$line" ] || continue
  read -r path expected text <<EOF
$line
EOF
  run_check "$line" "$path" "${expected:-}" "${text:-}"
  checks_passed=$((checks_passed + 1))
done <<EOF
$CHECKS
EOF
[ "$checks_passed" -gt 0 ] || config_error "CHECKS has no check"

# --- error ratio ---------------------------------------------------------------------------------------

# One evaluation of the query. Sets outcome to value | nodata | retry | fatal, and detail to the ratio
# or the reason.
evaluate_query() {
  http_request --get --data-urlencode "query=$ERROR_RATIO_QUERY" -- "$PROMETHEUS_URL/api/v1/query"
  if [ "$curl_exit" -ne 0 ]; then
    outcome=retry detail="Prometheus at $PROMETHEUS_URL: $(curl_reason "$curl_exit")"
    return
  fi
  compact=$(printf '%s' "$http_body" | tr -d ' \t\r\n')
  error=$(printf '%s' "$http_body" | tr -d '\r\n' | sed -n 's/.*"error"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p')
  case $http_code in
    200) ;;
    5??) outcome=retry detail="Prometheus answered $http_code${error:+: $error}"; return ;;
    *) outcome=fatal detail="Prometheus rejected the query with status $http_code${error:+: $error}"; return ;;
  esac
  case $compact in
    *'"status":"success"'*) ;;
    *) outcome=fatal detail="Prometheus did not answer with status success${error:+: $error}"; return ;;
  esac
  case $compact in
    *'"resultType":"vector"'*)
      series=$(printf '%s' "$compact" | grep -o '"value":\[' | wc -l | tr -d ' ')
      if [ "$series" -eq 0 ]; then
        outcome=nodata detail="the query returned no sample"
        return
      fi
      if [ "$series" -gt 1 ]; then
        outcome=fatal detail="the query returned $series series; it must return one (aggregate it with sum)"
        return
      fi
      value=$(printf '%s' "$compact" | sed -n 's/.*"value":\[[^],]*,"\([^"]*\)"\].*/\1/p')
      ;;
    *'"resultType":"scalar"'*)
      value=$(printf '%s' "$compact" | sed -n 's/.*"result":\[[^],]*,"\([^"]*\)"\].*/\1/p')
      ;;
    *)
      outcome=fatal detail="the query must return a vector or a scalar"
      return
      ;;
  esac
  if [ "$value" = "NaN" ]; then
    outcome=nodata detail="the ratio is NaN (no requests in $ERROR_RATIO_WINDOW)"
  elif is_number "$value"; then
    outcome=value detail=$value
  else
    outcome=fatal detail="the query returned \"$value\", not a ratio"
  fi
}

deadline=$(($(date +%s) + METRICS_WAIT_SECONDS))
while :; do
  evaluate_query
  case $outcome in
    value) break ;;
    fatal) fail "error ratio of $TARGET: $detail" ;;
  esac
  now=$(date +%s)
  if [ "$now" -ge "$deadline" ]; then
    if [ "$outcome" = nodata ]; then
      fail "no error-ratio data for $TARGET after waiting ${METRICS_WAIT_SECONDS}s: $detail (the gate fails closed without data)"
    fi
    fail "error ratio of $TARGET unavailable after waiting ${METRICS_WAIT_SECONDS}s: $detail"
  fi
  pause=$((deadline - now))
  [ "$pause" -le "$POLL_INTERVAL_SECONDS" ] || pause=$POLL_INTERVAL_SECONDS
  log "waiting ${pause}s for Prometheus: $detail"
  sleep "$pause"
done

ratio=$detail
if awk -v ratio="$ratio" -v threshold="$ERROR_RATIO_THRESHOLD" 'BEGIN { exit !(ratio + 0 < threshold + 0) }'; then
  log "PASS $TARGET: $checks_passed HTTP checks passed; error ratio $ratio over $ERROR_RATIO_WINDOW is below $ERROR_RATIO_THRESHOLD"
  exit 0
fi
fail "error ratio $ratio of $TARGET over $ERROR_RATIO_WINDOW is at or above the threshold $ERROR_RATIO_THRESHOLD"
