#!/usr/bin/env bash
# Copies the CRDs generated from the Java model (target/kubernetes/) into crds/, where they
# are committed, and into the Helm chart (helm/lastgood/crds/); copies the admission policy
# (config/admission/) into the chart too. Run after changing anything under
# src/main/java/dev/lastgood/api/ or config/admission/. CrdsCommittedIT fails when a copy
# is stale.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$root"
./mvnw -B -q package -DskipTests
for crd in rollouts.lastgood.dev buildreleases.lastgood.dev; do
  cp "target/kubernetes/$crd-v1.yml" "crds/$crd.yaml"
  cp "crds/$crd.yaml" "helm/lastgood/crds/$crd.yaml"
done
cp config/admission/buildrelease-environment.yaml helm/lastgood/files/admission/
echo "crds/ and helm/lastgood/ updated from the model and config/admission/"
