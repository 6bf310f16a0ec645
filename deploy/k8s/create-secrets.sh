#!/usr/bin/env bash
# Creates the Secrets the manifests in this directory mount, each with one random value, in the namespace of the
# manifests (bank; another: BANK_NAMESPACE=...), with the kubectl of your current context. A Secret that exists is
# kept as it is, so running this again never changes a password a running cluster uses (to rotate one, delete its
# Secret, run this, re-run the Job bank-kafka-setup, restart the pods that mount it). The values never touch the
# disk and are never printed; read one with `kubectl -n bank get secret NAME -o jsonpath='{.data.password}' | base64 -d`.
# Letters and digits only: the Kafka passwords go into JAAS text.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
NAMESPACE="${BANK_NAMESPACE:-bank}"

# name:key, one per Secret (DeployManifestsTest checks that every Secret the manifests mount is here)
SECRETS=(
  bank-kafka-admin:password       # the Kafka super user: brokers, the set-up Job
  bank-kafka-gateway:password     # the Kafka roles' SCRAM passwords (bank acls sets them)
  bank-kafka-processor:password
  bank-kafka-notifier:password
  bank-kafka-upstream:password    # for an upstream producer; mount it in that system's pods
  bank-kafka-monitor:password     # for a monitor or audit reader
  bank-service-token:token        # the query API's shared credential: gateway and processors
)

random_value() {
  # 48 random bytes, base64 without + and / (cut reads it all: no SIGPIPE under pipefail)
  head -c 48 /dev/urandom | base64 | LC_ALL=C tr -dc 'A-Za-z0-9' | cut -c1-32
}

kubectl apply -f namespace.yaml >/dev/null
for entry in "${SECRETS[@]}"; do
  name="${entry%%:*}"
  key="${entry#*:}"
  if kubectl -n "$NAMESPACE" get secret "$name" >/dev/null 2>&1; then
    echo "kept    secret/$name"
    continue
  fi
  # through standard input, never a command line (which other users of this machine could read)
  random_value | tr -d '\n' | kubectl -n "$NAMESPACE" create secret generic "$name" --from-file="$key=/dev/stdin" >/dev/null
  kubectl -n "$NAMESPACE" label secret "$name" app.kubernetes.io/part-of=bank >/dev/null
  echo "created secret/$name"
done
