#!/usr/bin/env bash
# The incident replay: Lastgood stops, on a local cluster, each step of the failure chain it
# exists to prevent.
#
#   hack/demo.sh          tell the whole story, check every stage, stop what it started
#   hack/demo.sh --keep   leave the cluster, operator, gateway and Prometheus running
#   hack/demo.sh --stop   stop what a --keep run left running (and remove the cluster's state)
#
# Stages: a production Rollout serves v1; it is pointed at a staging build and refuses it; a
# healthy v2 moves through weighted steps under analysis and is promoted; v3 answers 401 to
# every request, and Lastgood rolls back to v2 by itself, using nothing but the API server.
# Exits 0 only if every stage behaved as expected; otherwise non-zero, naming the stage.
set -euo pipefail
# shellcheck source=hack/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=hack/lib/stack.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/stack.sh"

ROOT="$(lg_repo_root)"
STATE="$(lg_state_dir)"
SAMPLES="$ROOT/config/samples/demo"
NS=kv-production
OPERATOR_PORT="${LG_DEMO_OPERATOR_PORT:-18080}"
GATEWAY_ADDR="127.0.0.1:${LG_DEMO_GATEWAY_PORT:-19464}"
PROM_PORT="${LG_DEMO_PROM_PORT:-19090}" # replaces the port in the Rollout sample's analysis address
KEEP=0
STOP=0

for arg in "$@"; do
  case "$arg" in
    --keep) KEEP=1 ;;
    --stop) STOP=1 ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    *) lg_die "unknown argument '$arg' (use --keep, --stop or --help)" ;;
  esac
done

cd "$ROOT"
mkdir -p "$STATE/pids" "$STATE/logs"
OPERATOR_PID="$STATE/pids/demo-operator.pid"
GATEWAY_PID="$STATE/pids/demo-gateway.pid"

if ((STOP)); then
  # Only processes whose PID files this demo wrote and that are still ours (see stack.sh).
  lg_stack_stop_pidfile "$GATEWAY_PID"
  lg_stack_stop_pidfile "$OPERATOR_PID"
  hack/prometheus.sh down || true
  hack/local-cluster.sh down
  exit 0
fi

TIMELINE_PIDS=()
STARTED_CLUSTER=0
STAGE="setup"
OK=0

k() { lg_kubectl "$@"; }
clock() { date +%H:%M:%S.%3N; }
say() { printf '%s  %s\n' "$(clock)" "$*"; }
stage() {
  STAGE="$1"
  printf '\n=== %s\n' "$2"
}
fail() {
  printf '\ndemo FAILED at stage "%s": %s\n' "$STAGE" "$*" >&2
  printf 'operator log: %s\n' "$STATE/logs/demo-operator.log" >&2
  exit 1
}

cleanup() {
  local rc=$?
  for pid in "${TIMELINE_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  if ((KEEP && OK)); then
    cat <<EOF

Everything is still running. Explore:
  export KUBECONFIG=$STATE/kubeconfig
  export PATH=$(lg_bin_dir):\$PATH   # the kubectl matching the server
  kubectl get rollouts,buildreleases -A
  kubectl -n $NS describe rollout kv
  Prometheus:        http://127.0.0.1:$PROM_PORT
  synthetic gateway: http://$GATEWAY_ADDR/metrics
  operator metrics:  http://127.0.0.1:$OPERATOR_PORT/metrics
Stop it all:
  hack/demo.sh --stop
EOF
    exit "$rc"
  fi
  lg_stack_stop_pidfile "$GATEWAY_PID"
  lg_stack_stop_pidfile "$OPERATOR_PID"
  hack/prometheus.sh down >/dev/null 2>&1 || true
  if ((STARTED_CLUSTER)); then
    hack/local-cluster.sh down >/dev/null 2>&1 || true
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'printf "\ninterrupted\n" >&2; exit 130' INT TERM

# --- helpers over the Rollout's status ---------------------------------------------------
jp() { k -n "$NS" get rollout kv -o "jsonpath=$1" 2>/dev/null || true; }
route_weights() {
  k -n "$NS" get httproute kv \
    -o 'jsonpath={.spec.rules[0].backendRefs[0].weight}/{.spec.rules[0].backendRefs[1].weight}' 2>/dev/null || true
}
# wait_for SECONDS DESCRIPTION TEST...: polls until TEST succeeds.
wait_for() {
  local limit=$1 what=$2
  shift 2
  local end=$((SECONDS + limit))
  until "$@"; do
    ((SECONDS < end)) || fail "$what did not happen within ${limit}s (phase $(jp '{.status.phase}'): $(jp '{.status.message}'))"
    sleep 0.3
  done
}
healthy_on() { [[ "$(jp '{.status.phase}|{.status.stable.version}')" == "Healthy|$1" ]]; }
phase_is() { [[ "$(jp '{.status.phase}')" == "$1" ]]; }

# Prints a line whenever the phase, the weights or the versions change, and every event.
start_timeline() {
  (
    last=""
    while true; do
      cur="$(jp '{.status.phase}|{.status.stable.version}|{.status.canary.version}')|$(route_weights)"
      if [[ $cur != "$last" ]]; then
        IFS='|' read -r phase stable canary weights <<<"$cur"
        printf '%s  %-11s route stable/canary %-7s stable=%-4s canary=%s\n' \
          "$(clock)" "${phase:--}" "${weights:--}" "${stable:--}" "${canary:--}"
        last=$cur
      fi
      sleep 0.25
    done
  ) &
  TIMELINE_PIDS+=($!)
  # Only Lastgood's own events (on Rollouts): the timeline is about releases, not pods.
  # The watch runs as the background job itself, so $! is kubectl's PID and stopping it ends
  # the whole pipeline.
  k -n "$NS" get events.v1.events.k8s.io --watch-only --no-headers \
    --field-selector regarding.kind=Rollout \
    -o 'custom-columns=TYPE:.type,REASON:.reason,NOTE:.note' 2>/dev/null > >(
    while read -r type reason note; do
      printf '%s  %-7s %-16s %s\n' "$(clock)" "$type" "$reason" "$note"
    done
  ) &
  TIMELINE_PIDS+=($!)
}

# --- 1. the local cluster, CRDs, Prometheus, operator, synthetic gateway -----------------
stage setup "1. Local cluster, operator, synthetic gateway and Prometheus"
if ! hack/local-cluster.sh status >/dev/null 2>&1; then
  hack/local-cluster.sh up
  STARTED_CLUSTER=1
else
  say "reusing the running local cluster"
fi
hack/install-crds.sh
hack/prometheus.sh install >/dev/null

# A previous run (interrupted, or --keep) may have left its own processes and namespaces.
lg_stack_stop_pidfile "$GATEWAY_PID"
lg_stack_stop_pidfile "$OPERATOR_PID"
hack/prometheus.sh down >/dev/null 2>&1 || true
k delete namespace kv-staging kv-production --ignore-not-found --wait=true --timeout=90s >/dev/null

lg_stack_operator_start "$OPERATOR_PORT" "$STATE/logs/demo-operator.log" "$OPERATOR_PID"
say "operator ready (java -jar target/quarkus-app/quarkus-run.jar, pid $(cat "$OPERATOR_PID"))"
lg_stack_gateway_start "$GATEWAY_ADDR" "$NS" "$STATE/logs/demo-gateway.log" "$GATEWAY_PID"
hack/prometheus.sh up --port "$PROM_PORT" --target "$GATEWAY_ADDR" >/dev/null ||
  fail "Prometheus did not start; see $STATE/logs/prometheus.log"
say "synthetic gateway on $GATEWAY_ADDR, Prometheus on 127.0.0.1:$PROM_PORT"

# --- 2a. production serves v1 -------------------------------------------------------------
stage serve-v1 "2a. Namespaces kv-staging and kv-production; the production Rollout serves v1"
k apply -f "$SAMPLES/00-namespaces.yaml" -f "$SAMPLES/10-release-v1.yaml" >/dev/null
sed "s|127.0.0.1:19090|127.0.0.1:$PROM_PORT|" "$SAMPLES/20-rollout.yaml" | k apply -f - >/dev/null
start_timeline
wait_for 90 "v1 becoming healthy" healthy_on v1
sleep 1
[[ "$(route_weights)" == "100/0" ]] || fail "route is $(route_weights), expected 100/0 on v1"

# --- 2b. pointed at a staging build: rejected, traffic stays -----------------------------
stage reject-staging "2b. Production pointed at a build from kv-staging"
k apply -f "$SAMPLES/30-release-v2-staging.yaml" >/dev/null
k -n "$NS" patch rollout kv --type=merge \
  -p '{"spec":{"release":{"name":"kv-v2","namespace":"kv-staging"}}}' >/dev/null
wait_for 30 "the rejection" phase_is Rejected
reason="$(jp '{.status.conditions[?(@.type=="ReleaseVerified")].reason}')"
[[ $reason == EnvironmentMismatch ]] || fail "ReleaseVerified reason is '$reason', expected EnvironmentMismatch"
sleep 3
[[ "$(route_weights)" == "100/0" ]] || fail "traffic moved to $(route_weights) after a rejection"
[[ "$(jp '{.status.stable.version}')" == v1 ]] || fail "stable is no longer v1"
say "rejected: $(jp '{.status.message}')"
say "traffic stays on v1: route $(route_weights)"

# --- 2c. a healthy v2 moves up in steps and is promoted ----------------------------------
stage promote-v2 "2c. A healthy production v2: weighted steps under analysis, then promotion"
k apply -f "$SAMPLES/40-release-v2.yaml" >/dev/null
k -n "$NS" patch rollout kv --type=merge \
  -p '{"spec":{"release":{"name":"kv-v2","namespace":"kv-production"}}}' >/dev/null
wait_for 150 "v2 promotion" healthy_on v2
history="$(jp '{.status.history[*].version}')"
[[ $history == "v1 v2" ]] || fail "history is '$history', expected 'v1 v2'"
say "v2 promoted and recorded as last-good (history: $history)"

# --- 2d. v3 answers 401: automatic rollback to v2 ----------------------------------------
stage rollback-v3 "2d. v3 answers 401 Unauthorized to every request: automatic rollback"
k apply -f "$SAMPLES/50-release-v3.yaml" >/dev/null
k -n "$NS" patch rollout kv --type=merge -p '{"spec":{"release":{"name":"kv-v3"}}}' >/dev/null
saw_traffic=0
end=$((SECONDS + 120))
while true; do
  w="$(route_weights)"
  [[ $w != "100/0" && -n $w ]] && saw_traffic=1
  if ((saw_traffic)) && [[ $w == "100/0" ]]; then
    back_at="$(date +%s.%N)"
    break
  fi
  ((SECONDS < end)) || fail "traffic never returned to v2 (route $w, phase $(jp '{.status.phase}'))"
  sleep 0.1
done
wait_for 10 "phase RolledBack" phase_is RolledBack
[[ "$(jp '{.status.stable.version}')" == v2 ]] || fail "stable is not v2 after the rollback"
[[ "$(k -n "$NS" get deployment kv-canary -o 'jsonpath={.spec.replicas}')" == 0 ]] ||
  fail "the canary was not scaled to 0"
first_failed="$(jp '{.status.analysis.metrics[0].measurements[?(@.result=="Failed")].at}' | awk '{print $1}')"
[[ -n $first_failed ]] || fail "no failed measurement recorded in status"
seconds=$(python3 -c "import sys,datetime as d;f=d.datetime.fromisoformat(sys.argv[1].replace('Z','+00:00')).timestamp();print(f'{float(sys.argv[2])-f:.2f}')" "$first_failed" "$back_at")
say "rolled back to v2: $(jp '{.status.message}')"
say "first failing measurement at $first_failed; route 100% on v2 ${seconds}s later; no human, no service but the API server"

# --- 2e. what an admin sees ---------------------------------------------------------------
stage inspect "2e. What a cluster admin sees"
sleep 1
for pid in "${TIMELINE_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
TIMELINE_PIDS=()
echo "\$ kubectl get rollouts,buildreleases -A"
k get rollouts,buildreleases -A
echo
echo "\$ kubectl -n $NS describe rollout kv   (status part)"
k -n "$NS" describe rollout kv | sed -n '/^Status:/,$p'
echo
echo "\$ kubectl -n $NS get events --sort-by=.metadata.creationTimestamp"
k -n "$NS" get events --sort-by=.metadata.creationTimestamp --field-selector involvedObject.kind=Rollout
OK=1
printf '\ndemo OK: rejected the staging build, promoted v2 in steps, rolled v3 back to v2 in %ss\n' "$seconds"
