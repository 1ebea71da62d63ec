#!/usr/bin/env bash
# npm start: builds the package, provisions n8n 2.41.1 on Node 24 (cached), installs the package the
# way users do, creates a credential from OPENAI_API_KEY / OPENAI_BASE_URL / OPENAI_MODEL (its Default
# Model, which the examples use) when they are set, imports only the examples this n8n does not have yet
# (never overwriting an edited one), and starts the editor on http://127.0.0.1:5678 with n8n's embedded SQLite.
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
      data: { apiKey: process.env.OPENAI_API_KEY || "", baseUrl: process.env.OPENAI_BASE_URL || "https://api.openai.com/v1",
        defaultModel: process.env.OPENAI_MODEL || "gpt-4.1-mini" } }]), { mode: 0o600 });
  ' "$creds"
  "$N8N_BIN" import:credentials --input="$creds" >/dev/null
  rm -f "$creds"
  echo "start: credential \"OpenAI-compatible endpoint\" points at ${OPENAI_BASE_URL:-https://api.openai.com/v1}, default model ${OPENAI_MODEL:-gpt-4.1-mini} (the examples use it; OPENAI_MODEL changes it)" >&2
  if [ -n "${OPENAI_BASE_URL:-}" ] && [ -z "${OPENAI_MODEL:-}" ] && [[ "$OPENAI_BASE_URL" != https://api.openai.com/* ]]; then
    echo "start: OPENAI_MODEL is not set, so the examples ask ${OPENAI_BASE_URL} for gpt-4.1-mini; give a model it serves, e.g. OPENAI_MODEL=llama3.1:8b for Ollama" >&2
  fi
else
  echo "start: no endpoint given, so the examples' credential \"OpenAI-compatible endpoint\" is not created (unless an earlier start did); to point them at one, start with OPENAI_API_KEY=sk-... (OpenAI), OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_MODEL=llama3.1:8b (Ollama), or OPENAI_BASE_URL=<any OpenAI-compatible /v1 URL> plus OPENAI_API_KEY if it needs one" >&2
fi
# Only the examples this n8n does not have yet (by workflow id) are imported: import:workflow
# replaces a workflow with the same id, so importing all of them would undo the user's edits.
existing=""
if [ -f "$N8N_USER_FOLDER/.n8n/database.sqlite" ]; then
  # The ids come through n8n's logger: a quieter level or a log file would hide them and make every
  # example look missing, so both are set for this one command.
  existing="$(N8N_LOG_LEVEL=info N8N_LOG_OUTPUT=console "$N8N_BIN" list:workflow --onlyId 2>/dev/null)" || {
    echo "start: could not list the workflows already in $N8N_USER_FOLDER, so no example is imported (none is overwritten)" >&2
    existing="__unknown__"
  }
fi
if [ "$existing" != "__unknown__" ]; then
  pending="$(mktemp -d "${TMPDIR:-/tmp}/reward-loop-examples.XXXXXX")"
  counts="$(EXISTING="$existing" node -e '
    const fs = require("fs"), path = require("path");
    const [dir, out] = process.argv.slice(1);
    const have = new Set(process.env.EXISTING.split(/\s+/).filter(Boolean).flatMap((line) => line.split("|")));
    let added = 0, kept = 0;
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
      const { id } = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
      if (have.has(id)) kept++;
      else { fs.copyFileSync(path.join(dir, file), path.join(out, file)); added++; }
    }
    console.log(`${added} ${kept}`);
  ' examples "$pending")"
  read -r added kept <<<"$counts"
  if [ "$added" -gt 0 ]; then "$N8N_BIN" import:workflow --separate --input="$pending" >/dev/null || { rm -rf "$pending"; exit 1; }; fi
  rm -rf "$pending"
  echo "start: imported $added new example workflows ($kept already there, left as they are; to get one back as shipped, archive it, delete it in n8n and start again)" >&2
fi
echo "start: the editor is at http://127.0.0.1:$PORT" >&2
exec "$N8N_BIN" start
