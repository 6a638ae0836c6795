#!/usr/bin/env bash
# Fleet benchmark: N Rollouts (1 replica each, simulated nodes) created at once.
#
#   hack/bench-fleet.sh [--rollouts 1000] [--settle 60]
#
# Prints: time until all are Healthy; the operator's RSS and heap once settled; its CPU at
# rest over the settle window; reconcile duration p50/p99 from its own histogram; mutating
# API requests per Rollout per minute at rest, from the API server's request counters; and
# the time from process start to ready with the fleet present. The operator runs with the JVM
# options of the Helm chart (LG_OPERATOR_JAVA_OPTS overrides them).
set -euo pipefail
# shellcheck source=hack/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=hack/lib/stack.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/stack.sh"

N=1000
SETTLE=60
while (($#)); do
  case "$1" in
    --rollouts) N="${2:?--rollouts needs a number}"; shift 2 ;;
    --settle) SETTLE="${2:?--settle needs seconds}"; shift 2 ;;
    *) lg_die "unknown argument '$1' (use --rollouts N --settle SECONDS)" ;;
  esac
done
[[ $N =~ ^[0-9]+$ && $SETTLE =~ ^[0-9]+$ ]] || lg_die "--rollouts and --settle take whole numbers"

ROOT="$(lg_repo_root)"
STATE="$(lg_state_dir)"
NS=bench-fleet
export LG_OPERATOR_JAVA_OPTS="${LG_OPERATOR_JAVA_OPTS:--XX:MaxRAM=512m -XX:MaxRAMPercentage=50 -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k}"
PORT=38080
PIDFILE="$STATE/pids/fleet-operator.pid"
LOG="$STATE/logs/fleet-operator.log"
STARTED_CLUSTER=0
k() { lg_kubectl "$@"; }
cleanup() {
  lg_stack_stop_pidfile "$PIDFILE"
  k delete namespace "$NS" --ignore-not-found --wait=false >/dev/null 2>&1 || true
  ((STARTED_CLUSTER)) && hack/local-cluster.sh down >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cd "$ROOT"
mkdir -p "$STATE/pids" "$STATE/logs"
if ! hack/local-cluster.sh status >/dev/null 2>&1; then
  hack/local-cluster.sh up
  STARTED_CLUSTER=1
fi
hack/install-crds.sh >/dev/null
k delete namespace "$NS" --ignore-not-found --wait=true --timeout=300s >/dev/null
k create namespace "$NS" >/dev/null
k label namespace "$NS" lastgood.dev/environment=production >/dev/null

now() { date +%s.%N; }
since() { python3 -c "import sys;print(f'{float(sys.argv[2])-float(sys.argv[1]):.1f}')" "$1" "$(now)"; }
metric() { # NAME-and-labels-prefix: sums matching samples of the operator's /metrics
  curl -fsS "http://127.0.0.1:$PORT/metrics" | awk -v p="$1" 'index($0, p) == 1 {s += $NF} END {printf "%.0f\n", s}'
}
pid() { cat "$PIDFILE"; }
rss_mib() { awk '/VmRSS/ {printf "%.0f\n", $2 / 1024}' "/proc/$(pid)/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$(pid)/stat"; }
healthy_count() {
  k -n "$NS" get rollouts -o 'jsonpath={range .items[*]}{.status.phase}{"\n"}{end}' | grep -c '^Healthy$' || true
}
apiserver_writes() { # mutating requests to the API server so far, all clients
  k get --raw /metrics | awk '/^apiserver_request_total\{/ && /verb="(POST|PUT|PATCH|DELETE|APPLY)"/ {s += $NF} END {printf "%.0f\n", s}'
}
quantile() { # Q: from the reconcile histogram's buckets
  curl -fsS "http://127.0.0.1:$PORT/metrics" | python3 -c '
import sys, re
q = float(sys.argv[1]); buckets = []
for line in sys.stdin:
    m = re.match(r"lastgood_reconcile_duration_seconds_bucket\{le=\"([^\"]+)\",?\} (\S+)", line)
    if m: buckets.append((float(m.group(1)), float(m.group(2))))
total = buckets[-1][1]
for le, c in buckets:
    if c >= q * total: print(f"{le * 1000:g} ms (bucket bound)"); break' "$1"
}

lg_stack_operator_start "$PORT" "$LOG" "$PIDFILE"
# Baseline: what the rest of the cluster (node heartbeats, controllers) writes without a fleet.
base0=$(apiserver_writes)
sleep "$SETTLE"
base1=$(apiserver_writes)
printf 'operator ready; creating %d Rollouts in %s\n' "$N" "$NS"

k apply -f - >/dev/null <<EOF
apiVersion: lastgood.dev/v1alpha1
kind: BuildRelease
metadata: {name: fleet-v1, namespace: $NS}
spec:
  application: fleet
  version: v1
  environment: production
  image: registry.example/fleet@sha256:$(printf fleet | sha256sum | cut -c1-64)
EOF
manifest="$STATE/fleet-rollouts.yaml"
for i in $(seq 1 "$N"); do
  cat <<EOF
---
apiVersion: lastgood.dev/v1alpha1
kind: Rollout
metadata: {name: app-$i, namespace: $NS}
spec:
  environment: production
  application: fleet
  release: {name: fleet-v1}
  replicas: 1
  service: {port: 80}
  template: {spec: {containers: [{name: app}]}}
  steps: [{setWeight: 50}, {setWeight: 100}]
EOF
done >"$manifest"
start=$(now)
k apply --server-side -f "$manifest" >/dev/null
printf 'created in %ss\n' "$(since "$start")"
until [[ $(healthy_count) -ge $N ]]; do
  sleep 5
  printf '  %s healthy after %ss\n' "$(healthy_count)" "$(since "$start")"
done
all_healthy=$(since "$start")
printf 'all %d Healthy after %ss\n' "$N" "$all_healthy"

sleep 10
writes0=$(apiserver_writes)
ticks0=$(cpu_ticks)
sleep "$SETTLE"
writes1=$(apiserver_writes)
ticks1=$(cpu_ticks)
hz=$(getconf CLK_TCK)
cpu=$(python3 -c "import sys;print(f'{(int(sys.argv[2])-int(sys.argv[1]))/int(sys.argv[3])/int(sys.argv[4])*100:.2f}')" \
  "$ticks0" "$ticks1" "$hz" "$SETTLE")
rss=$(rss_mib)
heap=$(($(metric 'jvm_memory_bytes_used{area="heap"') / 1024 / 1024))
p50=$(quantile 0.5)
p99=$(quantile 0.99)
per_rollout=$(python3 -c "import sys;a=[int(x) for x in sys.argv[1:5]];print(f'{((a[1]-a[0])-(a[3]-a[2]))/int(sys.argv[5])*60/int(sys.argv[6]):.4f}')" \
  "$writes0" "$writes1" "$base0" "$base1" "$N" "$SETTLE")

lg_stack_stop_pidfile "$PIDFILE"
restart=$(now)
lg_stack_operator_start "$PORT" "$LOG" "$PIDFILE"
startup=$(since "$restart")

cat <<EOF

fleet of $N Rollouts (1 replica each)
  time until all Healthy          ${all_healthy}s
  operator RSS, settled           ${rss} MiB
  operator heap used, settled     ${heap} MiB
  operator CPU at rest            ${cpu}% of one core over ${SETTLE}s
  reconcile duration p50          ${p50}
  reconcile duration p99          ${p99}
  mutating API requests at rest   ${per_rollout} per Rollout per minute (above the cluster's own baseline)
  start to ready with the fleet   ${startup}s
EOF
