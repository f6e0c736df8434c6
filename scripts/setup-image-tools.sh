#!/usr/bin/env bash
# Installs what scripts/build-images.sh needs on a Debian machine without a container engine: mmdebstrap (builds
# the Debian root filesystems from the Debian archive) and umoci (turns them into OCI image layouts). A second run
# is a no-op.
set -euo pipefail

log() { printf '[setup-image-tools] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_apt=()
command -v mmdebstrap >/dev/null 2>&1 || need_apt+=(mmdebstrap)
command -v umoci >/dev/null 2>&1 || need_apt+=(umoci)
if [ "${#need_apt[@]}" -eq 0 ]; then exit 0; fi

log "installing ${need_apt[*]}"
as_root apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
