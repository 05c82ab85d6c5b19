#!/usr/bin/env bash
# Fuzz the REST API of a running Khách with schemathesis, from its own OpenAPI
# document, as an administrator. Fails on any server error, undocumented status,
# schema violation or accepted invalid input.
#   usage: .ci/schemathesis.sh BIN sqlite|postgres [MAX_EXAMPLES]
set -euo pipefail
bin="$1"; backend="$2"; max="${3:-25}"
st="${ST:-.venv/bin/st}"
work="$(mktemp -d)"
port=$(( 20000 + RANDOM % 20000 ))
cleanup() {
  [[ -n "${server:-}" ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  if [[ "$backend" == postgres ]]; then
    psql "$KHACH_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

export KHACH_DATA_DIR="$work/data"
if [[ "$backend" == postgres ]]; then
  db="khach_st_$$"
  psql "$KHACH_TEST_POSTGRES_URL" -qc "CREATE DATABASE $db"
  export KHACH_DATABASE_URL="${KHACH_TEST_POSTGRES_URL%/*}/$db"
else
  unset KHACH_DATABASE_URL
fi

echo "st-admin-password-1" | "$bin" admin create --username st-admin --password-stdin >/dev/null
key="$("$bin" api-key create --user st-admin --name schemathesis 2>/dev/null)"
"$bin" serve --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done

# Revoking keys is left out: the run would revoke its own key and test nothing more
# (revocation is covered by the integration suite). positive_data_acceptance is left
# out because some rules cannot be written in a schema (a referenced role must exist,
# the current password must match, names are unique); those answer 422 or 409 with a
# field message. Every other check runs, negative_data_rejection included.
"$st" run "http://127.0.0.1:$port/api/openapi.json" \
  -H "Authorization: Bearer $key" \
  --checks all \
  --exclude-checks positive_data_acceptance \
  --exclude-operation-id revoke_api_key \
  --max-examples "$max" \
  --seed 20261125 \
  --workers 1 \
  --request-timeout 10 \
  --warnings off
if grep -q "panicked" "$work/server.log"; then
  echo "server panicked:"; grep -A5 panicked "$work/server.log"; exit 1
fi
