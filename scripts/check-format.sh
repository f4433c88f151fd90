#!/usr/bin/env bash
# Every C++ file is laid out as the repository's .clang-format says (clang-format 14, Debian
# 12), except those listed in .format-exempt: files written before the check came in, which
# keep their layout until they are next changed (then: format them and take them off the
# list). New and changed files are checked, so a change never has to reformat the tree.
#
#   scripts/check-format.sh          check (CI runs this)
#   scripts/check-format.sh --fix    reformat the files that are checked and off
set -euo pipefail
cd "$(dirname "$0")/.."

tool=""
for candidate in clang-format-14 clang-format; do
  if command -v "$candidate" >/dev/null; then tool="$candidate"; break; fi
done
if [[ -z "$tool" ]]; then
  echo "check-format: clang-format is not installed (scripts/install-deps.sh installs clang-format-14)" >&2
  exit 2
fi

declare -A exempt=()
while IFS= read -r line; do
  [[ -z "$line" || "$line" == \#* ]] && continue
  exempt["$line"]=1
done < .format-exempt

mapfile -t files < <( { git ls-files -- '*.cpp' '*.h'; git ls-files --others --exclude-standard -- '*.cpp' '*.h'; } |
                      sort -u)
checked=()
for f in "${files[@]}"; do
  [[ -f "$f" && -z "${exempt[$f]:-}" ]] && checked+=("$f")
done
bad=()
for f in "${checked[@]}"; do
  if ! "$tool" --dry-run --Werror "$f" >/dev/null 2>&1; then bad+=("$f"); fi
done
if [[ "${1:-}" == "--fix" ]]; then
  [[ ${#bad[@]} -gt 0 ]] && "$tool" -i "${bad[@]}"
  echo "check-format: reformatted ${#bad[@]} file(s)"
  exit 0
fi
if [[ ${#bad[@]} -gt 0 ]]; then
  echo "check-format: ${#bad[@]} of ${#checked[@]} checked file(s) are not laid out as .clang-format says:" >&2
  printf '  %s\n' "${bad[@]}" >&2
  echo "run scripts/check-format.sh --fix to reformat them (files written before the check are in .format-exempt)" >&2
  exit 1
fi
echo "check-format: ${#checked[@]} file(s) laid out as .clang-format says; ${#exempt[@]} older ones exempt (.format-exempt)"
