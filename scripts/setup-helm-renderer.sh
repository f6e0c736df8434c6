#!/usr/bin/env bash
# Prints the path of a program that renders Helm charts like `helm template` (same arguments), building it first
# if needed: $FLAGGER_HELM when set (e.g. a real helm binary), otherwise tools/helm-template built offline in
# GOPATH mode against Debian's Go libraries (golang-go, sprig, ghodss/yaml) and cached in $FLAGGER_HELM_CACHE
# (default ~/.cache/flagger-ts/helm-template). It is rebuilt only when its sources change.
set -euo pipefail

if [ -n "${FLAGGER_HELM:-}" ]; then
  printf '%s\n' "$FLAGGER_HELM"
  exit 0
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/tools/helm-template"
cache="${FLAGGER_HELM_CACHE:-$HOME/.cache/flagger-ts/helm-template}"
bin="$cache/helm-template"
log() { printf '[setup-helm-renderer] %s\n' "$*" >&2; }

sum="$(cat "$src"/*.go | sha256sum | cut -d' ' -f1)"
if [ -x "$bin" ] && [ "$(cat "$cache/sources.sha256" 2>/dev/null)" = "$sum" ]; then
  printf '%s\n' "$bin"
  exit 0
fi

gocode=/usr/share/gocode/src/github.com
if ! command -v go >/dev/null 2>&1 || [ ! -d "$gocode/Masterminds/sprig" ] || [ ! -d "$gocode/ghodss/yaml" ]; then
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  packages=(golang-go golang-github-masterminds-sprig-dev golang-github-ghodss-yaml-dev)
  log "installing ${packages[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

log "building tools/helm-template"
mkdir -p "$cache"
# GOPATH mode: the imports resolve in Debian's /usr/share/gocode, without a module proxy.
(cd "$src" && env GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= CGO_ENABLED=0 PATH="/usr/lib/go/bin:$PATH" \
  go build -o "$bin.tmp" .)
mv "$bin.tmp" "$bin"
printf '%s\n' "$sum" >"$cache/sources.sha256"
printf '%s\n' "$bin"
