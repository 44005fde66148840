#!/usr/bin/env bash
# Formats the C++ sources (include/, tests/, examples/, benchmarks/) with clang-format 14 and the
# repository's .clang-format.
#   scripts/format.sh           rewrites the files in place
#   scripts/format.sh --check   changes nothing; lists the files that would change, exits 1 if any
# CLANG_FORMAT overrides the binary (default clang-format-14: other versions format differently).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
CLANG_FORMAT=${CLANG_FORMAT:-clang-format-14}

check=0
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

if ! command -v "$CLANG_FORMAT" >/dev/null 2>&1; then
  echo "format.sh: $CLANG_FORMAT not found (Debian: apt-get install clang-format-14, or scripts/install-deps.sh)" >&2
  exit 2
fi

mapfile -t files < <(find include tests examples benchmarks -type f \( -name '*.hpp' -o -name '*.cpp' \) | LC_ALL=C sort)

if [[ $check -eq 0 ]]; then
  printf '%s\0' "${files[@]}" | xargs -0 -n 50 "$CLANG_FORMAT" -i --style=file
  echo "format.sh: formatted ${#files[@]} files"
  exit 0
fi

bad=0
for f in "${files[@]}"; do
  if ! "$CLANG_FORMAT" --style=file "$f" | cmp -s - "$f"; then
    echo "format.sh: $f is not formatted (run scripts/format.sh)"
    bad=$((bad + 1))
  fi
done
if [[ $bad -ne 0 ]]; then
  echo "format.sh: $bad of ${#files[@]} files need formatting"
  exit 1
fi
echo "format.sh: all ${#files[@]} files formatted"
