{{/*
A Kinema command on a schedule (the recommender's training, auto-tagging): one run at a
time (a run that overlaps the next schedule makes the next one wait), the API's
ConfigMap, secrets, node placement and read-only root. Arguments: ctx (the chart's
root), component (the name's suffix and container name), args (the kinema command),
values (schedule, activeDeadlineSeconds, resources), env (more env entries, rendered).
*/}}
{{- define "kinema.cronjob" -}}
{{- $ctx := .ctx }}
{{- $values := .values }}
apiVersion: batch/v1
kind: CronJob
metadata:
  name: {{ include "kinema.fullname" $ctx }}-{{ .component }}
  namespace: {{ $ctx.Release.Namespace }}
  labels:
    {{- include "kinema.componentLabels" (dict "ctx" $ctx "component" .component) | nindent 4 }}
spec:
  schedule: {{ $values.schedule | quote }}
  concurrencyPolicy: Forbid
  successfulJobsHistoryLimit: 1
  failedJobsHistoryLimit: 2
  jobTemplate:
    spec:
      backoffLimit: 1
      activeDeadlineSeconds: {{ $values.activeDeadlineSeconds }}
      template:
        metadata:
          labels:
            {{- include "kinema.selectorLabels" (dict "ctx" $ctx "component" .component) | nindent 12 }}
        spec:
          restartPolicy: Never
          # It talks to the database (and storage) only: no Kubernetes API token here.
          automountServiceAccountToken: false
          {{- with $ctx.Values.imagePullSecrets }}
          imagePullSecrets:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          securityContext:
            {{- toYaml $ctx.Values.podSecurityContext | nindent 12 }}
          containers:
            - name: {{ .component }}
              image: {{ include "kinema.image" $ctx }}
              imagePullPolicy: {{ $ctx.Values.image.pullPolicy }}
              args: {{ toJson .args }}
              envFrom:
                - configMapRef:
                    name: {{ include "kinema.configMapName" $ctx }}
              env:
                {{- include "kinema.env" $ctx | trim | nindent 16 }}
                {{- with .env }}
                {{- . | trim | nindent 16 }}
                {{- end }}
              resources:
                {{- toYaml $values.resources | nindent 16 }}
              securityContext:
                {{- toYaml $ctx.Values.securityContext | nindent 16 }}
              volumeMounts:
                {{- include "kinema.scratchMounts" $ctx | nindent 16 }}
          volumes:
            {{- include "kinema.scratchVolumes" $ctx | nindent 12 }}
          {{- with $ctx.Values.api.nodeSelector }}
          nodeSelector:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- with $ctx.Values.api.tolerations }}
          tolerations:
            {{- toYaml . | nindent 12 }}
          {{- end }}
{{- end }}
