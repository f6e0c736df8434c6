{{/* The chart label: name-version. */}}
{{- define "flagger.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The app name: the chart's, or nameOverride. */}}
{{- define "flagger.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The objects' name: fullnameOverride, the release name when it holds the app name, or release-name. */}}
{{- define "flagger.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "flagger.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{ default (include "flagger.fullname" .) .Values.serviceAccount.name }}
{{- else -}}
{{ default "default" .Values.serviceAccount.name }}
{{- end -}}
{{- end -}}

{{- define "flagger.selectorLabels" -}}
app.kubernetes.io/name: {{ include "flagger.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "flagger.labels" -}}
helm.sh/chart: {{ include "flagger.chart" . }}
{{ include "flagger.selectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Where the controller's canaries and its lease are: `namespace` in single-namespace mode. */}}
{{- define "flagger.watchNamespace" -}}
{{- default .Release.Namespace .Values.namespace -}}
{{- end -}}

{{/*
A value that may hold templates, rendered with tpl: a string as it is, anything else as YAML.
Usage: include "flagger.render" (dict "value" .Values.x "context" $)
*/}}
{{- define "flagger.render" -}}
{{- $text := typeIs "string" .value | ternary .value (.value | toYaml) -}}
{{- if contains "{{" $text -}}
{{- tpl $text .context -}}
{{- else -}}
{{- $text -}}
{{- end -}}
{{- end -}}

{{/* "true" where the cluster serves PodSecurityPolicy (policy/v1beta1, up to Kubernetes 1.24), else empty. */}}
{{- define "flagger.pspServed" -}}
{{- if .Capabilities.APIVersions.Has "policy/v1beta1/PodSecurityPolicy" }}true{{ end -}}
{{- end -}}
