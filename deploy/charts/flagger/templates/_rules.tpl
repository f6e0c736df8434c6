{{/*
Exactly what the controller reads and writes, per API group; no wildcards: the rules of
deploy/kustomize/base/clusterrole.yaml, whose comments say what is not granted and why (a test compares the two).
A Role (single-namespace mode) leaves out Kuma's TrafficRoutes, which are cluster-scoped.
Usage: include "flagger.rules" (dict "clusterScoped" true)
*/}}
{{- define "flagger.rules" -}}
# Canaries: watched, read by each tick, finalizer added and removed (update), status written.
- apiGroups: [flagger.app]
  resources: [canaries]
  verbs: [get, list, watch, update]
- apiGroups: [flagger.app]
  resources: [canaries/status]
  verbs: [update]
# Generated objects carry an ownerReference to their Canary with blockOwnerDeletion, which clusters with the
# OwnerReferencesPermissionEnforcement admission plugin only allow with update on the owner's finalizers.
- apiGroups: [flagger.app]
  resources: [canaries/finalizers]
  verbs: [update]
- apiGroups: [flagger.app]
  resources: [metrictemplates]
  verbs: [list, watch]
- apiGroups: [flagger.app]
  resources: [alertproviders]
  verbs: [get]
{{- if .clusterScoped }}
# Our CRDs, read once at start-up: an older one (helm upgrade leaves Flagger's in place) drops the fields of
# our extensions, which the controller then reports. Cluster-scoped, so a Role cannot grant it.
- apiGroups: [apiextensions.k8s.io]
  resources: [customresourcedefinitions]
  resourceNames: [canaries.flagger.app, metrictemplates.flagger.app, alertproviders.flagger.app]
  verbs: [get]
{{- end }}
# Targets and their -primary copies: watched for new revisions, primary created and promoted (update),
# target scaled (patch).
- apiGroups: [apps]
  resources: [deployments, daemonsets]
  verbs: [get, list, watch, create, update, patch]
# The apex, -primary and -canary Services, and Service targets; watched so that a deleted one is re-created.
- apiGroups: ['']
  resources: [services]
  verbs: [get, list, watch, create, update]
# Config tracking: watched, read, copied to -primary; Secrets also hold notifier and metric provider
# credentials, and the tokens of webhook secretRefs.
- apiGroups: ['']
  resources: [configmaps, secrets]
  verbs: [get, list, watch, create, update]
# Events about canaries; a repeated one has its count raised.
- apiGroups: ['']
  resources: [events]
  verbs: [create, patch]
# The -primary HorizontalPodAutoscaler (autoscaling/v2 or v2beta2).
- apiGroups: [autoscaling]
  resources: [horizontalpodautoscalers]
  verbs: [get, create, update]
# The -primary KEDA ScaledObject; the target's is paused with an annotation (patch).
- apiGroups: [keda.sh]
  resources: [scaledobjects]
  verbs: [get, create, update, patch]
# nginx and skipper: the -canary Ingress, copied from ingressRef; skipper deletes it on finalization.
- apiGroups: [networking.k8s.io]
  resources: [ingresses]
  verbs: [get, create, update, delete]
# istio
- apiGroups: [networking.istio.io]
  resources: [virtualservices, destinationrules]
  verbs: [get, create, update]
# linkerd, osm, smi:*
- apiGroups: [split.smi-spec.io]
  resources: [trafficsplits]
  verbs: [get, create, update]
# appmesh, appmesh:v1beta2
- apiGroups: [appmesh.k8s.aws]
  resources: [virtualnodes, virtualrouters, virtualservices]
  verbs: [get, create, update]
# contour
- apiGroups: [projectcontour.io]
  resources: [httpproxies]
  verbs: [get, create, update]
# gatewayapi:v1, gatewayapi:v1beta1
- apiGroups: [gateway.networking.k8s.io]
  resources: [httproutes]
  verbs: [get, create, update]
# gloo: the primary and canary Upstreams and the RouteTable.
- apiGroups: [gloo.solo.io]
  resources: [upstreams]
  verbs: [get, create, update]
- apiGroups: [gateway.solo.io]
  resources: [routetables]
  verbs: [get, create, update]
# traefik
- apiGroups: [traefik.io]
  resources: [traefikservices]
  verbs: [get, create, update]
{{- if .clusterScoped }}
# kuma (TrafficRoute is cluster-scoped)
- apiGroups: [kuma.io]
  resources: [trafficroutes]
  verbs: [get, create, update]
{{- end }}
# apisix: the -canary copy of routeRef.
- apiGroups: [apisix.apache.org]
  resources: [apisixroutes]
  verbs: [get, create, update]
# knative: the Knative Service is target and router at once; revisions are read for readiness.
- apiGroups: [serving.knative.dev]
  resources: [services]
  verbs: [get, update]
- apiGroups: [serving.knative.dev]
  resources: [revisions]
  verbs: [get]
# MetricTemplate provider keptn: KeptnMetric values, and Analyses created, polled and deleted.
- apiGroups: [metrics.keptn.sh]
  resources: [keptnmetrics]
  verbs: [get]
- apiGroups: [metrics.keptn.sh]
  resources: [analyses]
  verbs: [get, create, delete]
{{- end -}}
