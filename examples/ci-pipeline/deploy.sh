#!/usr/bin/env bash
# CI step: `pulumi up`, then hand the Anypoint token to the next step without printing it.
#
#   STACK=ci ./deploy.sh [NEXT_COMMAND ...]
#
# Needs: the pulumi CLI; a logged-in backend (PULUMI_BACKEND_URL or PULUMI_ACCESS_TOKEN);
# PULUMI_CONFIG_PASSPHRASE (or _FILE) for passphrase-encrypted stacks; ANYPOINT_CLIENT_ID and
# ANYPOINT_CLIENT_SECRET from the pipeline's secret store.
#
# The token is handed on in one of two ways, never echoed:
#   - with NEXT_COMMAND: run it with the token in its environment as ANYPOINT_TOKEN;
#   - on GitHub Actions (GITHUB_ENV set): mask it in the log and export it to later steps.
set -euo pipefail
set +x  # never trace: a traced assignment would print the token

cd "$(dirname "$0")"
stack="${STACK:-ci}"

: "${ANYPOINT_CLIENT_ID:?set ANYPOINT_CLIENT_ID from the pipeline secret store}"
: "${ANYPOINT_CLIENT_SECRET:?set ANYPOINT_CLIENT_SECRET from the pipeline secret store}"

pulumi stack select --create "$stack" --non-interactive
pulumi up --yes --non-interactive --skip-preview --stack "$stack"

# Command substitution captures the token; nothing prints it. (A plain assignment, not
# `export VAR=$(...)`, so that `set -e` stops here if the command fails.)
ANYPOINT_TOKEN="$(pulumi stack output accessToken --show-secrets --stack "$stack")"
if [[ -z "$ANYPOINT_TOKEN" ]]; then
  echo "deploy.sh: the stack has no accessToken output" >&2
  exit 1
fi
expires_at="$(pulumi stack output expiresAt --stack "$stack")"
echo "deploy.sh: Anypoint token ready (valid until $expires_at)"

if [[ -n "${GITHUB_ENV:-}" ]]; then
  echo "::add-mask::$ANYPOINT_TOKEN"  # a workflow command: GitHub masks the value in the log
  # A random delimiter, so a token can never end the heredoc early.
  delimiter="ANYPOINT_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
  { echo "ANYPOINT_TOKEN<<$delimiter"; echo "$ANYPOINT_TOKEN"; echo "$delimiter"; } >> "$GITHUB_ENV"
fi

if [[ $# -gt 0 ]]; then
  ANYPOINT_TOKEN="$ANYPOINT_TOKEN" exec "$@"
fi
