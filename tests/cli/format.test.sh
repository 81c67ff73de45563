#!/usr/bin/env bash
# Hygiene: every C++ file is formatted as .clang-format says.
set -euo pipefail
cd "${PITH_SRC:?}"
files=$(git ls-files '*.cc' '*.h' 2>/dev/null || find src tests bench -name '*.cc' -o -name '*.h')
if clang-format --dry-run --Werror $files; then
  echo "format: 1 passed, 0 failed"
else
  echo "format: 0 passed, 1 failed (run: clang-format -i \$(git ls-files '*.cc' '*.h'))"
  exit 1
fi
