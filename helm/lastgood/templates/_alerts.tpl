{{/*
Lastgood's alert rules, as the `groups` of a Prometheus rule file. The PrometheusRule renders
them; config/prometheus/alerts.yaml holds the same rules rendered with the default values
(ChartTemplateIT fails when they differ), for a Prometheus run without the Prometheus Operator.
The rules read lastgood_rollout_info, whose `namespace` label is the Rollout's: scrape the
operator with honor_labels so a target label does not rename it.
*/}}
{{- define "lastgood.alertGroups" -}}
- name: lastgood
  rules:
    - alert: LastgoodRolledBack
      expr: max by (namespace, rollout) (lastgood_rollout_info{phase="RolledBack"}) == 1
      labels:
        severity: warning
      annotations:
        summary: {{`Rollout {{ $labels.namespace }}/{{ $labels.rollout }} was rolled back to its last-good release`}}
        description: {{`The canary's analysis failed or it was aborted; all traffic is on the last-good release. kubectl describe rollout -n {{ $labels.namespace }} {{ $labels.rollout }} shows why. The alert clears when the Rollout is pointed at another release.`}}
    - alert: LastgoodReleaseRejected
      expr: max by (namespace, rollout) (lastgood_rollout_info{phase="Rejected"}) == 1
      labels:
        severity: warning
      annotations:
        summary: {{`Rollout {{ $labels.namespace }}/{{ $labels.rollout }} refused its release`}}
        description: {{`The environment guard rejected the release the Rollout names (for example a build of another environment); traffic stays where it was. kubectl describe rollout -n {{ $labels.namespace }} {{ $labels.rollout }} shows the reason.`}}
    - alert: LastgoodRolloutStuck
      expr: max by (namespace, rollout) (lastgood_rollout_info{phase=~"Progressing|Paused"}) == 1
      for: {{ .Values.prometheusRule.stuckFor }}
      labels:
        severity: warning
      annotations:
        summary: {{ printf "Rollout {{ $labels.namespace }}/{{ $labels.rollout }} has been progressing or paused for more than %s" .Values.prometheusRule.stuckFor | quote }}
        description: {{`A pause without a duration waits for kubectl annotate rollout -n {{ $labels.namespace }} {{ $labels.rollout }} lastgood.dev/promote=...; otherwise look for a canary that never becomes available, or analysis that stays inconclusive.`}}
    - alert: LastgoodRolloutDegraded
      expr: max by (namespace, rollout) (lastgood_rollout_info{phase="Degraded"}) == 1
      for: 5m
      labels:
        severity: warning
      annotations:
        summary: {{`Rollout {{ $labels.namespace }}/{{ $labels.rollout }} is degraded`}}
        description: {{`The Rollout's spec cannot be carried out (an invalid field, or Gateway API traffic without the HTTPRoute CRD). kubectl describe rollout -n {{ $labels.namespace }} {{ $labels.rollout }} shows the message.`}}
    - alert: LastgoodAnalysisBacklog
      expr: lastgood_analysis_rounds{state="waiting"} > 0
      for: 10m
      labels:
        severity: warning
      annotations:
        summary: {{`Lastgood's analysis rounds are waiting for the analysis pool`}}
        description: {{`Analysis rounds have waited for a thread of the analysis pool for 10 minutes, and each holds its Rollout at its step. Either Prometheus answers slowly (a query may take up to its 5 s timeout) or more canaries are under analysis at once than the pool serves. Look at Prometheus's query latency, or raise LASTGOOD_ANALYSIS_THREADS.`}}
{{- end }}
