#!/usr/bin/env bash
# A local stand-in for the Dockerfile's base image, for machines that reach no image
# registry: Debian from the machine's own apt source (debootstrap), Node.js and npm from
# the npm registry, the machine's CA bundle, and a `node` user (uid 1000) as in the
# official image. It is tagged with the official name (docker.io/library/node:...), so
# the Dockerfile's `FROM` resolves locally and stays what users build elsewhere.
# Skipped when an image of that name exists.
#
#   scripts/base-image.sh [IMAGE]      # default: the Dockerfile's BASE_IMAGE
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }

image=${1:-$(sed -n 's/^ARG BASE_IMAGE=//p' Dockerfile | head -n 1)}
[ -n "$image" ] || { echo "no ARG BASE_IMAGE=... in Dockerfile" >&2; exit 1; }
case $image in */*) name=$image ;; *) name=docker.io/library/$image ;; esac
if as_root podman image exists "$name"; then
  echo "base image $name: present" >&2
  exit 0
fi
# node:24-bookworm-slim -> Node 24 on Debian bookworm.
tag=${name##*:}
node_major=${tag%%-*}
suite=$(printf '%s' "$tag" | grep -oE 'bookworm|trixie|bullseye' || echo bookworm)
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list)
ca_bundle=/etc/ssl/certs/ca-certificates.crt

work=$(as_root mktemp -d /var/tmp/spindle-base.XXXXXX)
trap 'as_root rm -rf "$work"' EXIT
rootfs=$work/rootfs
started=$SECONDS

log "debootstrap $suite from $mirror"
as_root debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }

log "node@$node_major and npm from the npm registry"
mkdir -p "$work/node"
npm install --prefix "$work/node" --no-audit --no-fund --no-save "node@$node_major" </dev/null >&2
node_version=$(node -p 'require(process.argv[1]).version' "$work/node/node_modules/node/package.json")
npm_tarball=$(cd "$work" && npm pack --silent "npm@$("$work/node/node_modules/node/bin/node" -p 'process.versions.node.split(".")[0] >= 22 ? 11 : 10')" </dev/null)
as_root install -m 0755 "$(readlink -f "$work/node/node_modules/node/bin/node")" "$rootfs/usr/local/bin/node"
as_root mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
as_root tar -xzf "$work/$npm_tarball" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1 --no-same-owner
as_root ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
as_root ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

log 'CA bundle, node user, trimming'
# The machine's CA bundle: where a TLS proxy stands between the machine and the npm
# registry, `npm ci` in a build trusts what the machine trusts.
as_root mkdir -p "$rootfs/etc/ssl/certs"
as_root cp "$ca_bundle" "$rootfs/etc/ssl/certs/ca-certificates.crt"
as_root chroot "$rootfs" groupadd --gid 1000 node
as_root chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
as_root rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/var/log/*

log "podman import $name"
as_root tar --numeric-owner -C "$rootfs" -c . | as_root podman import \
  --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV NODE_VERSION=$node_version" \
  --change "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt" \
  --change 'CMD ["node"]' \
  --message "local stand-in for $name (scripts/base-image.sh)" \
  - "$name" >/dev/null
as_root podman run --rm "$name" node -e 'process.stdout.write(`node ${process.version}\n`)'
as_root podman run --rm "$name" npm --version
echo "base image $name: built in $((SECONDS - started)) s" >&2
