#!/usr/bin/env bash
# Fleet benchmark: N Rollouts (1 replica each, simulated nodes) created at once.
#
#   hack/bench-fleet.sh [--rollouts 1000] [--settle 60] [--bursts 3] [--memory-limit 512m] [--timeout 3600]
#
# --timeout bounds the wait for all to be Healthy: past it the figures are taken with the fleet
# as far as it got (how to find where the machine stops).
#
# Prints: time until all are Healthy; the operator's RSS and heap once settled; its CPU at
# rest over the settle window; reconcile duration p50/p99 from its own histogram, during the
# creation and in steady state (--bursts times over, every Rollout reconciled once more with
# nothing to do; with the heap allocated per reconcile and the collections meanwhile); mutating
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
LIMIT=512m
TIMEOUT=3600
BURSTS=3
while (($#)); do
  case "$1" in
    --rollouts) N="${2:?--rollouts needs a number}"; shift 2 ;;
    --settle) SETTLE="${2:?--settle needs seconds}"; shift 2 ;;
    --memory-limit) LIMIT="${2:?--memory-limit needs a size such as 512m}"; shift 2 ;;
    --timeout) TIMEOUT="${2:?--timeout needs seconds}"; shift 2 ;;
    --bursts) BURSTS="${2:?--bursts needs a number}"; shift 2 ;;
    *) lg_die "unknown argument '$1' (use --rollouts N --settle SECONDS --bursts N --memory-limit SIZE --timeout SECONDS)" ;;
  esac
done
[[ $N =~ ^[0-9]+$ && $SETTLE =~ ^[0-9]+$ && $TIMEOUT =~ ^[0-9]+$ && $BURSTS =~ ^[1-9][0-9]*$ ]] ||
  lg_die "--rollouts, --settle, --bursts and --timeout take whole numbers (--bursts at least 1)"
[[ $LIMIT =~ ^[0-9]+[mMgG]$ ]] || lg_die "--memory-limit takes a size such as 512m or 2g"

ROOT="$(lg_repo_root)"
STATE="$(lg_state_dir)"
NS=bench-fleet
# --memory-limit stands for the container's memory limit (the chart's default is 512Mi); the
# chart's JVM options size the heap from it.
export LG_OPERATOR_JAVA_OPTS="${LG_OPERATOR_JAVA_OPTS:--XX:MaxRAM=$LIMIT $(lg_stack_chart_java_opts)}"
PORT=38080
PIDFILE="$STATE/pids/fleet-operator.pid"
LOG="$STATE/logs/fleet-operator.log"
k() { lg_kubectl "$@"; }
cleanup() {
  lg_stack_stop_pidfile "$PIDFILE"
  k delete namespace "$NS" --ignore-not-found --wait=false >/dev/null 2>&1 || true
  lg_stack_cluster_release
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cd "$ROOT"
mkdir -p "$STATE/pids" "$STATE/logs"
lg_stack_cluster_acquire
hack/install-crds.sh >/dev/null
k delete namespace "$NS" --ignore-not-found --wait=true --timeout=300s >/dev/null
k create namespace "$NS" >/dev/null
k label namespace "$NS" lastgood.dev/environment=production >/dev/null

now() { date +%s.%N; }
since() { # START [DECIMALS]: seconds from START to now
  python3 -c "import sys;print(f'{float(sys.argv[2])-float(sys.argv[1]):.{int(sys.argv[3])}f}')" "$1" "$(now)" "${2:-1}"
}
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
buckets() { # the reconcile histogram's cumulative buckets now, as "le count" lines
  curl -fsS "http://127.0.0.1:$PORT/metrics" |
    sed -n 's/^lastgood_reconcile_duration_seconds_bucket{le="\([^"]*\)",\{0,1\}} \(.*\)$/\1 \2/p'
}
reconciles() { curl -fsS "http://127.0.0.1:$PORT/metrics" | awk '/^lastgood_reconcile_duration_seconds_count/ {printf "%.0f\n", $NF}'; }
heap_figures() { # one scrape: heap allocated so far (bytes), then GC count and seconds per collector
  curl -fsS "http://127.0.0.1:$PORT/metrics" | python3 -c '
import re, sys
text = sys.stdin.read()
def val(name, label):
    m = re.search("^" + re.escape(name) + "[{]" + re.escape(label) + ",?[}] (\\S+)$", text, re.M)
    return float(m.group(1)) if m else 0.0
# Eden usage now plus all Eden usage collected before: what was allocated, give or take a TLAB.
print(int(val("jvm_memory_pool_allocated_bytes_total", "pool=\"Eden Space\"")
          + val("jvm_memory_pool_bytes_used", "pool=\"Eden Space\"")))
for gc in re.findall("^jvm_gc_collection_seconds_count[{]gc=\"([^\"]*)\",?[}]", text, re.M):
    print(gc, int(val("jvm_gc_collection_seconds_count", "gc=\"%s\"" % gc)),
          val("jvm_gc_collection_seconds_sum", "gc=\"%s\"" % gc))
'
}
heap_delta() { # BEFORE AFTER COUNT: heap allocated per reconcile, and the collections in between
  python3 - "$1" "$2" "$3" <<'PY'
import sys
def read(path):
    lines = open(path).read().split("\n")
    gcs = {l.split()[0]: (int(l.split()[1]), float(l.split()[2])) for l in lines[1:] if l.strip()}
    return int(lines[0]), gcs
(a0, g0), (a1, g1), n = read(sys.argv[1]), read(sys.argv[2]), int(sys.argv[3])
gcs = ", ".join(f"{name} {g1[name][0] - g0.get(name, (0, 0))[0]}"
                f" ({(g1[name][1] - g0.get(name, (0, 0))[1]) * 1000:.0f} ms)" for name in sorted(g1))
print(f"{(a1 - a0) / max(n, 1) / 1024:.0f} KiB allocated per reconcile (the bench's own scrapes included);"
      f" collections: {gcs}")
PY
}
quantiles() { # BEFORE AFTER: p50 and p99 of the reconciles between two bucket snapshots
  python3 - "$1" "$2" <<'PY'
import sys
def read(path):
    return [(float(le), float(c)) for le, c in (line.split() for line in open(path))]
before, after = read(sys.argv[1]), read(sys.argv[2])
delta = [(le, a - b) for (le, a), (_, b) in zip(after, before)]
total = delta[-1][1]
def q(x):
    for le, c in delta:
        if c >= x * total:
            return "over 10 s" if le == float("inf") else f"<= {le * 1000:g} ms"
print(f"{int(total)} reconciles: p50 {q(0.5)}, p99 {q(0.99)} (bucket bounds)")
PY
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
buckets >"$STATE/fleet-buckets-0"
start=$(now)
k apply --server-side -f "$manifest" >/dev/null
printf 'created in %ss\n' "$(since "$start")"
deadline=$((SECONDS + TIMEOUT))
until [[ $(healthy_count) -ge $N ]] || ((SECONDS > deadline)); do
  sleep 5
  printf '  %s healthy after %ss\n' "$(healthy_count)" "$(since "$start")"
done
all_healthy="$(since "$start")s"
if [[ $(healthy_count) -ge $N ]]; then
  printf 'all %d Healthy after %s\n' "$N" "$all_healthy"
else
  all_healthy="not reached: $(healthy_count) of $N after ${TIMEOUT}s"
  printf '%s\n' "$all_healthy"
fi

buckets >"$STATE/fleet-buckets-1"
storm=$(quantiles "$STATE/fleet-buckets-0" "$STATE/fleet-buckets-1")

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

# Steady state: a namespace label change makes every Rollout in it reconcile once with nothing
# to change, the work a resync or an unrelated event costs. Several bursts, 5 s apart: one burst
# is 1,000 samples, and a single collection more or less can decide its p99.
steady=""
for burst in $(seq 1 "$BURSTS"); do
  buckets >"$STATE/fleet-buckets-2"
  heap_figures >"$STATE/fleet-heap-0"
  count0=$(reconciles)
  k label namespace "$NS" bench-touch="$(date +%s%N)" --overwrite >/dev/null
  end=$((SECONDS + 300))
  until (($(reconciles) - count0 >= N)) || ((SECONDS > end)); do sleep 1; done
  sleep 2
  buckets >"$STATE/fleet-buckets-3"
  heap_figures >"$STATE/fleet-heap-1"
  steady+="
    burst $burst: $(quantiles "$STATE/fleet-buckets-2" "$STATE/fleet-buckets-3")
             $(heap_delta "$STATE/fleet-heap-0" "$STATE/fleet-heap-1" "$(($(reconciles) - count0))")"
  sleep 5
done
per_rollout=$(python3 -c "import sys;a=[int(x) for x in sys.argv[1:5]];print(f'{((a[1]-a[0])-(a[3]-a[2]))/int(sys.argv[5])*60/int(sys.argv[6]):.4f}')" \
  "$writes0" "$writes1" "$base0" "$base1" "$N" "$SETTLE")

# Start-up, three times over (one start is too noisy on a shared machine): min / median / max.
lg_stack_operator_build "$LOG" # a changed source tree must not count as start-up time
starts=()
for _ in 1 2 3; do
  lg_stack_stop_pidfile "$PIDFILE"
  restart=$(now)
  lg_stack_operator_start "$PORT" "$LOG" "$PIDFILE"
  starts+=("$(since "$restart" 2)")
done
startup=$(printf '%s\n' "${starts[@]}" | sort -n | paste -sd' ' | awk '{printf "%ss / %ss / %ss (min / median / max of 3)", $1, $2, $3}')

cat <<EOF

fleet of $N Rollouts (1 replica each), memory limit $LIMIT
  time until all Healthy          ${all_healthy}
  operator RSS, settled           ${rss} MiB
  operator heap used, settled     ${heap} MiB
  operator CPU at rest            ${cpu}% of one core over ${SETTLE}s
  reconcile, creation until all Healthy   ${storm}
  reconcile, steady state (all touched, ${BURSTS} bursts)${steady}
  mutating API requests at rest   ${per_rollout} per Rollout per minute (above the cluster's own baseline)
  start to ready with the fleet   ${startup}
EOF
