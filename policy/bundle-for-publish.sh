#!/usr/bin/env bash
# A self-contained copy of the policy pack for `pulumi policy publish`, which uploads one folder: the pack
# shares its secret detector with the stack validation (stacks/secret-detection.ts, which imports nothing), so
# the copy carries that file in rules/ and imports it from there. Everything else is the pack as it is.
#
#   bash policy/bundle-for-publish.sh <new folder>
#   npm install --prefix <new folder> && pulumi policy publish <new folder>
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: bash policy/bundle-for-publish.sh <new folder>" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
out=$1
[ ! -e "$out" ] || { echo "bundle-for-publish: $out exists; name a new folder" >&2; exit 2; }
mkdir -p "$out"
(cd "$root/policy" && tar --exclude=node_modules -cf - .) | (cd "$out" && tar -xf -)
rm -f "$out/bundle-for-publish.sh"
cp "$root/stacks/secret-detection.ts" "$out/rules/secret-detection.ts"
# -i.bak and rm: the in-place form both GNU and BSD (macOS) sed take.
sed -i.bak 's#from "\.\./\.\./stacks/secret-detection"#from "./secret-detection"#' "$out/rules/no-plaintext-secrets.ts"
rm "$out/rules/no-plaintext-secrets.ts.bak"
# Anything else reaching outside the folder would be missing from the upload.
if grep -rnE --include='*.ts' 'from "(\.\./)+(stacks|plan|components|lib)/' "$out"; then
  echo "bundle-for-publish: the imports above reach outside the pack" >&2
  exit 1
fi
echo "bundle-for-publish: $out holds the pack; npm install --prefix $out && pulumi policy publish $out"
