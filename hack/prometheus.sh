#!/usr/bin/env bash
# Runs a local Prometheus for the Lastgood demo and tests, on loopback only.
#
#   hack/prometheus.sh install                 install prometheus + promtool (Debian package) if missing
#   hack/prometheus.sh up [--port 9090] [--target host:port ...] [--job NAME]
#                                              start it in the background, scraping the targets every 1s
#                                              (default target: the synthetic gateway at 127.0.0.1:9464)
#   hack/prometheus.sh down                    stop it and remove its data
#   hack/prometheus.sh status                  say whether it runs (exit 0 if it does, 1 if not)
#
# State lives under .local-cluster/ at the repo root:
#   prometheus/prometheus.yml  prometheus/data/  prometheus/port
#   logs/prometheus.log        pids/prometheus.pid
#
# The Debian package's own service is never used: the binary is run directly.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(git -C "$SCRIPT_DIR" rev-parse --show-toplevel 2>/dev/null || (cd "$SCRIPT_DIR/.." && pwd))"
STATE_DIR="$ROOT/.local-cluster"
PROM_DIR="$STATE_DIR/prometheus"
CONFIG="$PROM_DIR/prometheus.yml"
DATA_DIR="$PROM_DIR/data"
PORT_FILE="$PROM_DIR/port"
LOG_FILE="$STATE_DIR/logs/prometheus.log"
PID_FILE="$STATE_DIR/pids/prometheus.pid"

DEFAULT_PORT=9090
DEFAULT_TARGET="127.0.0.1:9464"
READY_TIMEOUT=30

die() { echo "prometheus.sh: $*" >&2; exit 1; }
say() { echo "prometheus.sh: $*"; }

usage() {
  sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# running_pid prints the PID from the PID file if that process is alive and is prometheus.
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(tr -dc '0-9' <"$PID_FILE")"
  [[ -n "$pid" ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == prometheus ]] || return 1
  echo "$pid"
}

# is_loopback_target accepts 127.x.y.z:port, localhost:port and [::1]:port.
is_loopback_target() {
  local t="$1"
  [[ "$t" =~ ^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}:[0-9]{1,5}$ ]] && return 0
  [[ "$t" =~ ^localhost:[0-9]{1,5}$ ]] && return 0
  [[ "$t" =~ ^\[::1\]:[0-9]{1,5}$ ]] && return 0
  return 1
}

port_in_use() {
  local port="$1"
  if command -v ss >/dev/null 2>&1; then
    ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && return 0
    return 1
  fi
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

is_ready() {
  curl -fsS --max-time 2 "http://127.0.0.1:$1/-/ready" >/dev/null 2>&1
}

cmd_install() {
  if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
    say "already installed: $(prometheus --version 2>&1 | head -n1)"
    return 0
  fi
  [[ "$(id -u)" == 0 ]] || die "installing needs root (apt-get install prometheus)"
  say "installing the Debian package prometheus"
  apt-get update
  # No recommends: they would bring node-exporter, which this project does not use.
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus
  if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
    die "prometheus/promtool still not on PATH after apt-get install"
  fi
  say "installed: $(prometheus --version 2>&1 | head -n1)"
  local others
  others="$(pgrep -x prometheus | tr '\n' ' ' || true)"
  if [[ -n "$others" ]]; then
    say "note: the package started prometheus process(es) of its own (pid ${others% }); left alone"
  fi
}

write_config() {
  local job="$1"; shift
  {
    echo "# Written by hack/prometheus.sh; rewritten on every 'up'."
    echo "global:"
    echo "  scrape_interval: 1s"
    echo "  evaluation_interval: 1s"
    echo "  scrape_timeout: 1s"
    echo "scrape_configs:"
    echo "  - job_name: \"$job\""
    echo "    static_configs:"
    echo "      - targets:"
    local t
    for t in "$@"; do
      echo "          - \"$t\""
    done
  } >"$CONFIG"
}

cmd_up() {
  local port="$DEFAULT_PORT" job="synthetic-gateway"
  local -a targets=()
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --port) [[ $# -ge 2 ]] || die "--port needs a value"; port="$2"; shift 2 ;;
      --port=*) port="${1#--port=}"; shift ;;
      --target) [[ $# -ge 2 ]] || die "--target needs a value"; targets+=("$2"); shift 2 ;;
      --target=*) targets+=("${1#--target=}"); shift ;;
      --job) [[ $# -ge 2 ]] || die "--job needs a value"; job="$2"; shift 2 ;;
      --job=*) job="${1#--job=}"; shift ;;
      -h|--help) usage; return 0 ;;
      *) die "up: unknown argument '$1'" ;;
    esac
  done
  if ! [[ "$port" =~ ^[0-9]+$ ]] || (( port < 1 || port > 65535 )); then
    die "--port '$port' is not a port number"
  fi
  [[ "$job" =~ ^[A-Za-z0-9_.-]+$ ]] || die "--job '$job': use letters, digits, '_', '.', '-'"
  [[ ${#targets[@]} -gt 0 ]] || targets=("$DEFAULT_TARGET")
  local t
  for t in "${targets[@]}"; do
    is_loopback_target "$t" || die "--target '$t': only loopback targets (127.x.x.x:port, localhost:port, [::1]:port) are allowed"
  done

  local pid
  if pid="$(running_pid)"; then
    say "already up (pid $pid) at http://127.0.0.1:$(cat "$PORT_FILE" 2>/dev/null || echo '?'); run 'down' first to change its port or targets"
    return 0
  fi
  command -v prometheus >/dev/null 2>&1 || die "prometheus is not installed; run: hack/prometheus.sh install"
  port_in_use "$port" && die "port $port on 127.0.0.1 is already in use"

  mkdir -p "$PROM_DIR" "$DATA_DIR" "$(dirname "$LOG_FILE")" "$(dirname "$PID_FILE")"
  write_config "$job" "${targets[@]}"
  if command -v promtool >/dev/null 2>&1; then
    promtool check config "$CONFIG" >/dev/null || die "promtool rejected $CONFIG"
  fi
  echo "$port" >"$PORT_FILE"

  {
    echo "=== $(date -u +%Y-%m-%dT%H:%M:%SZ) starting prometheus on 127.0.0.1:$port, targets: ${targets[*]}"
  } >>"$LOG_FILE"
  # setsid: its own session, so it outlives the shell that started it.
  setsid nohup prometheus \
    --config.file="$CONFIG" \
    --storage.tsdb.path="$DATA_DIR" \
    --storage.tsdb.retention.time=1d \
    --web.listen-address="127.0.0.1:$port" \
    --web.enable-lifecycle \
    --web.external-url="http://127.0.0.1:$port/" \
    </dev/null >>"$LOG_FILE" 2>&1 &
  pid=$!
  echo "$pid" >"$PID_FILE"

  local deadline=$((SECONDS + READY_TIMEOUT))
  until is_ready "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      echo "--- last lines of $LOG_FILE:" >&2
      tail -n 15 "$LOG_FILE" >&2 || true
      die "prometheus exited before it was ready"
    fi
    if (( SECONDS >= deadline )); then
      die "prometheus (pid $pid) not ready after ${READY_TIMEOUT}s; see $LOG_FILE"
    fi
    sleep 0.5
  done
  # Prometheus applies its scrape targets a few seconds after it is ready; wait for a
  # first scrape of each (up or down) so that queries right after 'up' see data.
  local body
  until body="$(curl -fsS --max-time 2 "http://127.0.0.1:$port/api/v1/targets?state=active" 2>/dev/null)" \
      && [[ "$(grep -o '"scrapeUrl"' <<<"$body" | wc -l)" -ge ${#targets[@]} ]] \
      && ! grep -q '"lastScrape":"0001-01-01' <<<"$body"; do
    if (( SECONDS >= deadline )); then
      say "note: not every target scraped yet after ${READY_TIMEOUT}s"
      break
    fi
    sleep 0.5
  done
  say "up (pid $pid) at http://127.0.0.1:$port scraping ${targets[*]} every 1s; log $LOG_FILE"
}

cmd_down() {
  local pid
  if pid="$(running_pid)"; then
    kill -TERM "$pid" 2>/dev/null || true
    local tries=40
    while (( tries-- > 0 )) && kill -0 "$pid" 2>/dev/null; do
      sleep 0.25
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "pid $pid did not stop on TERM within 10s; sending KILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
    fi
    say "stopped (pid $pid)"
  else
    say "not running"
  fi
  rm -f "$PID_FILE" "$PORT_FILE"
  rm -rf "$DATA_DIR"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    local port
    port="$(cat "$PORT_FILE" 2>/dev/null || echo '?')"
    if [[ "$port" != '?' ]] && is_ready "$port"; then
      say "running (pid $pid) at http://127.0.0.1:$port, ready"
    else
      say "running (pid $pid) at http://127.0.0.1:$port, not ready"
    fi
    return 0
  fi
  say "not running"
  return 1
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    install) cmd_install "$@" ;;
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
