#!/usr/bin/env bash
# A local Kubernetes control plane on loopback, built from Go sources (hack/cluster).
#
#   hack/local-cluster.sh build    build (or reuse) the binaries; copy the ones Fabric8
#                                  kube-api-test uses to its offline directory
#   hack/local-cluster.sh up       start etcd, kube-apiserver, kube-controller-manager,
#                                  kube-scheduler and a fake kubelet with 3 simulated nodes
#   hack/local-cluster.sh down     stop what `up` started and delete its state
#   hack/local-cluster.sh status   one line per component; exit 0 if all run, 3 otherwise
#   hack/local-cluster.sh stop kube-apiserver
#                                  stop only the API server of a running cluster (SIGTERM,
#                                  SIGKILL after ~10 s), as an outage would; etcd and the
#                                  API server's clients keep running
#   hack/local-cluster.sh start kube-apiserver
#                                  start it again with the flags and port of `up`, wait for
#                                  /readyz, restart the controller-manager and scheduler
#                                  (stale caches) and the fake kubelet if it exited, and
#                                  wait until the nodes are Ready again
#
# `stop`/`start kube-apiserver` exist for resilience tests (ApiServerOutageIT); `up`, `down`
# and `status` treat a cluster whose API server was restarted like any other.
#
# Everything listens on 127.0.0.1 only. State lives in .local-cluster/ at the repo root:
# pki/, etcd-data/, logs/<component>.log, pids/<component>.pid and the admin kubeconfig
# .local-cluster/kubeconfig. The processes outlive this script; `down` ends them by PID
# and deletes that state (other tools' files in .local-cluster/ are left alone).
#
# Environment:
#   LASTGOOD_CACHE             build cache root        (default ~/.cache/lastgood)
#   KUBE_API_TEST_DIR          kube-api-test directory (default ~/.kubeapitest)
#   LG_APISERVER_PORT          kube-apiserver          (default 16443)
#   LG_ETCD_PORT               etcd clients            (default 12379)
#   LG_ETCD_PEER_PORT          etcd peers              (default 12380)
#   LG_CONTROLLER_MANAGER_PORT kube-controller-manager (default 10357)
#   LG_SCHEDULER_PORT          kube-scheduler          (default 10359)
#   LG_AUDIT_LOG               1: the API server writes an audit log of every write by a
#                              client other than the control plane's own components to
#                              .local-cluster/logs/audit.log (metadata only); 0: none
#                              (default 1; the leader election ITs read it)
set -euo pipefail

# shellcheck source=hack/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

ROOT="$(lg_repo_root)"
MODULE_DIR="$ROOT/hack/cluster"
CACHE_DIR="$(lg_cache_dir)/k8s-v$LG_K8S_VERSION"
BIN_DIR="$(lg_bin_dir)"
STATE_DIR="$(lg_state_dir)"
KUBECONFIG_FILE="$(lg_kubeconfig)"
PKI="$STATE_DIR/pki"
LOGS="$STATE_DIR/logs"
PIDS="$STATE_DIR/pids"

APISERVER_PORT="${LG_APISERVER_PORT:-16443}"
ETCD_PORT="${LG_ETCD_PORT:-12379}"
ETCD_PEER_PORT="${LG_ETCD_PEER_PORT:-12380}"
KCM_PORT="${LG_CONTROLLER_MANAGER_PORT:-10357}"
SCHEDULER_PORT="${LG_SCHEDULER_PORT:-10359}"
AUDIT_LOG="${LG_AUDIT_LOG:-1}"
SERVICE_CIDR=10.96.0.0/16
SERVICE_IP=10.96.0.1 # first address of SERVICE_CIDR: the `kubernetes` Service
NODE_COUNT=3

# The ports `up` used, for `start kube-apiserver` (which must not move the API server).
PORTS_FILE="$STATE_DIR/ports.env"

# Start order; `down` stops them in reverse.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler fake-kubelet)
BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd fake-kubelet)
GO_PACKAGES=(
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
  ./cmd/etcd ./cmd/fake-kubelet
)

say() { printf '%s\n' "$*"; }
elapsed() { # seconds -> 7s / 6m32s
  local s=$1
  if ((s >= 60)); then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi
}
# The kubeconfig path as the user should type it: relative when run from the repo root.
kubeconfig_hint() {
  if [[ $(pwd -P) == "$ROOT" ]]; then say ".local-cluster/kubeconfig"; else say "$KUBECONFIG_FILE"; fi
}
kubectl_local() { "$BIN_DIR/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }

# ---------------------------------------------------------------------------------------
# build

ldflags() {
  local flags="-s -w" pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=v$LG_K8S_VERSION -X $pkg.gitMajor=${LG_K8S_VERSION%%.*}"
    flags+=" -X $pkg.gitMinor=$(cut -d. -f2 <<<"$LG_K8S_VERSION") -X $pkg.gitTreeState=clean"
    flags+=" -X $pkg.buildDate=2026-01-01T00:00:00Z"
  done
  say "$flags"
}

# Hash of what the binaries are built from: go.mod, go.sum, the Go files of the module's
# own commands that are built (cmd/etcd, cmd/fake-kubelet; other commands under cmd/ and
# tests do not count), the package list and the flags.
source_hash() {
  local files pkg dirs=()
  for pkg in "${GO_PACKAGES[@]}"; do [[ $pkg == ./* ]] && dirs+=("${pkg#./}"); done
  files=$(cd "$MODULE_DIR" && {
    echo go.mod
    echo go.sum
    find "${dirs[@]}" -type f -name '*.go' ! -name '*_test.go'
  } | LC_ALL=C sort)
  {
    (cd "$MODULE_DIR" && xargs sha256sum <<<"$files")
    printf '%s\n' "${GO_PACKAGES[@]}"
    ldflags
  } | sha256sum | cut -d' ' -f1
}

binaries_present() {
  local b
  for b in "${BINARIES[@]}"; do [[ -x $BIN_DIR/$b ]] || return 1; done
}

require_go() {
  local msg="Go 1.26+ is required to build the local cluster: install Go 1.26 or newer and put \`go\` on PATH"
  command -v go >/dev/null 2>&1 || lg_die "no \`go\` found. $msg"
  local v
  v=$(go env GOVERSION 2>/dev/null) || lg_die "\`go env\` failed. $msg"
  if ! [[ $v =~ ^go1\.([0-9]+) ]] || ((BASH_REMATCH[1] < 26)); then lg_die "found $v. $msg"; fi
}

# One line for a failed build: the module the proxy refused, or the log's tail.
build_failed() {
  local log=$1 line module reason
  line=$(grep -E '@v[^ :]+: .*(reading https?://|Get "|GOPROXY|no such host|dial tcp|connection refused|unknown revision|invalid version|40[0-9] |410 Gone|timeout)' "$log" | head -n1 || true)
  if [[ -n $line ]]; then
    module=$(grep -oE '[A-Za-z0-9._~-]+(/[A-Za-z0-9._~+-]+)*@v[^ :]+' <<<"$line" | head -n1)
    reason=${line##*: }
    lg_die "build failed: the Go module proxy ($(go env GOPROXY 2>/dev/null || echo GOPROXY)) refused module $module ($reason); full log: $log"
  fi
  printf '%s\n' "build failed; last lines of $log:" >&2
  tail -n 15 "$log" >&2
  exit 1
}

# Fabric8 kube-api-test looks for kube-apiserver, etcd and kubectl in
# $KUBE_API_TEST_DIR/k8s/<version>-<os>-<arch>/ when it may not download.
install_for_kube_api_test() {
  local os arch dest b
  os=$(uname -s | tr '[:upper:]' '[:lower:]')
  case "$(uname -m)" in
    x86_64 | amd64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) arch=$(uname -m) ;;
  esac
  dest="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/k8s/$LG_K8S_VERSION-$os-$arch"
  mkdir -p "$dest"
  for b in kube-apiserver etcd kubectl; do
    if ! cmp -s "$BIN_DIR/$b" "$dest/$b"; then
      cp "$BIN_DIR/$b" "$dest/.$b.tmp"
      mv -f "$dest/.$b.tmp" "$dest/$b"
    fi
  done
}

# build [quiet-if-cached]
cmd_build() {
  local quiet=${1:-} start=$SECONDS stamp="$CACHE_DIR/build.stamp" log="$CACHE_DIR/build.log" hash
  [[ -f $MODULE_DIR/go.mod ]] || lg_die "missing $MODULE_DIR/go.mod"
  mkdir -p "$BIN_DIR"
  # One build at a time (another `up` or `build` may be running).
  exec 8>"$CACHE_DIR/build.lock"
  if command -v flock >/dev/null 2>&1; then flock 8; fi
  hash=$(source_hash)
  if binaries_present && [[ -f $stamp && $(<"$stamp") == "$hash" ]]; then
    install_for_kube_api_test
    [[ -n $quiet ]] || say "build: k8s v$LG_K8S_VERSION binaries up to date in $BIN_DIR (warm: $(elapsed $((SECONDS - start))))"
    exec 8>&-
    return 0
  fi
  require_go
  rm -f "$stamp"
  say "build: compiling k8s v$LG_K8S_VERSION, etcd and fake-kubelet from hack/cluster (a cold build takes several minutes; log: $log)"
  if ! (cd "$MODULE_DIR" && GOFLAGS=-mod=mod go build -trimpath -ldflags "$(ldflags)" -o "$BIN_DIR/" "${GO_PACKAGES[@]}") >"$log" 2>&1; then
    build_failed "$log"
  fi
  binaries_present || build_failed "$log"
  # Hash again: -mod=mod may have tidied go.sum during the build.
  source_hash >"$stamp"
  install_for_kube_api_test
  say "build: k8s v$LG_K8S_VERSION binaries built in $(elapsed $((SECONDS - start))) into $BIN_DIR"
  exec 8>&-
}

# ---------------------------------------------------------------------------------------
# processes

pid_of() { # component -> pid from its pid file, or nothing
  local f="$PIDS/$1.pid" pid=
  [[ -s $f ]] && read -r pid <"$f" && [[ $pid =~ ^[0-9]+$ ]] && say "$pid"
  return 0
}

# True if pid is alive and is this repo's component (not a recycled PID, not a zombie).
is_ours() {
  local pid=$1 name=$2 cmd
  cmd=$({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null) || return 1
  [[ -n $cmd ]] || return 1
  local argv0=${cmd%% *}
  [[ ${argv0##*/} == "$name" && $cmd == *"$STATE_DIR/"* ]]
}

running() { # component -> true if its recorded process runs
  local pid
  pid=$(pid_of "$1")
  [[ -n $pid ]] && is_ours "$pid" "$1"
}

readyz() { [[ -x $BIN_DIR/kubectl && -f $KUBECONFIG_FILE ]] && [[ $(kubectl_local get --raw=/readyz --request-timeout=3s 2>/dev/null) == ok ]]; }

# Stop the given components: SIGTERM, wait up to ~10 s, then SIGKILL.
stop_components() {
  local c pid pids=() names=() i
  for c in "$@"; do
    pid=$(pid_of "$c")
    if [[ -n $pid ]] && is_ours "$pid" "$c"; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
      names+=("$c")
    fi
  done
  ((${#pids[@]})) || return 0
  for ((i = 0; i < 100; i++)); do
    local alive=0
    for c in "${!pids[@]}"; do is_ours "${pids[$c]}" "${names[$c]}" && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for c in "${!pids[@]}"; do
    if is_ours "${pids[$c]}" "${names[$c]}"; then kill -KILL "${pids[$c]}" 2>/dev/null || true; fi
  done
  STOPPED+=("${names[@]}")
}

stop_all() {
  STOPPED=()
  # Clients first, then the apiserver, then its storage.
  stop_components fake-kubelet kube-scheduler kube-controller-manager
  stop_components kube-apiserver
  stop_components etcd
}

# start component args... (argv[0] is the cached binary)
start() {
  local name=$1
  shift
  # Append: a component restarted by `start` keeps the log of its earlier run.
  setsid nohup "$BIN_DIR/$name" "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  local pid=$! i
  echo "$pid" >"$PIDS/$name.pid"
  STARTED+=("$name")
  # $! is the forked shell until setsid and nohup have exec'd the binary (same PID).
  for ((i = 0; i < 50; i++)); do
    is_ours "$pid" "$name" && return 0
    [[ -e /proc/$pid ]] || break
    sleep 0.1
  done
  check_started
}

# During startup: a component that died -> its log's tail, stop the rest, fail.
check_started() {
  local c
  for c in "${STARTED[@]}"; do
    running "$c" && continue
    {
      say "local-cluster: $c exited during startup; last lines of .local-cluster/logs/$c.log:"
      tail -n 20 "$LOGS/$c.log" | sed 's/^/  /'
    } >&2
    ((STOP_ALL_ON_FAILURE)) && stop_all
    lg_die "startup failed (logs kept in $LOGS; \`hack/local-cluster.sh down\` removes them)"
  done
}

abort_startup() {
  trap - INT TERM
  stop_all
  lg_die "interrupted; stopped ${STOPPED[*]:-nothing}"
}

# `up` undoes a failed start completely; `start kube-apiserver` leaves the rest running.
STOP_ALL_ON_FAILURE=1

# wait_for SECONDS DESCRIPTION COMMAND...
wait_for() {
  local timeout=$1 what=$2 deadline=$((SECONDS + $1))
  shift 2
  until "$@"; do
    check_started
    if ((SECONDS >= deadline)); then
      ((STOP_ALL_ON_FAILURE)) && stop_all
      lg_die "timed out after ${timeout}s waiting for $what (logs kept in $LOGS; \`hack/local-cluster.sh down\` removes them)"
    fi
    sleep 0.5
  done
  check_started
}

etcd_ready() { grep -q 'etcd ready on' "$LOGS/etcd.log" 2>/dev/null; }

nodes_ready() {
  local lines
  lines=$(kubectl_local get nodes --request-timeout=3s -o \
    jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.conditions[?(@.type=="Ready")].status}{" "}{.spec.taints[*].key}{"\n"}{end}' 2>/dev/null) || return 1
  # Ready, and the node lifecycle controller has lifted the not-ready/unreachable taints.
  (($(awk '$2 == "True" && $0 !~ /not-ready|unreachable/' <<<"$lines" | wc -l) >= NODE_COUNT))
}

default_sa() { kubectl_local -n default get serviceaccount default --request-timeout=3s >/dev/null 2>&1; }

# ---------------------------------------------------------------------------------------
# certificates and kubeconfigs

OPENSSL_CNF=""
openssl_cnf() { # section text... -> a config file for openssl (no system config involved)
  OPENSSL_CNF="$PKI/.openssl.cnf"
  {
    printf '[req]\ndistinguished_name = dn\n[dn]\n[ext]\n'
    printf '%s\n' "$@"
  } >"$OPENSSL_CNF"
}

# new_cert NAME SUBJECT CA EXT_LINES... : RSA key and a cert signed by CA (pki/CA.{crt,key}).
# RSA, not EC: the Fabric8 Kubernetes client (the operator's) cannot read PKCS#8 EC keys.
new_cert() {
  local name=$1 subj=$2 ca=$3
  shift 3
  openssl_cnf "$@"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$PKI/$name.key" 2>/dev/null
  openssl req -new -config "$OPENSSL_CNF" -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" \
    -set_serial "0x$(openssl rand -hex 15)" -days 825 -sha256 \
    -extfile "$OPENSSL_CNF" -extensions ext -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr"
}

new_ca() { # NAME CN
  openssl_cnf 'basicConstraints = critical, CA:TRUE' 'keyUsage = critical, keyCertSign, cRLSign, digitalSignature' \
    'subjectKeyIdentifier = hash'
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$PKI/$1.key" 2>/dev/null
  openssl req -x509 -new -config "$OPENSSL_CNF" -extensions ext -key "$PKI/$1.key" -subj "/CN=$2" \
    -days 3650 -sha256 -out "$PKI/$1.crt"
}

CLIENT_EXT=('basicConstraints = critical, CA:FALSE' 'keyUsage = critical, digitalSignature, keyEncipherment'
  'extendedKeyUsage = clientAuth' 'authorityKeyIdentifier = keyid')

write_kubeconfig() { # FILE USER CERT_NAME
  local b64='base64 -w0'
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: lastgood-local
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $($b64 <"$PKI/ca.crt")
users:
- name: $2
  user:
    client-certificate-data: $($b64 <"$PKI/$3.crt")
    client-key-data: $($b64 <"$PKI/$3.key")
contexts:
- name: lastgood-local
  context:
    cluster: lastgood-local
    user: $2
current-context: lastgood-local
EOF
}

generate_pki() {
  new_ca ca lastgood-local-ca
  new_ca front-proxy-ca lastgood-local-front-proxy-ca
  new_cert kube-apiserver /CN=kube-apiserver ca \
    'basicConstraints = critical, CA:FALSE' 'keyUsage = critical, digitalSignature, keyEncipherment' \
    'extendedKeyUsage = serverAuth' 'authorityKeyIdentifier = keyid' \
    "subjectAltName = IP:127.0.0.1, DNS:localhost, IP:$SERVICE_IP, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local"
  new_cert admin /O=system:masters/CN=lastgood-admin ca "${CLIENT_EXT[@]}"
  new_cert kube-controller-manager /CN=system:kube-controller-manager ca "${CLIENT_EXT[@]}"
  new_cert kube-scheduler /CN=system:kube-scheduler ca "${CLIENT_EXT[@]}"
  # The fake kubelet simulates several nodes with one identity, which the Node authorizer
  # cannot express: it is an admin.
  new_cert fake-kubelet /O=system:masters/CN=lastgood-fake-kubelet ca "${CLIENT_EXT[@]}"
  new_cert front-proxy-client /CN=front-proxy-client front-proxy-ca "${CLIENT_EXT[@]}"
  # Service account token signing key pair.
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$PKI/sa.key" 2>/dev/null
  openssl pkey -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub"
  rm -f "$OPENSSL_CNF"

  write_kubeconfig "$KUBECONFIG_FILE" lastgood-admin admin
  local c
  for c in kube-controller-manager kube-scheduler fake-kubelet; do
    write_kubeconfig "$PKI/$c.kubeconfig" "$c" "$c"
  done
}

# ---------------------------------------------------------------------------------------
# up / down / status

port_in_use() {
  if command -v ss >/dev/null 2>&1; then
    [[ -n $(ss -Hltn "sport = :$1" 2>/dev/null) ]]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

ports_free() { ! port_in_use "$KCM_PORT" && ! port_in_use "$SCHEDULER_PORT"; }

check_ports() {
  local spec port name var seen=" "
  for spec in "$APISERVER_PORT kube-apiserver LG_APISERVER_PORT" "$ETCD_PORT etcd LG_ETCD_PORT" \
    "$ETCD_PEER_PORT etcd-peer LG_ETCD_PEER_PORT" "$KCM_PORT kube-controller-manager LG_CONTROLLER_MANAGER_PORT" \
    "$SCHEDULER_PORT kube-scheduler LG_SCHEDULER_PORT"; do
    read -r port name var <<<"$spec"
    [[ $port =~ ^[0-9]+$ ]] || lg_die "$var=$port is not a port number"
    [[ $seen != *" $port "* ]] || lg_die "port $port is configured twice: give $var another port"
    seen+="$port "
    if port_in_use "$port"; then
      lg_die "port 127.0.0.1:$port ($name) is already in use: stop what holds it (\`hack/local-cluster.sh down\` if it is an earlier local cluster) or set $var to a free port"
    fi
  done
}

any_running() {
  local c
  for c in "${COMPONENTS[@]}"; do running "$c" && return 0; done
  return 1
}

all_running() {
  local c
  for c in "${COMPONENTS[@]}"; do running "$c" || return 1; done
}

start_apiserver() {
  local audit=()
  if [[ $AUDIT_LOG == 1 ]]; then
    write_audit_policy
    audit=(--audit-policy-file="$STATE_DIR/audit-policy.yaml" --audit-log-path="$LOGS/audit.log"
      --audit-log-format=json --audit-log-maxsize=200 --audit-log-maxbackup=1)
  fi
  start kube-apiserver "${audit[@]}" \
    --advertise-address=127.0.0.1 --bind-address=127.0.0.1 --secure-port="$APISERVER_PORT" \
    --endpoint-reconciler-type=none \
    --cert-dir="$PKI/kube-apiserver-generated" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --tls-cert-file="$PKI/kube-apiserver.crt" --tls-private-key-file="$PKI/kube-apiserver.key" \
    --client-ca-file="$PKI/ca.crt" \
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
    --service-account-issuer="https://127.0.0.1:$APISERVER_PORT" \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" --allow-privileged=true \
    --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" \
    --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$PKI/front-proxy-client.crt" --proxy-client-key-file="$PKI/front-proxy-client.key" \
    --profiling=false
}

# The API server's clients, one by one (also used to restart one that exited).
# Client rate limits well above the defaults (20/50 QPS): the fleet benchmarks create
# thousands of objects, and a cluster sized for that many workloads is tuned the same way.
start_client() {
  local kcm="$PKI/kube-controller-manager.kubeconfig" sched="$PKI/kube-scheduler.kubeconfig"
  case "$1" in
    kube-controller-manager)
      start kube-controller-manager \
        --kubeconfig="$kcm" --authentication-kubeconfig="$kcm" --authorization-kubeconfig="$kcm" \
        --bind-address=127.0.0.1 --secure-port="$KCM_PORT" --cert-dir="$PKI/kube-controller-manager-generated" \
        --leader-elect=false --controllers='*' --use-service-account-credentials=true \
        --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
        --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
        --service-cluster-ip-range="$SERVICE_CIDR" --cluster-name=lastgood-local --profiling=false \
        --kube-api-qps=200 --kube-api-burst=400
      ;;
    kube-scheduler)
      start kube-scheduler \
        --kubeconfig="$sched" --authentication-kubeconfig="$sched" --authorization-kubeconfig="$sched" \
        --bind-address=127.0.0.1 --secure-port="$SCHEDULER_PORT" --cert-dir="$PKI/kube-scheduler-generated" \
        --leader-elect=false --profiling=false --kube-api-qps=200 --kube-api-burst=400
      ;;
    fake-kubelet)
      start fake-kubelet -kubeconfig "$PKI/fake-kubelet.kubeconfig" -nodes "$NODE_COUNT" -prefix sim-node
      ;;
    *) lg_die "unknown component $1" ;;
  esac
}

cmd_up() {
  local start=$SECONDS
  if all_running && readyz; then
    say "local cluster already up: KUBECONFIG=$(kubeconfig_hint)"
    return 0
  fi
  if any_running; then
    local c list=()
    for c in "${COMPONENTS[@]}"; do running "$c" && list+=("$c"); done
    lg_die "local cluster is partly running (${list[*]}) or not ready: run hack/local-cluster.sh status, then hack/local-cluster.sh down and up again"
  fi

  cmd_build quiet
  command -v openssl >/dev/null 2>&1 || lg_die "openssl not found: install it (apt-get install openssl) to generate the cluster's certificates"
  command -v setsid >/dev/null 2>&1 || lg_die "setsid not found: install util-linux"
  check_ports

  # Nothing of ours runs: whatever state of ours is left is stale (down keeps nothing either).
  remove_state
  umask 077
  mkdir -p "$PKI" "$LOGS" "$PIDS" "$STATE_DIR/etcd-data"
  generate_pki
  # Every port `up` chose, so `start` brings a component back where its clients look for it.
  printf 'APISERVER_PORT=%s\nETCD_PORT=%s\nKCM_PORT=%s\nSCHEDULER_PORT=%s\n' \
    "$APISERVER_PORT" "$ETCD_PORT" "$KCM_PORT" "$SCHEDULER_PORT" >"$PORTS_FILE"

  STARTED=()
  trap abort_startup INT TERM

  start etcd -name local -data-dir "$STATE_DIR/etcd-data" \
    -listen-client-url "http://127.0.0.1:$ETCD_PORT" -listen-peer-url "http://127.0.0.1:$ETCD_PEER_PORT"
  wait_for 30 "etcd" etcd_ready

  start_apiserver
  wait_for 60 "kube-apiserver /readyz" readyz

  local c
  for c in kube-controller-manager kube-scheduler fake-kubelet; do start_client "$c"; done
  wait_for 60 "$NODE_COUNT Ready nodes" nodes_ready
  wait_for 60 "the default ServiceAccount in namespace default" default_sa
  trap - INT TERM
  say "local cluster up: KUBECONFIG=$(kubeconfig_hint) ($(elapsed $((SECONDS - start))))"
}

# Who wrote what, as the API server saw it: the way to prove that a process wrote nothing,
# independently of what it logs itself. Metadata of writes only (no bodies, no reads), and none
# of the control plane's own components, so the log stays small even under the fleet
# benchmarks. Each event names the user and the client's user agent.
write_audit_policy() {
  cat >"$STATE_DIR/audit-policy.yaml" <<'EOF'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    users: [system:kube-controller-manager, system:kube-scheduler, system:apiserver, lastgood-fake-kubelet]
  - level: None
    userGroups: [system:serviceaccounts:kube-system, system:nodes]
  - level: Metadata
    verbs: [create, update, patch, delete, deletecollection]
  - level: None
EOF
}

# Delete the cluster's state. Other tools keep state in .local-cluster/ too (e.g.
# hack/prometheus.sh: prometheus/, logs/prometheus.log, pids/prometheus.pid): only this
# script's entries go, and the directories only once they are empty.
remove_state() {
  local c
  rm -rf "$PKI" "$STATE_DIR/etcd-data" "$KUBECONFIG_FILE" "$PORTS_FILE" "$STATE_DIR/audit-policy.yaml"
  rm -f "$LOGS/audit.log" "$LOGS"/audit-*.log
  for c in "${COMPONENTS[@]}"; do rm -f "$LOGS/$c.log" "$PIDS/$c.pid"; done
  rmdir "$LOGS" "$PIDS" 2>/dev/null || true
  rmdir "$STATE_DIR" 2>/dev/null || true
}

cmd_down() {
  stop_all
  remove_state
  if ((${#STOPPED[@]})); then say "local cluster down (stopped ${STOPPED[*]})"; fi
}

cmd_status() {
  local c pid all=1
  for c in "${COMPONENTS[@]}"; do
    pid=$(pid_of "$c")
    if [[ -n $pid ]] && is_ours "$pid" "$c"; then
      printf '%-24s running (pid %s)\n' "$c" "$pid"
    else
      printf '%-24s stopped\n' "$c"
      all=0
    fi
  done
  if readyz; then
    printf '%-24s ok\n' readyz
  else
    printf '%-24s not answering\n' readyz
  fi
  ((all)) || exit 3
}

# The ports of the running cluster, whatever this shell's LG_*_PORT say.
load_ports() {
  [[ -f $PORTS_FILE ]] || lg_die "no local cluster state in $STATE_DIR: run hack/local-cluster.sh up"
  local line
  while IFS='=' read -r key line; do
    case "$key" in
      APISERVER_PORT | ETCD_PORT | KCM_PORT | SCHEDULER_PORT) printf -v "$key" '%s' "$line" ;;
    esac
  done <"$PORTS_FILE"
}

# stop kube-apiserver: only the API server, as in an outage. Its clients stay up and retry.
cmd_stop() {
  [[ $1 == kube-apiserver ]] || usage
  load_ports
  running kube-apiserver || lg_die "kube-apiserver is not running"
  STOPPED=()
  stop_components kube-apiserver
  say "local cluster: stopped kube-apiserver (etcd and the clients still run)"
}

# start kube-apiserver: the API server back with the flags of `up`; then every client that
# gave up meanwhile is started again, and the nodes must be Ready before this returns.
cmd_start() {
  [[ $1 == kube-apiserver ]] || usage
  load_ports
  local start=$SECONDS c
  running etcd || lg_die "etcd is not running: hack/local-cluster.sh down, then up"
  if running kube-apiserver; then
    say "local cluster: kube-apiserver already running"
    return 0
  fi
  STOP_ALL_ON_FAILURE=0
  STARTED=()
  start_apiserver
  wait_for 60 "kube-apiserver /readyz" readyz
  # The controller-manager and scheduler start afresh. Their caches went stale during the
  # outage, and the controller-manager's node lifecycle controller then judged the simulated
  # nodes by leases it had not seen renewed: it marked them NotReady and every pod unready for
  # tens of seconds after the return, which no workload on this cluster should have to bear.
  # This is the local cluster's choice for its tests; the operator needs neither of them.
  STOPPED=()
  stop_components kube-controller-manager kube-scheduler
  # A process that has just exited can still hold its listening socket for a moment (its
  # command line is gone before its files are closed): wait for the ports to be free.
  wait_for 10 "the controller-manager and scheduler ports to be free" ports_free
  for c in kube-controller-manager kube-scheduler fake-kubelet; do
    running "$c" || start_client "$c"
  done
  wait_for 60 "$NODE_COUNT Ready nodes" nodes_ready
  say "local cluster: kube-apiserver started ($(elapsed $((SECONDS - start))))"
}

usage() {
  say "usage: hack/local-cluster.sh build|up|down|status|stop kube-apiserver|start kube-apiserver" >&2
  exit 2
}

case "$#:${1:-}" in
  1:build) cmd_build ;;
  1:up) cmd_up ;;
  1:down) cmd_down ;;
  1:status) cmd_status ;;
  2:stop) cmd_stop "$2" ;;
  2:start) cmd_start "$2" ;;
  *) usage ;;
esac
