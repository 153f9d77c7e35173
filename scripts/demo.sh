#!/usr/bin/env bash
# The main job on the shipped sample files: installs what is missing, builds
# the tools (release), and runs st-validate over corpus/ in both profiles,
# showing accepted and rejected files with their error codes.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
echo "==> building the tools (release preset)"
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target st-validate >/dev/null
validate="$PWD/build/release/bin/st-validate"

show() {
  echo
  echo "\$ st-validate $*"
  "$validate" "$@" && status=0 || status=$?
  echo "(exit status $status)"
}

cd corpus
echo "==> a few sample files (corpus/MANIFEST.tsv has the expected verdict of every file)"
show y_all_22_dtypes.safetensors y_metadata.safetensors n_overlapping_tensors.safetensors \
     n_header_length_pk_magic.safetensors n_lone_low_surrogate.safetensors
echo
echo "==> files the reference reader accepts but strict does not (parser-differential levers)"
show i_duplicate_tensor_last_wins.safetensors i_decoy_offsets_field.safetensors i_padding_newline.safetensors
show --profile compat i_duplicate_tensor_last_wins.safetensors i_decoy_offsets_field.safetensors i_padding_newline.safetensors
echo
echo "==> JSON output for CI and hub gates"
show --format json n_trailing_zip_polyglot.safetensors

for profile in strict compat; do
  total=0; ok=0
  while IFS= read -r line; do
    total=$((total + 1))
    case "$line" in *": OK ("*) ok=$((ok + 1)) ;; esac
  done < <("$validate" --profile "$profile" ./*.safetensors || true)
  echo
  echo "==> whole corpus, $profile: $ok of $total files accepted, $((total - ok)) rejected"
done
