#!/usr/bin/env bash
# Creates the passwords docker-compose.yml reads as Docker secrets, one file per user, unless it exists (so re-running
# keeps the passwords the cluster already has): Kafka's users, the query API's service credential, and Grafana's
# admin (profile monitoring). Letters and digits only: they go into JAAS text.
# The files are git-ignored; keep them out of images and logs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
umask 077
for user in kafka-admin gateway processor upstream monitor notifier service-token grafana-admin; do
  file="$user.password"
  if [[ ! -s "$file" ]]; then
    # 48 random bytes, base64 without + and / (cut reads it all: no SIGPIPE under pipefail)
    head -c 48 /dev/urandom | base64 | LC_ALL=C tr -dc 'A-Za-z0-9' | cut -c1-32 | tr -d '\n' > "$file"
    # readable inside the containers, whose users differ from yours; the directory keeps others out on this host
    chmod 644 "$file"
    echo "created secrets/$file"
  fi
done
chmod 700 .

# The gateway's trusted token signer for trying compose without an identity provider: the local issuer key of
# ./bank keys (needs a JDK; the repo builds itself), its public half given to the gateway as a secret. Tokens:
#   BANK_DATA_DIR=secrets/local-issuer ./bank token --sub alice
# A real deployment sets BANK_JWT_JWKS_URL (its identity provider) on the gateway instead.
if [[ ! -s jwt-public-key.jwk ]]; then
  BANK_DATA_DIR="$PWD/local-issuer" ../bank keys >/dev/null
  cp local-issuer/auth/public-key.jwk jwt-public-key.jwk
  chmod 644 jwt-public-key.jwk
  echo "created secrets/jwt-public-key.jwk (signing key in secrets/local-issuer/auth)"
fi
