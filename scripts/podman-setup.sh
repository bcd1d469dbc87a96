#!/usr/bin/env bash
# Containers on a Debian machine without Docker: install podman (with runc) and what the
# image tests need, set the two containers.conf settings these machines require, and
# build the local stand-in of the Dockerfile's base image (scripts/base-image.sh).
# Every step is skipped when already done: run it once per machine, or every time.
#
#   scripts/podman-setup.sh            # as root, or with password-less sudo
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

log() { printf '\n== %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }

# --- Debian packages -------------------------------------------------------------------
# runc: crun fails here ("cgroups in hybrid mode not supported"); slirp4netns: port
# mapping that listens on the machine's loopback; debootstrap: the stand-in base image;
# podman-compose: compose.yaml's test.
packages=(podman runc slirp4netns debootstrap podman-compose)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  as_root apt-get update -q
  as_root apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
fi

# --- /etc/containers/containers.conf ---------------------------------------------------
# `key = value` under `[section]`: replaced when the key is there, added otherwise.
conf_set() { # conf_set <file> <section> <key> <value>
  local file=$1 section=$2 key=$3 value=$4
  as_root touch "$file"
  grep -q "^\[$section\]" "$file" || printf '\n[%s]\n' "$section" | as_root tee -a "$file" >/dev/null
  local updated
  updated=$(awk -v section="[$section]" -v key="$key" -v line="$key = $value" '
    /^\[/ { if (inside && !done) { print line; done = 1 } inside = ($0 == section) }
    inside && $0 ~ "^[ \t]*" key "[ \t]*=" { if (!done) print line; done = 1; next }
    { print }
    END { if (inside && !done) print line }
  ' "$file")
  printf '%s\n' "$updated" | as_root tee "$file" >/dev/null
}
CONF=/etc/containers/containers.conf
if ! grep -q '^runtime = "runc"' "$CONF" 2>/dev/null || ! grep -q '^default_ulimits = \[\]' "$CONF" 2>/dev/null; then
  log "$CONF: runtime runc, no default ulimits"
  as_root mkdir -p /etc/containers
  # The default ulimits fail here: "setrlimit RLIMIT_NOFILE: Operation not permitted".
  conf_set "$CONF" containers default_ulimits '[]'
  conf_set "$CONF" engine runtime '"runc"'
fi
podman info --format '{{.Host.OCIRuntime.Name}}' | grep -qx runc ||
  { echo "podman does not use runc: check $CONF" >&2; exit 1; }

# --- The base image --------------------------------------------------------------------
scripts/base-image.sh
