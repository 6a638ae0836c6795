#!/usr/bin/env bash
# Builds (or reuses) the helm command from the Go module proxy and prints its path.
# The version is the one hack/tools/helm/go.mod pins; that module is kept apart from
# hack/cluster so helm's k8s.io module versions never move the control plane's.
#
#   hack/helm.sh            build if needed, print the path
#   hack/helm.sh ARGS...    build if needed, then run helm with ARGS
#
# Environment:
#   LASTGOOD_CACHE   build cache root (default ~/.cache/lastgood); helm goes to its bin/
set -euo pipefail
# shellcheck source=hack/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

ROOT="$(lg_repo_root)"
MODULE_DIR="$ROOT/hack/tools/helm"
BIN_DIR="$(lg_cache_dir)/bin"
HELM="$BIN_DIR/helm"
STAMP="$BIN_DIR/.helm.stamp"

helm_version() {
  sed -n 's/^require helm\.sh\/helm\/v4 \(v[^ ]*\)$/\1/p' "$MODULE_DIR/go.mod"
}

ldflags() {
  printf '%s' "-s -w -X helm.sh/helm/v4/internal/version.version=$1 -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
}

source_hash() {
  { (cd "$MODULE_DIR" && sha256sum go.mod go.sum tools.go) && ldflags "$1"; } | sha256sum | cut -d' ' -f1
}

build() {
  local version hash log tmp
  command -v go >/dev/null || lg_die "Go is not installed; install Go 1.26+ to build helm"
  version="$(helm_version)"
  [[ -n $version ]] || lg_die "no helm.sh/helm/v4 version in $MODULE_DIR/go.mod"
  hash="$(source_hash "$version")"
  if [[ -x $HELM && -f $STAMP && $(<"$STAMP") == "$hash" ]]; then
    return
  fi
  mkdir -p "$BIN_DIR"
  log="$BIN_DIR/.helm-build.log"
  tmp="$BIN_DIR/.helm.$$"
  echo "building helm $version from the Go module proxy (a few minutes on 2 cores; cached after)" >&2
  if ! (cd "$MODULE_DIR" && GOFLAGS=-mod=mod go build -trimpath -ldflags "$(ldflags "$version")" \
    -o "$tmp" helm.sh/helm/v4/cmd/helm) >"$log" 2>&1; then
    rm -f "$tmp"
    lg_die "building helm $version failed: $(tail -n 1 "$log") (full log: $log)"
  fi
  # Rename into place, so a concurrent reader sees the old binary or the new one, never half.
  mv -f "$tmp" "$HELM"
  printf '%s\n' "$hash" >"$STAMP"
}

build
if (($# == 0)); then
  printf '%s\n' "$HELM"
else
  exec "$HELM" "$@"
fi
