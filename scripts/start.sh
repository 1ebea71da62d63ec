#!/usr/bin/env bash
# npm start: builds the package, provisions n8n 2.41.1 on Node 24 (cached), installs the package the
# way users do, imports the examples, creates a credential from OPENAI_API_KEY / OPENAI_BASE_URL when
# they are set, and starts the editor on http://127.0.0.1:5678 with n8n's embedded SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export N8N_USER_FOLDER="${REWARD_LOOP_N8N_HOME:-$ROOT/.n8n-dev}"
PORT="${N8N_PORT:-5678}"

npm run build >/dev/null
# The install script proves n8n works before it prints the two paths; a failure has said why.
paths="$(bash test/e2e/install-n8n.sh)" || { echo "start: n8n could not be provisioned (see above), so the editor cannot start" >&2; exit 1; }
eval "$paths"
export PATH="$NODE24_BIN:$PATH"
export N8N_DIAGNOSTICS_ENABLED=false N8N_VERSION_NOTIFICATIONS_ENABLED=false N8N_TEMPLATES_ENABLED=false
export N8N_LISTEN_ADDRESS=127.0.0.1 N8N_PORT="$PORT" N8N_SECURE_COOKIE=false
mkdir -p "$N8N_USER_FOLDER/.n8n/nodes"

echo "start: installing the package into $N8N_USER_FOLDER/.n8n/nodes" >&2
tarball=$(npm pack --silent --pack-destination "$N8N_USER_FOLDER")
[ -f "$N8N_USER_FOLDER/.n8n/nodes/package.json" ] || echo '{"name":"installed-nodes","private":true}' > "$N8N_USER_FOLDER/.n8n/nodes/package.json"
(cd "$N8N_USER_FOLDER/.n8n/nodes" && npm install --ignore-scripts --no-audit --no-fund --silent "$N8N_USER_FOLDER/$tarball" >&2)

if [ -n "${OPENAI_API_KEY:-}${OPENAI_BASE_URL:-}" ]; then
  # The examples refer to this credential id; the key goes in through a file only n8n reads.
  creds="$N8N_USER_FOLDER/credentials.import.json"
  node -e '
    const fs = require("fs");
    fs.writeFileSync(process.argv[1], JSON.stringify([{ id: "rlExampleCred01", name: "OpenAI-compatible endpoint", type: "openAiCompatibleApi",
      data: { apiKey: process.env.OPENAI_API_KEY || "", baseUrl: process.env.OPENAI_BASE_URL || "https://api.openai.com/v1" } }]), { mode: 0o600 });
  ' "$creds"
  "$N8N_BIN" import:credentials --input="$creds" >/dev/null
  rm -f "$creds"
  echo "start: credential \"OpenAI-compatible endpoint\" points at ${OPENAI_BASE_URL:-https://api.openai.com/v1}" >&2
else
  echo "start: no endpoint given, so the examples' credential \"OpenAI-compatible endpoint\" is not created (unless an earlier start did); to point them at one, start with OPENAI_API_KEY=sk-... (OpenAI), OPENAI_BASE_URL=http://localhost:11434/v1 (Ollama), or OPENAI_BASE_URL=<any OpenAI-compatible /v1 URL> plus OPENAI_API_KEY if it needs one" >&2
fi
"$N8N_BIN" import:workflow --separate --input=examples >/dev/null
echo "start: imported $(ls examples/*.json | wc -l) example workflows; the editor is at http://127.0.0.1:$PORT" >&2
exec "$N8N_BIN" start
