#!/usr/bin/env bash
# A user's clone has nothing beside it: no build, test or run step may read a
# path outside the repository (the team's reference folder beside it included).
set -euo pipefail
cd "$(dirname "$0")/.."
# The folder's name is written as a character class so that this file, which
# names it, does not match itself.
if git grep -nE '(\.\./)+s[h]ared/|/work/s[h]ared' -- ':!*.md'; then
  echo "the lines above read files outside the repository: copy what is needed into it (licence noted)" >&2
  exit 1
fi
