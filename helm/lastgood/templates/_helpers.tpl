{{/* Chart name, overridable. */}}
{{- define "lastgood.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's resources. */}}
{{- define "lastgood.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "lastgood.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "lastgood.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "lastgood.selectorLabels" -}}
app.kubernetes.io/name: {{ include "lastgood.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "lastgood.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "lastgood.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: lastgood
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "lastgood.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "lastgood.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "lastgood.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
What the operator does in a namespace it watches, and nothing more:
- reads Rollouts and BuildReleases (informers) and writes their status by server-side apply;
- creates and server-side applies (PATCH) the Deployments, Services and HTTPRoutes it owns,
  which it also watches; it never updates with PUT and never deletes (owner references let the
  garbage collector do that);
- records events.k8s.io Events.
No Secrets, no pods, no wildcards.
*/}}
{{- define "lastgood.namespacedRules" -}}
- apiGroups: ["lastgood.dev"]
  resources: ["rollouts", "buildreleases"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["lastgood.dev"]
  resources: ["rollouts/status", "buildreleases/status"]
  verbs: ["patch"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "patch"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["get", "list", "watch", "create", "patch"]
- apiGroups: ["gateway.networking.k8s.io"]
  resources: ["httproutes"]
  verbs: ["get", "list", "watch", "create", "patch"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create"]
{{- end }}

{{/* Namespaces are cluster-scoped: the environment guard reads their labels in both modes. */}}
{{- define "lastgood.namespaceRules" -}}
- apiGroups: [""]
  resources: ["namespaces"]
  verbs: ["get", "list", "watch"]
{{- end }}
