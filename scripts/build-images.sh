#!/usr/bin/env bash
# Builds the controller (`flagger`) and load tester (`flagger-loadtester`) container images without a container
# engine, as OCI image layouts: mmdebstrap assembles a Debian bookworm root filesystem from the Debian archive,
# umoci stacks the layers on it (Node.js from node_modules/node, the production node_modules, the app) and writes
# the image config. Same contents and config as deploy/images/*/Dockerfile, which need a Docker engine and Docker Hub.
#
#   bash scripts/build-images.sh [flagger] [flagger-loadtester]      (default: both)
#
# Output: $FLAGGER_IMAGES_DIR (default ~/.cache/flagger-ts/images)/<image>, tags `latest` and the package version;
# e.g. `skopeo copy oci:<dir>/flagger:latest docker-daemon:flagger-ts:latest`. The Debian + Node.js base of each
# image is cached by its recipe (mmdebstrap arguments, package list, Node.js version; for a week at most) and the
# production node_modules by package-lock.json, so a rebuild only packs the node_modules and app layers. Needs
# root: mmdebstrap and umoci keep file owners.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="${FLAGGER_IMAGES_DIR:-$HOME/.cache/flagger-ts/images}"
cache="$out/cache"
log() { printf '[build-images] %s\n' "$*" >&2; }

if [ "$(id -u)" != 0 ]; then
  log "run as root: mmdebstrap and umoci need it to keep the owners of the image's files"
  exit 1
fi
bash "$root/scripts/setup-image-tools.sh"
export PATH="$root/node_modules/.bin:$PATH"
node_bin="$root/node_modules/node/bin/node"
[ -x "$node_bin" ] || { log "no Node.js in node_modules/node: run npm ci first"; exit 1; }
node_version="$("$node_bin" --version)"
version="$("$node_bin" -p "require('$root/package.json').version")"

# The non-root user of both images; the same uid as the Dockerfiles and deploy/kustomize's runAsUser.
uid=10001
add_user='echo "flagger:x:10001:10001:flagger:/home/flagger:/usr/sbin/nologin" >>"$1/etc/passwd"
echo "flagger:*:0:0:99999:7:::" >>"$1/etc/shadow"
echo "flagger:x:10001:" >>"$1/etc/group"
install -d -o 10001 -g 10001 "$1/home/flagger"'
# Essential packages (a shell and coreutils, like node:22-bookworm-slim without apt) and the C++ runtime Node.js
# links against; merged /usr without the usrmerge package (which pulls in perl); no documentation but the licenses.
mmdebstrap_args=(
  --variant=essential --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*'
  --dpkgopt='path-exclude=/usr/share/locale/*' --customize-hook="$add_user" --include=libstdc++6
)

production_packages='const lock = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
for (const [path, pkg] of Object.entries(lock.packages)) if (path && !pkg.dev) console.log(path, pkg.version, pkg.integrity);'

# Moves a finished cache entry into place and removes the older entries of its kind (its siblings).
store() {
  local entry
  mkdir -p "$(dirname "$2")"
  rm -rf "$2"
  mv "$1" "$2"
  for entry in "$(dirname "$2")"/*; do [ "$entry" = "$2" ] || rm -rf "$entry"; done
}

# Prints the path of a cached OCI layout whose tag `base` holds Debian with the given packages plus Node.js.
base_layout() {
  local name=$1 packages=$2 key dir tmp
  key="$(printf '%s\n' "${mmdebstrap_args[@]}" "$packages" "$node_version" | sha256sum | cut -c1-16)"
  dir="$cache/base-$name/$key"
  # Rebuilt weekly anyway, for Debian's security updates.
  if [ ! -f "$dir/index.json" ] || [ -n "$(find "$dir/index.json" -mtime +6)" ]; then
    log "$name: building the Debian bookworm root filesystem (${packages:-essential packages only})"
    tmp="$(mktemp -d "$cache/tmp.XXXXXX")"
    mmdebstrap "${mmdebstrap_args[@]}" ${packages:+--include="$packages"} bookworm "$tmp/rootfs" \
      http://deb.debian.org/debian >"$tmp/mmdebstrap.log" 2>&1 || {
      tail -n 40 "$tmp/mmdebstrap.log" >&2
      exit 1
    }
    # A container runtime mounts /dev; the device nodes mmdebstrap made do not belong in a layer.
    rm -rf "${tmp:?}/rootfs/dev/"*
    umoci init --layout "$tmp/oci"
    umoci new --image "$tmp/oci:base"
    umoci insert --image "$tmp/oci:base" --history.created_by "mmdebstrap bookworm $packages" "$tmp/rootfs" /
    umoci insert --image "$tmp/oci:base" --history.created_by "Node.js $node_version" "$node_bin" /usr/local/bin/node
    umoci gc --layout "$tmp/oci"
    store "$tmp/oci" "$dir"
    rm -rf "$tmp"
  fi
  printf '%s\n' "$dir"
}

# Prints the directory of the production node_modules (npm ci --omit=dev), cached by the lock file's production
# packages (a new devDependency changes nothing here).
production_modules() {
  local key dir tmp
  key="$("$node_bin" -e "$production_packages" "$root/package-lock.json" | sha256sum | cut -c1-16)"
  dir="$cache/node_modules/$key"
  if [ ! -d "$dir/node_modules" ]; then
    log "installing the production node_modules"
    tmp="$(mktemp -d "$cache/tmp.XXXXXX")"
    cp "$root/package.json" "$root/package-lock.json" "$tmp/"
    # No install scripts: only the devDependency `node` has one.
    (cd "$tmp" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
    rm -f "$tmp/package.json" "$tmp/package-lock.json"
    store "$tmp" "$dir"
  fi
  printf '%s\n' "$dir/node_modules"
}

# The app layer as a directory tree: /app (package.json, bin, src without tests) and both commands on PATH, as
# deploy/kustomize runs them (`command: [flagger]`, `command: [flagger-loadtester]`); the load tester's image also has
# ghz and grpc_health_probe on PATH, which its tasks run.
stage_app() {
  local stage=$1 name=$2
  mkdir -p "$stage/app" "$stage/usr/local/bin"
  chmod 755 "$stage"
  cp --recursive --preserve=mode "$root/package.json" "$root/bin" "$stage/app/"
  tar -C "$root" --exclude='*.test.ts' --exclude='*.fixture.ts' -cf - src | tar -C "$stage/app" --no-same-owner -xf -
  ln -s /app/bin/flagger.js "$stage/usr/local/bin/flagger"
  ln -s /app/bin/flagger-loadtester.js "$stage/usr/local/bin/flagger-loadtester"
  if [ "$name" = flagger-loadtester ]; then
    ln -s /app/bin/ghz.js "$stage/usr/local/bin/ghz"
    ln -s /app/bin/grpc_health_probe.js "$stage/usr/local/bin/grpc_health_probe"
  fi
}

# build_image <image> <entrypoint script> <port> <description> <packages, comma-separated>
build_image() {
  local name=$1 script=$2 port=$3 description=$4 packages=$5 base modules layout stage
  local start=$SECONDS
  base="$(base_layout "$name" "$packages")"
  modules="$(production_modules)"
  layout="$out/$name"
  rm -rf "$layout"
  mkdir -p "$layout"
  # Blobs are content-addressed and never rewritten, so the cached ones are shared by hard links (gc only unlinks).
  cp -al "$base/blobs" "$layout/" 2>/dev/null || cp -a "$base/blobs" "$layout/"
  cp "$base/index.json" "$base/oci-layout" "$layout/"
  stage="$(mktemp -d "$cache/tmp.XXXXXX")"
  stage_app "$stage" "$name"
  umoci insert --image "$layout:base" --tag latest --history.created_by "npm ci --omit=dev" "$modules" /app/node_modules
  umoci insert --image "$layout:latest" --history.created_by "flagger $version" "$stage" /
  rm -rf "$stage"
  umoci config --image "$layout:latest" --history.created_by "config" \
    --config.entrypoint node --config.entrypoint "/app/bin/$script" \
    --config.user "$uid:$uid" --config.workingdir /app --config.exposedports "$port/tcp" \
    --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --config.env NODE_ENV=production \
    --config.label "org.opencontainers.image.title=$name" \
    --config.label "org.opencontainers.image.description=$description" \
    --config.label "org.opencontainers.image.version=$version" \
    --config.label org.opencontainers.image.licenses=Apache-2.0
  umoci tag --image "$layout:latest" "$version"
  umoci rm --image "$layout:base"
  umoci gc --layout "$layout"
  log "$name: $layout (tags latest, $version; $(du -sh "$layout" | cut -f1)) in $((SECONDS - start))s"
}

packages_of() { sed 's/#.*//' "$1" | xargs | tr ' ' ,; }

mkdir -p "$cache"
# Concurrent builds (two test runs) would rewrite the same layouts.
exec 9>"$out/.lock"
flock 9
rm -rf "$cache"/tmp.*
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(flagger flagger-loadtester)
for target in "${targets[@]}"; do
  case "$target" in
    flagger)
      build_image flagger flagger.js 8080 'Progressive delivery operator for Kubernetes' ''
      ;;
    flagger-loadtester)
      build_image flagger-loadtester flagger-loadtester.js 9090 'Load tests and gates for canary analysis' \
        "$(packages_of "$root/deploy/images/loadtester/packages.txt")"
      ;;
    *)
      log "unknown image $target (flagger, flagger-loadtester)"
      exit 2
      ;;
  esac
done
