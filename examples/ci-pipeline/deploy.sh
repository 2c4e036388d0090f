#!/usr/bin/env bash
# CI step: `pulumi up`, then hand the Anypoint token to the next step without printing it.
#
#   STACK=ci ./deploy.sh [NEXT_COMMAND ...]
#
# Needs: the pulumi CLI; a logged-in backend (PULUMI_BACKEND_URL or PULUMI_ACCESS_TOKEN);
# PULUMI_CONFIG_PASSPHRASE (or _FILE) for passphrase-encrypted stacks; ANYPOINT_CLIENT_ID and
# ANYPOINT_CLIENT_SECRET from the pipeline's secret store.
#
# It hands on the names other tools read: ANYPOINT_ACCESS_TOKEN (the community Terraform
# provider; anypoint-cli-v4 takes it as --bearer "$ANYPOINT_ACCESS_TOKEN"), ANYPOINT_ORG (the
# organization id), ANYPOINT_ENV (the environment's name, as anypoint-cli-v4 takes it),
# ANYPOINT_ENV_ID (its id, for X-ANYPNT-ENV-ID) and ANYPOINT_HOST (the control plane's host).
# Never echoed, in one of these ways:
#   - with NEXT_COMMAND: run it with them in its environment;
#   - on GitHub Actions (GITHUB_ENV set): mask the token in the log, export them to later steps;
#   - on Azure Pipelines (TF_BUILD set): set them as pipeline variables, the token as a secret
#     (masked in the log, and only given to later steps that map it explicitly).
set -euo pipefail
set +x  # never trace: a traced assignment would print the token

cd "$(dirname "$0")"
stack="${STACK:-ci}"

: "${ANYPOINT_CLIENT_ID:?set ANYPOINT_CLIENT_ID from the pipeline secret store}"
: "${ANYPOINT_CLIENT_SECRET:?set ANYPOINT_CLIENT_SECRET from the pipeline secret store}"

pulumi stack select --create "$stack" --non-interactive
pulumi up --yes --non-interactive --skip-preview --stack "$stack"

output() { pulumi stack output "$@" --stack "$stack"; }

# Command substitution captures the token; nothing prints it. (Plain assignments, not
# `export VAR=$(...)`, so that `set -e` stops here if a command fails.)
ANYPOINT_ACCESS_TOKEN="$(output accessToken --show-secrets)"
if [[ -z "$ANYPOINT_ACCESS_TOKEN" ]]; then
  echo "deploy.sh: the stack has no accessToken output" >&2
  exit 1
fi
ANYPOINT_ORG="$(output organizationId)"
ANYPOINT_ENV="$(output environmentName)"
ANYPOINT_ENV_ID="$(output environmentId)"
base_url="$(output baseUrl)"
ANYPOINT_HOST="${base_url#*://}"
expires_at="$(output expiresAt)"
echo "deploy.sh: Anypoint token ready for organization $ANYPOINT_ORG, environment" \
     "$ANYPOINT_ENV on $ANYPOINT_HOST (valid until $expires_at)"

names=(ANYPOINT_ACCESS_TOKEN ANYPOINT_ORG ANYPOINT_ENV ANYPOINT_ENV_ID ANYPOINT_HOST)

if [[ -n "${GITHUB_ENV:-}" ]]; then
  echo "::add-mask::$ANYPOINT_ACCESS_TOKEN"  # a workflow command: GitHub masks it from now on
  for name in "${names[@]}"; do
    # A random delimiter, so that no value can end the heredoc early.
    delimiter="ANYPOINT_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
    { echo "$name<<$delimiter"; echo "${!name}"; echo "$delimiter"; } >> "$GITHUB_ENV"
  done
fi

if [[ -n "${TF_BUILD:-}" ]]; then  # Azure Pipelines: logging commands, the token as a secret
  echo "##vso[task.setvariable variable=ANYPOINT_ACCESS_TOKEN;issecret=true]$ANYPOINT_ACCESS_TOKEN"
  for name in "${names[@]:1}"; do
    echo "##vso[task.setvariable variable=$name]${!name}"
  done
fi

if [[ $# -gt 0 ]]; then
  export "${names[@]}"
  exec "$@"
fi
