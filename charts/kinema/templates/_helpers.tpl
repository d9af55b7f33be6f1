{{/*
Helpers shared by the templates. Every name starts with "kinema." so that a parent chart
including this one never collides with them.
*/}}

{{/* The chart name, overridable. */}}
{{- define "kinema.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Prefix of every object name: the release name, plus the chart name unless it is in there already. */}}
{{- define "kinema.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* chart label value: name-version. */}}
{{- define "kinema.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "kinema.labels" -}}
helm.sh/chart: {{ include "kinema.chart" . }}
app.kubernetes.io/name: {{ include "kinema.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: kinema
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of one component; call with (dict "ctx" $ "component" "operator"). */}}
{{- define "kinema.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kinema.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Full labels of one component's objects; same argument as kinema.selectorLabels. */}}
{{- define "kinema.componentLabels" -}}
{{ include "kinema.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* The image reference: repository@digest, or repository:tag (tag defaults to appVersion). */}}
{{- define "kinema.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Image of the transcode Jobs: transcodeJobs.image, falling back to the main image. */}}
{{- define "kinema.transcoderImage" -}}
{{- if .Values.transcodeJobs.image.repository }}
{{- printf "%s:%s" .Values.transcodeJobs.image.repository (default (default .Chart.AppVersion .Values.image.tag) .Values.transcodeJobs.image.tag) }}
{{- else }}
{{- include "kinema.image" . }}
{{- end }}
{{- end }}

{{/* ServiceAccount names. */}}
{{- define "kinema.operator.serviceAccountName" -}}
{{- default (printf "%s-operator" (include "kinema.fullname" .)) .Values.operator.serviceAccount.name }}
{{- end }}

{{- define "kinema.api.serviceAccountName" -}}
{{- default (printf "%s-api" (include "kinema.fullname" .)) .Values.api.serviceAccount.name }}
{{- end }}

{{/* Names of the chart's own Secret (process secrets) and of the Secret transcode Jobs load. */}}
{{- define "kinema.secretName" -}}
{{- printf "%s-secrets" (include "kinema.fullname" .) }}
{{- end }}

{{- define "kinema.s3SecretName" -}}
{{- default (printf "%s-s3" (include "kinema.fullname" .)) .Values.s3.existingSecret.name }}
{{- end }}

{{- define "kinema.configMapName" -}}
{{- printf "%s-config" (include "kinema.fullname" .) }}
{{- end }}

{{/* Whether the chart has S3 keys to give (inline or in an existing Secret). */}}
{{- define "kinema.s3HasKeys" -}}
{{- if or .Values.s3.existingSecret.name (and .Values.s3.accessKeyId .Values.s3.secretAccessKey) }}true{{- end }}
{{- end }}

{{/*
One env entry read from a Secret: the existing Secret when named, else the chart's own.
Call with (dict "env" "KINEMA_DATABASE_URL" "existing" .Values.postgres.existingSecret "key" "database-url" "ctx" $).
*/}}
{{- define "kinema.secretEnv" -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      {{- if .existing.name }}
      name: {{ .existing.name }}
      key: {{ .existing.key }}
      {{- else }}
      name: {{ include "kinema.secretName" .ctx }}
      key: {{ .key }}
      {{- end }}
{{- end }}

{{/*
The environment every Kinema process gets: the ConfigMap, then each secret that is
configured. The operator adds its Job settings after it.
*/}}
{{- define "kinema.env" -}}
{{- if or .Values.postgres.url .Values.postgres.existingSecret.name }}
{{ include "kinema.secretEnv" (dict "env" "KINEMA_DATABASE_URL" "existing" .Values.postgres.existingSecret "key" "database-url" "ctx" .) }}
{{- end }}
{{- if or .Values.redis.url .Values.redis.existingSecret.name }}
{{ include "kinema.secretEnv" (dict "env" "KINEMA_REDIS_URL" "existing" .Values.redis.existingSecret "key" "redis-url" "ctx" .) }}
{{- end }}
{{ include "kinema.secretEnv" (dict "env" "KINEMA_SECRET_KEY" "existing" .Values.secretKey.existingSecret "key" "secret-key" "ctx" .) }}
{{- if include "kinema.s3HasKeys" . }}
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ include "kinema.s3SecretName" . }}
      key: AWS_ACCESS_KEY_ID
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "kinema.s3SecretName" . }}
      key: AWS_SECRET_ACCESS_KEY
{{- end }}
{{- range $name, $value := .Values.config.extraEnv }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}

{{/* Volumes and mounts for a read-only root filesystem: a scratch /tmp and the data dir. */}}
{{- define "kinema.scratchVolumes" -}}
- name: tmp
  emptyDir: {}
- name: data
  emptyDir: {}
{{- end }}

{{- define "kinema.scratchMounts" -}}
- name: tmp
  mountPath: /tmp
- name: data
  mountPath: /var/lib/kinema
{{- end }}

{{/*
Validation that types alone cannot express; fails the render with a message that says
what to change.
*/}}
{{- define "kinema.validate" -}}
{{- if and (gt (int .Values.operator.replicas) 1) (not .Values.operator.peering.enabled) }}
{{- fail "operator.replicas > 1 needs operator.peering.enabled=true: without Kopf peering every replica would reconcile every Video (duplicate Jobs). Set operator.peering.enabled=true, or keep operator.replicas=1." }}
{{- end }}
{{- if and .Values.cloudfront.enabled (not .Values.cloudfront.existingSecret.name) (not .Values.cloudfront.privateKey) }}
{{- fail "cloudfront.enabled=true needs cloudfront.privateKey or cloudfront.existingSecret.name." }}
{{- end }}
{{- if and .Values.cloudfront.enabled (not .Values.cloudfront.keyPairId) }}
{{- fail "cloudfront.enabled=true needs cloudfront.keyPairId (the public key id in your CloudFront key group)." }}
{{- end }}
{{- if and .Values.api.enabled .Values.stripe.apiKey (not .Values.stripe.existingSecret.name) (not .Values.stripe.webhookSecret) }}
{{- fail "stripe.apiKey turns billing on in the API, which needs stripe.webhookSecret: the signing secret (whsec_...) of a Stripe webhook endpoint at <api.publicUrl>/api/v1/billing/webhook (docs/billing.md)." }}
{{- end }}
{{- if and .Values.api.enabled (or .Values.stripe.apiKey .Values.stripe.existingSecret.name) (not .Values.api.publicUrl) }}
{{- fail "Stripe billing needs api.publicUrl: Checkout and the Billing Portal send viewers back to <api.publicUrl>/account." }}
{{- end }}
{{- if and (not .Values.s3.existingSecret.name) (ne (empty .Values.s3.accessKeyId) (empty .Values.s3.secretAccessKey)) }}
{{- fail "s3.accessKeyId and s3.secretAccessKey go together: set both, or neither (pod identity)." }}
{{- end }}
{{- end }}

{{/*
What the operator does inside a namespace it watches, and nothing more: reconcile the
five Kinema kinds (with their status and finalizers), run Jobs, read their pods (phase,
termination messages), and report Events. No pods/log: the transcoder reports through
the object store, not through logs. No Secrets: Job pods load theirs by name (envFrom).
*/}}
{{- define "kinema.operator.namespacedRules" -}}
- apiGroups: ["kinema.dev"]
  resources: ["videos", "renditions", "ladders", "plans", "distributions"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["kinema.dev"]
  resources:
    - videos/status
    - renditions/status
    - ladders/status
    - plans/status
    - distributions/status
    - videos/finalizers
    - renditions/finalizers
    - ladders/finalizers
    - plans/finalizers
    - distributions/finalizers
  verbs: ["get", "update", "patch"]
{{- /* Jobs: transcode steps and clip previews (created, read back, deleted). */}}
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}

{{/*
Checksum of the secret values, for pod annotations that roll pods when they change. It
hashes the values rather than the rendered Secret, whose generated key differs between
renders when no cluster is there to read it back (helm template).
*/}}
{{- define "kinema.secretChecksum" -}}
{{- list .Values.postgres .Values.redis .Values.s3 .Values.cloudfront .Values.secretKey .Values.stripe | toJson | sha256sum }}
{{- end }}
