#!/usr/bin/env bash
# Rollback latency: the time from the first failing measurement to the route at 100% stable.
#
#   hack/bench-rollback.sh [--runs 20]
#
# On the local cluster (started if needed) with the operator, the synthetic gateway and
# Prometheus, one Rollout is sent a release that answers 401 to every request, --runs times.
# For each run it takes the time of the first Failed measurement from status.analysis (the
# operator stamps it when the round starts) and the time a watch on the HTTPRoute saw the
# canary weight return to 0, and prints every run and the min, median and max.
set -euo pipefail
# shellcheck source=hack/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=hack/lib/stack.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/stack.sh"

RUNS=20
while (($#)); do
  case "$1" in
    --runs) RUNS="${2:?--runs needs a number}"; shift 2 ;;
    *) lg_die "unknown argument '$1' (use --runs N)" ;;
  esac
done
[[ $RUNS =~ ^[0-9]+$ ]] && ((RUNS > 0)) || lg_die "--runs must be a positive number"

ROOT="$(lg_repo_root)"
STATE="$(lg_state_dir)"
NS=bench-rollback
PROM_PORT=29090
GATEWAY_ADDR=127.0.0.1:29464
OPERATOR_PID="$STATE/pids/bench-operator.pid"
GATEWAY_PID="$STATE/pids/bench-gateway.pid"
WATCH_LOG="$STATE/logs/bench-route-watch.log"
WATCH_PID=""
k() { lg_kubectl "$@"; }

cleanup() {
  [[ -n $WATCH_PID ]] && kill "$WATCH_PID" 2>/dev/null || true
  lg_stack_stop_pidfile "$GATEWAY_PID"
  lg_stack_stop_pidfile "$OPERATOR_PID"
  hack/prometheus.sh down >/dev/null 2>&1 || true
  k delete namespace "$NS" --ignore-not-found --wait=false >/dev/null 2>&1 || true
  lg_stack_cluster_release
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cd "$ROOT"
mkdir -p "$STATE/pids" "$STATE/logs"
lg_stack_cluster_acquire
hack/install-crds.sh >/dev/null
hack/prometheus.sh install >/dev/null
k delete namespace "$NS" --ignore-not-found --wait=true --timeout=90s >/dev/null
k create namespace "$NS" >/dev/null
k label namespace "$NS" lastgood.dev/environment=production >/dev/null

lg_stack_operator_start 28080 "$STATE/logs/bench-operator.log" "$OPERATOR_PID"
lg_stack_gateway_start "$GATEWAY_ADDR" "$NS" "$STATE/logs/bench-gateway.log" "$GATEWAY_PID"
hack/prometheus.sh down >/dev/null 2>&1 || true
hack/prometheus.sh up --port "$PROM_PORT" --target "$GATEWAY_ADDR" >/dev/null

release() { # NAME VERSION BEHAVIOUR
  local digest
  digest=$(printf '%s' "$2" | sha256sum | cut -c1-64)
  k apply -f - >/dev/null <<EOF
apiVersion: lastgood.dev/v1alpha1
kind: BuildRelease
metadata: {name: $1, namespace: $NS}
spec:
  application: bench
  version: $2
  environment: production
  image: registry.example/bench@sha256:$digest
  env: [{name: DEMO_BEHAVIOUR, value: $3}]
EOF
}
point_at() { k -n "$NS" patch rollout bench --type=merge -p "{\"spec\":{\"release\":{\"name\":\"$1\"}}}" >/dev/null; }
phase() { k -n "$NS" get rollout bench -o 'jsonpath={.status.phase}|{.status.stable.version}'; }
wait_phase() { # WANT SECONDS
  local end=$((SECONDS + $2))
  until [[ "$(phase)" == $1 ]]; do
    ((SECONDS < end)) || lg_die "rollout did not reach '$1' within $2s (now $(phase))"
    sleep 0.2
  done
}

release bench-good good healthy
k apply -f - >/dev/null <<EOF
apiVersion: lastgood.dev/v1alpha1
kind: Rollout
metadata: {name: bench, namespace: $NS}
spec:
  environment: production
  application: bench
  release: {name: bench-good}
  replicas: 2
  service: {port: 80}
  template: {spec: {containers: [{name: app}]}}
  traffic: {gatewayAPI: {parentRefs: [{name: public}]}}
  steps: [{setWeight: 50}, {pause: {duration: 1h}}]
  analysis:
    interval: 1s
    metrics:
      - name: error-rate
        prometheus:
          address: http://127.0.0.1:$PROM_PORT
          query: >-
            (sum(rate(http_requests_total{namespace="{{namespace}}",version="{{canary.version}}",code!~"2.."}[3s]))
            or vector(0))
            / sum(rate(http_requests_total{namespace="{{namespace}}",version="{{canary.version}}"}[3s]))
        max: 0.05
EOF
wait_phase "Healthy|good" 90

# A watch stamps every route change with the local clock as it arrives.
: >"$WATCH_LOG"
# A plain command (not the k function, which would add a subshell), so $! is the watch itself
# and stopping it ends the stamping loop too.
"$(lg_bin_dir)/kubectl" --kubeconfig "$(lg_kubeconfig)" -n "$NS" get httproute bench -w \
  -o 'jsonpath={.spec.rules[0].backendRefs[1].weight}{"\n"}' 2>/dev/null \
  > >(while read -r w; do printf '%s %s\n' "$(date +%s.%N)" "$w"; done >>"$WATCH_LOG") &
WATCH_PID=$!

results=()
for i in $(seq 1 "$RUNS"); do
  release "bench-bad-$i" "bad-$i" unauthorized
  lines_before=$(wc -l <"$WATCH_LOG")
  point_at "bench-bad-$i"
  wait_phase "RolledBack|good" 60
  sleep 0.5
  failed_at=$(k -n "$NS" get rollout bench \
    -o 'jsonpath={.status.analysis.metrics[0].measurements[?(@.result=="Failed")].at}' | awk '{print $1}')
  back_at=$(tail -n +"$((lines_before + 1))" "$WATCH_LOG" |
    awk 'seen && $2 == 0 {print $1; exit} $2 > 0 {seen = 1}')
  [[ -n $failed_at && -n $back_at ]] || lg_die "run $i: could not read the times (failed=$failed_at back=$back_at)"
  ms=$(python3 -c "import sys,datetime as d;f=d.datetime.fromisoformat(sys.argv[1].replace('Z','+00:00')).timestamp();print(round((float(sys.argv[2])-f)*1000))" "$failed_at" "$back_at")
  results+=("$ms")
  printf 'run %2d: first failing measurement -> route 100%% stable: %d ms\n' "$i" "$ms"
  point_at bench-good
  wait_phase "Healthy|good" 60
done

printf '%s\n' "${results[@]}" | sort -n | awk '
  { v[NR] = $1 }
  END {
    med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "rollback latency over %d runs: min %d ms, median %d ms, max %d ms\n", NR, v[1], med, v[NR]
  }'
