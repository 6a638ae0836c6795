#!/usr/bin/env bash
# SIGKILL the operator at random moments across many Rollouts (issue #7), through Maven:
# runs ChaosKillIT against the local cluster (started and stopped here if it is not up) and
# prints its summary line: seed, rollouts good/bad, kills made, problems found.
#
#   hack/chaos-kill.sh [--rollouts 50] [--kills 20] [--parallel 5] [--seed N]
#
# The defaults are the big run; `make test` runs the same class small (8 rollouts, 5 kills).
# A failing run prints its seed: pass it back with --seed to replay the same kill moments
# and the same good/bad mix.
set -euo pipefail
# shellcheck source=hack/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ROOT="$(lg_repo_root)"
cd "$ROOT"

rollouts=50 kills=20 parallel=5 seed=""
while (($#)); do
  case "$1" in
    --rollouts) rollouts=${2:?--rollouts needs a number}; shift 2 ;;
    --kills) kills=${2:?--kills needs a number}; shift 2 ;;
    --parallel) parallel=${2:?--parallel needs a number}; shift 2 ;;
    --seed) seed=${2:?--seed needs a number}; shift 2 ;;
    *) lg_die "usage: hack/chaos-kill.sh [--rollouts N] [--kills N] [--parallel N] [--seed N]" ;;
  esac
done
for n in "$rollouts" "$kills" "$parallel" ${seed:+"$seed"}; do
  [[ $n =~ ^[0-9]+$ ]] || lg_die "not a number: $n"
done

started_cluster=0
cleanup() { if ((started_cluster)); then hack/local-cluster.sh down || true; fi; }
trap cleanup EXIT
if ! hack/local-cluster.sh status >/dev/null 2>&1; then
  hack/local-cluster.sh up
  started_cluster=1
fi
hack/prometheus.sh install
hack/install-crds.sh

log="target/chaos-kill.log"
mkdir -p target
args=(-B verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=ChaosKillIT
  -Dlastgood.chaos.rollouts="$rollouts" -Dlastgood.chaos.kills="$kills"
  -Dlastgood.chaos.parallel="$parallel")
[[ -z $seed ]] || args+=(-Dlastgood.chaos.seed="$seed")
rc=0
./mvnw "${args[@]}" >"$log" 2>&1 || rc=$?
grep -E '^chaos' "$log" || true
echo "full log: $log (exit $rc)"
exit "$rc"
