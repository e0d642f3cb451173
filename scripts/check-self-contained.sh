#!/usr/bin/env bash
# A user's clone has nothing beside it: no build, test or run step may read a
# path outside the repository (reference material such as ../shared included).
set -euo pipefail
cd "$(dirname "$0")/.."
if git grep -nE '(\.\./)+shared/|/work/shared' -- ':!*.md' ':!scripts/check-self-contained.sh'; then
  echo "the lines above read files outside the repository: copy what is needed into it (licence noted)" >&2
  exit 1
fi
