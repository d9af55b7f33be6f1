#!/usr/bin/env bash
# Regenerate the typed API client's schema from the FastAPI app's OpenAPI document.
# src/api/schema.d.ts is generated: never edit it by hand, run `npm run gen-api`.
# An optional argument writes elsewhere (the drift test compares that with the file).
set -euo pipefail
WEB=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(cd "$WEB/.." && pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
tmp=$(mktemp --suffix=.json)
trap 'rm -f "$tmp"' EXIT
"$PY" - "$tmp" <<'PY'
import json
import sys

from kinema_api.app import create_app

with open(sys.argv[1], "w") as out:
    json.dump(create_app(web_dist=None).openapi(), out, indent=1, sort_keys=True)
PY
cd "$WEB"
out=${1:-src/api/schema.d.ts}
npx --no-install openapi-typescript "$tmp" -o "$out" --root-types --root-types-no-schema-prefix >/dev/null
echo "gen-api: wrote $out"
