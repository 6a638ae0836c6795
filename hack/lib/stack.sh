# shellcheck shell=bash
# Starting and stopping the pieces the demo and the benchmarks run beside the local cluster:
# the operator jar, the synthetic gateway and Prometheus. Source after hack/lib/common.sh.
#
#   lg_stack_operator_start PORT LOG PIDFILE   build the jar if stale, start it with the chart's JVM
#                                              options (or LG_OPERATOR_JAVA_OPTS), wait until ready
#   lg_stack_gateway_start ADDR NAMESPACE LOG PIDFILE
#   lg_stack_stop_pidfile PIDFILE              stop what a PID file names (ours), then remove it
#   lg_stack_cluster_acquire                   start the local cluster unless it already runs
#   lg_stack_cluster_release                   stop it again if lg_stack_cluster_acquire started it

lg_stack_stop_pidfile() {
  local file=$1 pid
  [[ -f $file ]] || return 0
  pid=$(cat "$file")
  # A PID file can outlive its process, and the PID can be reused: only stop a process that
  # is still one of ours (the operator jar or the synthetic gateway).
  if kill -0 "$pid" 2>/dev/null && grep -qaE 'quarkus-run.jar|synthetic-gateway' "/proc/$pid/cmdline" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

# The JVM options the Helm chart runs the operator with (javaToolOptions in its values.yaml), so
# that the demo and the benchmarks measure what a cluster runs.
lg_stack_chart_java_opts() {
  sed -n 's/^javaToolOptions: "\(.*\)"$/\1/p' "$(lg_repo_root)/helm/lastgood/values.yaml"
}

# Builds the operator jar unless it is newer than its sources. LOG.build keeps the output.
lg_stack_operator_build() {
  local log=$1 root jar
  root="$(lg_repo_root)"
  jar="$root/target/quarkus-app/quarkus-run.jar"
  if [[ ! -f $jar ]] || [[ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$jar" -print -quit)" ]]; then
    printf 'building the operator (./mvnw package)\n'
    (cd "$root" && ./mvnw -B -q package -DskipTests >"$log.build" 2>&1) ||
      lg_die "the operator build failed; see $log.build"
  fi
}

lg_stack_operator_start() {
  local port=$1 log=$2 pidfile=$3 root jar end
  root="$(lg_repo_root)"
  jar="$root/target/quarkus-app/quarkus-run.jar"
  lg_stack_operator_build "$log"
  # shellcheck disable=SC2086 # the options are words
  KUBECONFIG="$(lg_kubeconfig)" MALLOC_ARENA_MAX=2 setsid java ${LG_OPERATOR_JAVA_OPTS:-$(lg_stack_chart_java_opts)} \
    -Dquarkus.http.host=127.0.0.1 \
    -Dquarkus.http.port="$port" -jar "$jar" >"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  end=$((SECONDS + 60))
  until curl -fsS "http://127.0.0.1:$port/q/health/ready" >/dev/null 2>&1; do
    kill -0 "$(cat "$pidfile")" 2>/dev/null || lg_die "the operator exited; see $log"
    ((SECONDS < end)) || lg_die "the operator was not ready within 60s; see $log"
    sleep 0.1 # the benchmarks time start-up by this loop
  done
}

lg_stack_gateway_start() {
  local addr=$1 namespace=$2 log=$3 pidfile=$4 bin
  bin="$(lg_cache_dir)/bin/synthetic-gateway"
  mkdir -p "$(dirname "$bin")"
  (cd "$(lg_repo_root)/hack/cluster" && GOFLAGS=-mod=mod go build -o "$bin" ./cmd/synthetic-gateway) ||
    lg_die "could not build the synthetic gateway"
  setsid "$bin" -kubeconfig "$(lg_kubeconfig)" -namespace "$namespace" -listen "$addr" -rps 50 \
    -max-duration 2h >"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
}

LG_STACK_STARTED_CLUSTER=0

lg_stack_cluster_acquire() {
  local script
  script="$(lg_repo_root)/hack/local-cluster.sh"
  if ! "$script" status >/dev/null 2>&1; then
    "$script" up
    LG_STACK_STARTED_CLUSTER=1
  fi
}

# A cluster someone else started is theirs to stop.
lg_stack_cluster_release() {
  if ((LG_STACK_STARTED_CLUSTER)); then
    "$(lg_repo_root)/hack/local-cluster.sh" down >/dev/null 2>&1 || true
  fi
}
