{{- define "kddm.env" -}}
- name: SPRING_DATASOURCE_URL
  value: {{ .Values.database.url | quote }}
- name: SPRING_DATASOURCE_USERNAME
  value: {{ .Values.database.username | quote }}
- name: SPRING_DATASOURCE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.database.passwordSecret }}
      key: password
{{- if eq .Values.artifacts.type "s3" }}
- name: KDDM_STORAGE_TYPE
  value: s3
- name: KDDM_STORAGE_S3_ENDPOINT
  value: {{ .Values.artifacts.s3.endpoint | quote }}
- name: KDDM_STORAGE_S3_REGION
  value: {{ .Values.artifacts.s3.region | quote }}
- name: KDDM_STORAGE_S3_BUCKET
  value: {{ required "artifacts.s3.bucket is required when artifacts.type is s3" .Values.artifacts.s3.bucket | quote }}
- name: KDDM_STORAGE_S3_PATH_STYLE
  value: {{ .Values.artifacts.s3.pathStyle | quote }}
- name: KDDM_STORAGE_S3_PREFIX
  value: {{ .Values.artifacts.s3.prefix | quote }}
- name: KDDM_STORAGE_S3_CACHE_DIR
  value: /var/lib/kddm/cache
{{- with .Values.artifacts.s3.credentialsSecret }}
- name: KDDM_STORAGE_S3_ACCESS_KEY
  valueFrom:
    secretKeyRef: {name: {{ . }}, key: access-key}
- name: KDDM_STORAGE_S3_SECRET_KEY
  valueFrom:
    secretKeyRef: {name: {{ . }}, key: secret-key}
{{- end }}
{{- else }}
- name: KDDM_STORAGE_ROOT
  value: /var/lib/kddm/artifacts
{{- end }}
{{- end -}}

{{/* The artifact folder (local) or the S3 cache (s3), mounted the same way in API and worker pods. */}}
{{- define "kddm.storageMount" -}}
{{- if eq .Values.artifacts.type "s3" -}}
[{name: artifacts, mountPath: /var/lib/kddm/cache}]
{{- else -}}
[{name: artifacts, mountPath: /var/lib/kddm/artifacts}]
{{- end -}}
{{- end -}}

{{- define "kddm.storageVolume" -}}
- name: artifacts
{{- if eq .Values.artifacts.type "s3" }}
  emptyDir: {sizeLimit: {{ .Values.artifacts.s3.cacheSize }}}
{{- else }}
  persistentVolumeClaim: {claimName: {{ .Release.Name }}-artifacts}
{{- end }}
{{- end -}}
