#!/usr/bin/env bash
# Concurrency benchmark: many Rollouts progressing at once with analysis, and rollbacks while
# they do.
#
#   hack/bench-concurrency.sh [--rollouts 100] [--victims 10] [--pause 20]
#
# On the local cluster (started if needed) with the operator (the chart's JVM options), the
# synthetic gateway and Prometheus:
#   1. --rollouts Rollouts (2 replicas, HTTPRoute, analysis every 5s on their own error rate)
#      deploy v1; then all of them are pointed at a healthy v2 at the same moment and progress
#      20% -> pause -> 50% -> pause -> 100%.
#   2. While they progress, --victims other Rollouts are pointed, one every 2 s, at a release
#      that answers 401 to every request (analysis every 1s).
# Watches on the Rollouts and HTTPRoutes stamp every change with the local clock as it
# arrives. Printed:
#   - how late each timed pause ended: from its deadline (stepStartedAt + duration, as the
#     operator recorded it) to the watch seeing the Rollout on its next step;
#   - starvation: the time each Rollout took from being pointed at v2 to Healthy on v2;
#   - rollback latency: from the first failing measurement (stamped by the operator when the
#     round started) to the watch seeing the victim's route at 100% stable.
set -euo pipefail
# shellcheck source=hack/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=hack/lib/stack.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/stack.sh"

N=100
VICTIMS=10
PAUSE=20
while (($#)); do
  case "$1" in
    --rollouts) N="${2:?--rollouts needs a number}"; shift 2 ;;
    --victims) VICTIMS="${2:?--victims needs a number}"; shift 2 ;;
    --pause) PAUSE="${2:?--pause needs seconds}"; shift 2 ;;
    *) lg_die "unknown argument '$1' (use --rollouts N --victims N --pause SECONDS)" ;;
  esac
done
[[ $N =~ ^[0-9]+$ && $VICTIMS =~ ^[0-9]+$ && $PAUSE =~ ^[0-9]+$ ]] && ((N > 0 && PAUSE > 0)) ||
  lg_die "--rollouts, --victims and --pause take whole numbers (rollouts and pause > 0)"

ROOT="$(lg_repo_root)"
STATE="$(lg_state_dir)"
NS=bench-concurrency
PROM_PORT=29091
GATEWAY_ADDR=127.0.0.1:29465
OPERATOR_PORT=28081
OPERATOR_PID="$STATE/pids/conc-operator.pid"
GATEWAY_PID="$STATE/pids/conc-gateway.pid"
OUT="$STATE/bench-concurrency"
WATCH_PIDS=()
k() { lg_kubectl "$@"; }

cleanup() {
  for p in "${WATCH_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
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
rm -rf "$OUT" && mkdir -p "$OUT"
lg_stack_cluster_acquire
hack/install-crds.sh >/dev/null
hack/prometheus.sh install >/dev/null
k delete namespace "$NS" --ignore-not-found --wait=true --timeout=300s >/dev/null
k create namespace "$NS" >/dev/null
k label namespace "$NS" lastgood.dev/environment=production >/dev/null

lg_stack_operator_start "$OPERATOR_PORT" "$STATE/logs/conc-operator.log" "$OPERATOR_PID"
lg_stack_gateway_start "$GATEWAY_ADDR" "$NS" "$STATE/logs/conc-gateway.log" "$GATEWAY_PID"
hack/prometheus.sh down >/dev/null 2>&1 || true
hack/prometheus.sh up --port "$PROM_PORT" --target "$GATEWAY_ADDR" >/dev/null

now() { date +%s.%N; }
# A release per application and version; each Rollout is its own application, so that its
# analysis reads only its own traffic.
release() { # APP VERSION BEHAVIOUR
  cat <<EOF
---
apiVersion: lastgood.dev/v1alpha1
kind: BuildRelease
metadata: {name: $1-$2, namespace: $NS}
spec:
  application: $1
  version: $2
  environment: production
  image: registry.example/$1@sha256:$(printf '%s' "$1-$2" | sha256sum | cut -c1-64)
  env: [{name: DEMO_BEHAVIOUR, value: $3}]
EOF
}
rollout() { # NAME STEPS INTERVAL
  cat <<EOF
---
apiVersion: lastgood.dev/v1alpha1
kind: Rollout
metadata: {name: $1, namespace: $NS}
spec:
  environment: production
  application: $1
  release: {name: $1-v1}
  replicas: 2
  service: {port: 80}
  template: {spec: {containers: [{name: app}]}}
  traffic: {gatewayAPI: {parentRefs: [{name: public}]}}
  steps: $2
  analysis:
    interval: $3
    failureLimit: 0
    inconclusiveLimit: 3
    metrics:
      - name: error-rate
        prometheus:
          address: http://127.0.0.1:$PROM_PORT
          query: >-
            (sum(rate(http_requests_total{namespace="{{namespace}}",app="{{rollout}}",version="{{canary.version}}",code!~"2.."}[5s]))
            or vector(0))
            / sum(rate(http_requests_total{namespace="{{namespace}}",app="{{rollout}}",version="{{canary.version}}"}[5s]))
        max: 0.05
EOF
}
STEPS="[{setWeight: 20}, {pause: {duration: ${PAUSE}s}}, {setWeight: 50}, {pause: {duration: ${PAUSE}s}}, {setWeight: 100}]"
{
  for i in $(seq 1 "$N"); do
    release "c$i" v1 healthy
    release "c$i" v2 healthy
    rollout "c$i" "$STEPS" 5s
  done
  for i in $(seq 1 "$VICTIMS"); do
    release "v$i" v1 healthy
    release "v$i" v2 unauthorized
    rollout "v$i" "[{setWeight: 50}, {pause: {duration: 1h}}]" 1s
  done
} >"$OUT/manifests.yaml"
k apply --server-side -f "$OUT/manifests.yaml" >/dev/null
total=$((N + VICTIMS))
healthy_on() { # VERSION: how many Rollouts are Healthy with that stable version
  k -n "$NS" get rollouts -o 'jsonpath={range .items[*]}{.status.phase}/{.status.stable.version}{"\n"}{end}' |
    grep -c "^Healthy/$1\$" || true
}
end=$((SECONDS + 900))
until (($(healthy_on v1) >= total)); do
  ((SECONDS < end)) || lg_die "not all $total Rollouts were Healthy on v1 within 900s"
  sleep 5
done
printf '%d Rollouts Healthy on v1\n' "$total"

# Stamp every change as it arrives. Python reads line by line and stamps at once.
stamp() { python3 -u -c 'import sys, time
for line in iter(sys.stdin.readline, ""):
    sys.stdout.write(f"{time.time():.3f}|{line}")'; }
# Started as plain commands (not through the k function, which would add a subshell), so $! is
# the watch itself: stopping it ends its stamper too.
KUBECTL="$(lg_bin_dir)/kubectl"
"$KUBECTL" --kubeconfig "$(lg_kubeconfig)" -n "$NS" get rollouts -w -o 'jsonpath={.metadata.name}|{.status.phase}|{.status.currentStepIndex}|{.status.stepStartedAt}|{.status.stable.version}{"\n"}' \
  > >(stamp >"$OUT/rollouts.log") 2>/dev/null &
WATCH_PIDS+=($!)
"$KUBECTL" --kubeconfig "$(lg_kubeconfig)" -n "$NS" get httproutes -w -o 'jsonpath={.metadata.name}|{.spec.rules[0].backendRefs[1].weight}{"\n"}' \
  > >(stamp >"$OUT/routes.log") 2>/dev/null &
WATCH_PIDS+=($!)
sleep 3

point() { printf '{"spec":{"release":{"name":"%s-v2"}}}' "$1"; }
# One server-side apply of all of them: the same field manager as the creation, so only the
# release changes, and all within a second or two.
for i in $(seq 1 "$N"); do rollout "c$i" "$STEPS" 5s; done | sed 's/release: {name: \(c[0-9]*\)-v1}/release: {name: \1-v2}/' >"$OUT/v2.yaml"
t0=$(now)
k apply --server-side -f "$OUT/v2.yaml" >/dev/null
printf 'pointed %d Rollouts at v2 in %.1fs\n' "$N" "$(python3 -c "import sys;print(float(sys.argv[2])-float(sys.argv[1]))" "$t0" "$(now)")"
: >"$OUT/victims.txt"
for i in $(seq 1 "$VICTIMS"); do
  sleep 2
  printf 'v%d %s\n' "$i" "$(now)" >>"$OUT/victims.txt"
  k -n "$NS" patch rollout "v$i" --type=merge -p "$(point "v$i")" >/dev/null
done

end=$((SECONDS + 900))
until (($(healthy_on v2) >= N)); do
  ((SECONDS < end)) || { printf 'not all %d Rollouts reached v2 within 900s\n' "$N"; break; }
  sleep 2
done
sleep 3
for i in $(seq 1 "$VICTIMS"); do
  printf 'v%d %s\n' "$i" "$(k -n "$NS" get rollout "v$i" \
    -o 'jsonpath={.status.phase}|{.status.analysis.metrics[0].measurements[?(@.result=="Failed")].at}')"
done >"$OUT/victim-status.txt"
for p in "${WATCH_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
WATCH_PIDS=()

python3 - "$OUT" "$t0" "$N" "$PAUSE" <<'PY'
import sys, datetime, statistics
out, t0, n, pause = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
def ts(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
def lines(name):
    for line in open(f"{out}/{name}"):
        parts = line.rstrip("\n").split("|")
        yield float(parts[0]), parts[1:]
routes = {}
for at, (name, weight) in lines("routes.log"):
    routes.setdefault(name, []).append((at, int(weight) if weight else None))
# Pauses: every (rollout, step, stepStartedAt) seen at a pause step after t0.
# A pause ends when the Rollout leaves its step: the first change the watch sees with another
# step (or none, once promoted). The route follows after the canary has the replicas it needs.
pauses, ends, done = {}, {}, {}
for at, (name, phase, step, started, stable) in lines("rollouts.log"):
    if not name.startswith("c") or at < t0:
        continue
    if step in ("1", "3") and started:
        pauses.setdefault((name, step), ts(started))
    for (n2, s2) in pauses:
        if n2 == name and s2 != step and (n2, s2) not in ends:
            ends[(n2, s2)] = at
    if phase == "Healthy" and stable == "v2" and name not in done:
        done[name] = at - t0
late = [ends[key] - (started + pause) for key, started in pauses.items() if key in ends]
def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]
print()
print(f"{n} Rollouts progressing at once, {int(pause)}s pauses, analysis every 5s")
if late:
    within = sum(1 for x in late if x <= 2.0)
    print(f"  pause end after its deadline   {len(late)} pauses: min {min(late):.2f}s, median {statistics.median(late):.2f}s,"
          f" p99 {pct(late, 0.99):.2f}s, max {max(late):.2f}s; {within}/{len(late)} within 2 s")
else:
    print("  pause end after its deadline   no pause observed")
if done:
    times = sorted(done.values())
    print(f"  pointed at v2 -> Healthy on v2 {len(times)}/{n} Rollouts: min {times[0]:.1f}s, median {statistics.median(times):.1f}s,"
          f" max {times[-1]:.1f}s (the steps alone take {2 * pause:.0f}s)")
latencies = []
pointed = {l.split()[0]: float(l.split()[1]) for l in open(f"{out}/victims.txt")}
for line in open(f"{out}/victim-status.txt"):
    name, rest = line.split(" ", 1)
    phase, failed = (rest.strip().split("|") + [""])[:2]
    if not failed:
        print(f"  {name}: no failing measurement recorded (phase {phase})")
        continue
    failed_at = ts(failed.split()[0])
    back = next((at for at, w in routes.get(name, []) if at > pointed[name] and w == 0
                 and any(a < at and w2 and w2 > 0 for a, w2 in routes[name] if a > pointed[name])), None)
    if back is None:
        print(f"  {name}: route never seen back at 100% stable (phase {phase})")
        continue
    latencies.append((back - failed_at) * 1000)
if latencies:
    print(f"  rollback under load            {len(latencies)} rollbacks: min {min(latencies):.0f} ms,"
          f" median {statistics.median(latencies):.0f} ms, p99 {pct(latencies, 0.99):.0f} ms, max {max(latencies):.0f} ms")
PY
