#!/usr/bin/env bash
# Copies the CRDs generated from the Java model (target/kubernetes/) into crds/, where they
# are committed. Run after changing anything under src/main/java/dev/lastgood/api/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$root"
./mvnw -B -q package -DskipTests
for crd in rollouts.lastgood.dev buildreleases.lastgood.dev; do
  cp "target/kubernetes/$crd-v1.yml" "crds/$crd.yaml"
done
echo "crds/ updated from the model"
