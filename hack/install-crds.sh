#!/usr/bin/env bash
# Installs what Lastgood needs in a cluster: the Gateway API standard-channel CRDs (from the
# sigs.k8s.io/gateway-api Go module, fetched through the Go module proxy), Lastgood's CRDs
# from crds/, and the admission policy from config/admission/. Idempotent (server-side apply).
#
#   hack/install-crds.sh            against the local cluster (.local-cluster/kubeconfig)
#   KUBECONFIG=... hack/install-crds.sh --kubeconfig "$KUBECONFIG"
set -euo pipefail
# shellcheck source=hack/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

GATEWAY_API_VERSION="${LG_GATEWAY_API_VERSION:-v1.6.3}"
ROOT="$(lg_repo_root)"
kubeconfig="$(lg_kubeconfig)"
if [[ ${1:-} == --kubeconfig ]]; then
  kubeconfig="${2:?--kubeconfig needs a path}"
fi
kubectl="$(lg_bin_dir)/kubectl"
[[ -x $kubectl ]] || kubectl="$(command -v kubectl || true)"
[[ -n $kubectl ]] || lg_die "no kubectl: run hack/local-cluster.sh build"
k() { "$kubectl" --kubeconfig "$kubeconfig" "$@"; }

gateway_api_dir() {
  command -v go >/dev/null || lg_die "Go is not installed; install Go 1.26+ to fetch the Gateway API CRDs"
  local dir
  dir=$(cd "$ROOT/hack/cluster" && GOFLAGS=-mod=mod go mod download -json "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION" 2>/dev/null |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p') || true
  [[ -n $dir && -d $dir/config/crd/standard ]] ||
    lg_die "the Go module proxy did not serve sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION"
  printf '%s\n' "$dir/config/crd/standard"
}

std="$(gateway_api_dir)"
# The CRDs only: the module's safe-upgrades policy is for clusters that manage Gateway API
# versions, which is not this script's business.
for f in "$std"/gateway.networking.k8s.io_*.yaml; do
  [[ $f == *_vap_* ]] && continue
  k apply --server-side --force-conflicts --field-manager=lastgood-install -f "$f" >/dev/null
done
k apply --server-side --force-conflicts --field-manager=lastgood-install -k "$ROOT/crds" >/dev/null
# A CRD created a moment ago has no status.conditions yet, and kubectl wait then fails at once
# instead of waiting: retry until the API server has written them.
end=$((SECONDS + 90))
until k wait --for=condition=Established --timeout=10s \
  crd/rollouts.lastgood.dev crd/buildreleases.lastgood.dev crd/httproutes.gateway.networking.k8s.io >/dev/null 2>&1; do
  ((SECONDS < end)) || lg_die "the CRDs were not established within 90s"
  sleep 1
done
k apply --server-side --force-conflicts --field-manager=lastgood-install -k "$ROOT/config/admission" >/dev/null
echo "installed: Gateway API $GATEWAY_API_VERSION CRDs, Lastgood CRDs, admission policy"
