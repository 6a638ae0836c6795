#!/usr/bin/env bash
# The whole test suite, from a fresh machine: builds what it needs (cached), starts the local
# control plane, installs Prometheus and the CRDs, builds helm, lints the Helm chart and checks
# the Prometheus alert rules, runs the Go tests of hack/cluster and the Maven build (formatting
# check, unit tests, ITs against the real API server), and stops the control plane it started.
#
#   hack/test.sh            everything
#   hack/test.sh -Dit.test=RolloutIT    extra arguments go to Maven
set -euo pipefail
# shellcheck source=hack/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ROOT="$(lg_repo_root)"
cd "$ROOT"

command -v java >/dev/null || lg_die "Java 17 is not installed (apt-get install openjdk-17-jdk-headless)"
command -v go >/dev/null || lg_die "Go is not installed; install Go 1.26+"

started_cluster=0
cleanup() {
  if ((started_cluster)); then
    hack/local-cluster.sh down || true
  fi
}
trap cleanup EXIT

if ! hack/local-cluster.sh status >/dev/null 2>&1; then
  hack/local-cluster.sh up
  started_cluster=1
fi
hack/prometheus.sh install
hack/install-crds.sh

echo "== helm lint, promtool (helm/lastgood, config/prometheus)"
helm="$(hack/helm.sh)"
"$helm" lint --strict helm/lastgood
"$helm" lint --strict helm/lastgood --set 'watchNamespaces={team-a,team-b}' \
  --set serviceMonitor.enabled=true --set prometheusRule.enabled=true
promtool check rules config/prometheus/alerts.yaml
promtool test rules config/prometheus/alerts_test.yaml

echo "== go test (hack/cluster)"
(cd hack/cluster && GOFLAGS=-mod=mod go test ./...)
echo "== go test (hack/tools/argocd-lua: Argo CD health check and actions in gopher-lua)"
(cd hack/tools/argocd-lua && GOFLAGS=-mod=mod go test ./...)
echo "== go test (hack/tools/kstatus: the kstatus verdict, as Flux and helm --wait compute it)"
(cd hack/tools/kstatus && GOFLAGS=-mod=mod go test ./...)

echo "== maven verify"
./mvnw -B verify -Dlastgood.helm="$helm" "$@"
