# shellcheck shell=bash
# Helpers shared by the scripts under hack/. Source it; it only defines functions and a
# few variables, so it is safe under `set -euo pipefail`.
#
#   lg_repo_root   absolute path of the repository root
#   lg_cache_dir   ${LASTGOOD_CACHE:-$HOME/.cache/lastgood}
#   lg_bin_dir     where the Kubernetes binaries built by hack/local-cluster.sh live
#   lg_state_dir   the local cluster's state (.local-cluster/ at the repo root)
#   lg_kubeconfig  the local cluster's admin kubeconfig
#   lg_kubectl     the cached kubectl (same release as the cluster) with that kubeconfig
#   lg_die MSG     one-line error on stderr, exit 1

# Kubernetes release the local control plane is built from (see hack/cluster/go.mod).
LG_K8S_VERSION="${LG_K8S_VERSION:-1.37.2}"

_lg_repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"

lg_repo_root() { printf '%s\n' "$_lg_repo_root"; }

lg_cache_dir() { printf '%s\n' "${LASTGOOD_CACHE:-${HOME:?HOME is not set}/.cache/lastgood}"; }

lg_bin_dir() { printf '%s/k8s-v%s/bin\n' "$(lg_cache_dir)" "$LG_K8S_VERSION"; }

lg_state_dir() { printf '%s/.local-cluster\n' "$_lg_repo_root"; }

lg_kubeconfig() { printf '%s/kubeconfig\n' "$(lg_state_dir)"; }

lg_die() {
  printf '%s: %s\n' "$(basename "${0:-hack}" .sh)" "$*" >&2
  exit 1
}

lg_kubectl() {
  local kubectl
  kubectl="$(lg_bin_dir)/kubectl"
  [[ -x $kubectl ]] || lg_die "no kubectl at $kubectl: run hack/local-cluster.sh build"
  [[ -f $(lg_kubeconfig) ]] || lg_die "no local cluster kubeconfig: run hack/local-cluster.sh up"
  "$kubectl" --kubeconfig "$(lg_kubeconfig)" "$@"
}
