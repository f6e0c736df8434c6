#!/usr/bin/env bash
# Installs what the integration tests need on a Debian machine and builds the test control plane once:
#   etcd (Debian etcd-server), kube-apiserver, kube-controller-manager and kubectl v1.20.2 built from Debian's
#   `kubernetes` source package with Debian's golang-go, Prometheus (Debian prometheus) and the hey and wrk load generators.
# The built binaries are cached in $FLAGGER_K8S_CACHE (default ~/.cache/flagger-ts/k8s-1.20.2); a second run
# is a no-op. Users who bring their own binaries set FLAGGER_KUBE_APISERVER, FLAGGER_KUBE_CONTROLLER_MANAGER,
# FLAGGER_ETCD and FLAGGER_KUBECTL instead, and this script builds nothing.
set -euo pipefail

cache="${FLAGGER_K8S_CACHE:-$HOME/.cache/flagger-ts/k8s-1.20.2}"
log() { printf '[setup-control-plane] %s\n' "$*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_apt=()
command -v etcd >/dev/null 2>&1 || [ -n "${FLAGGER_ETCD:-}" ] || need_apt+=(etcd-server)
command -v prometheus >/dev/null 2>&1 || [ -n "${FLAGGER_PROMETHEUS:-}" ] || need_apt+=(prometheus)
# The load tester's tests generate real load with hey and wrk.
command -v hey >/dev/null 2>&1 || need_apt+=(hey)
command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)
# The dashboard's tests drive a headless Chromium (puppeteer-core downloads no browser).
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)

have_user_bins=0
if [ -n "${FLAGGER_KUBE_APISERVER:-}" ] && [ -n "${FLAGGER_KUBE_CONTROLLER_MANAGER:-}" ]; then have_user_bins=1; fi
need_build=0
if [ "$have_user_bins" = 0 ]; then
  for b in kube-apiserver kube-controller-manager kubectl; do
    [ -x "$cache/$b" ] || need_build=1
  done
fi
if [ "$need_build" = 1 ]; then
  need_apt+=(golang-go golang-github-modern-go-reflect2-dev rsync jq dpkg-dev)
fi

if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "$need_build" = 1 ] && ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
    log "enabling Debian source packages"
    as_root tee /etc/apt/sources.list.d/flagger-debian-src.sources >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  fi
  log "installing ${need_apt[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  # The prometheus package starts a system service on :9090; the tests run their own instance.
  if [[ " ${need_apt[*]} " == *" prometheus "* ]]; then
    as_root systemctl disable --now prometheus >/dev/null 2>&1 || as_root service prometheus stop >/dev/null 2>&1 || true
  fi
fi

# The Helm chart renderer (tools/helm-template, built against Debian's Go libraries; cached).
bash "$(dirname "$0")/setup-helm-renderer.sh" >/dev/null

if [ "$need_build" = 0 ]; then
  log "control plane binaries ready"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
log "fetching the kubernetes source package"
apt-get source -qq kubernetes >/dev/null 2>&1
src="$(find . -maxdepth 1 -type d -name 'kubernetes-*' | head -n1)"
[ -n "$src" ] || { log "apt-get source kubernetes produced no source tree"; exit 1; }
cd "$src"

# The vendored reflect2 1.0.1 reads Go runtime internals that changed in Go 1.18+: the apiserver dies with
# "fatal error: fault" in mapiterinit on the first Deployment write. Debian's 1.0.2 is API-compatible.
log "replacing vendored modern-go/reflect2 with Debian's 1.0.2"
rm -rf vendor/github.com/modern-go/reflect2
# go.mod and vendor/modules.txt keep naming v1.0.1: the vendor consistency check compares only those two.
cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 vendor/github.com/modern-go/reflect2
rm -f vendor/github.com/modern-go/reflect2/go.mod

# Same environment as debian/rules.
export GOPATH="$PWD/.go" CGO_ENABLED=0 PATH="/usr/lib/go/bin:$PATH"
mkdir -p .go/src/k8s.io
[ -L .go/src/k8s.io/kubernetes ] || ln -s ../../.. .go/src/k8s.io/kubernetes
log "building kube-apiserver, kube-controller-manager and kubectl (several minutes)"
env HOME="$work/home" make WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kubectl" >"$work/build.log" 2>&1 || {
  tail -n 40 "$work/build.log" >&2
  exit 1
}
mkdir -p "$cache"
cp _output/bin/kube-apiserver _output/bin/kube-controller-manager _output/bin/kubectl "$cache/"
log "control plane binaries cached in $cache"
