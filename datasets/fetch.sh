#!/usr/bin/env bash
# Downloads public text-classification datasets from their original sources and converts them to
# label<TAB>text TSV files (see datasets/README.md). Needs network access, curl and python3.
# Usage: datasets/fetch.sh [imdb|sms_spam|20news|ag_news ...] [--out DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here"
names=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,4p' "$0"; exit 0 ;;
    imdb|sms_spam|20news|ag_news) names+=("$1"); shift ;;
    *) echo "fetch.sh: unknown dataset or option '$1' (expected imdb, sms_spam, 20news, ag_news, --out DIR)" >&2; exit 2 ;;
  esac
done
[[ ${#names[@]} -eq 0 ]] && names=(imdb sms_spam 20news ag_news)
command -v curl >/dev/null || { echo "fetch.sh: curl is required" >&2; exit 1; }
command -v python3 >/dev/null || { echo "fetch.sh: python3 is required" >&2; exit 1; }

declare -A url=(
  [imdb]="https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
  [sms_spam]="https://archive.ics.uci.edu/static/public/228/sms+spam+collection.zip"
  [20news]="http://qwone.com/~jason/20Newsgroups/20news-bydate.tar.gz"
  [ag_news]="https://github.com/mhjabreel/CharCnn_Keras/raw/master/data/ag_news_csv.tar.gz"
)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

download() { # name -> file
  local name="$1" file="$work/$1.archive"
  echo "fetch.sh: downloading $name from ${url[$name]}" >&2
  if ! curl -fSL --connect-timeout 15 --max-time 900 --retry 1 -o "$file" "${url[$name]}"; then
    echo "fetch.sh: could not download $name from ${url[$name]} (no network access, or the source moved)." >&2
    echo "fetch.sh: download it by hand, then see datasets/README.md for the conversion." >&2
    return 1
  fi
  echo "$file"
}

failed=0
for name in "${names[@]}"; do
  if ! archive="$(download "$name")"; then failed=1; continue; fi
  mkdir -p "$work/$name" "$out/$name"
  if [[ "${url[$name]}" == *.zip ]]; then
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$archive" "$work/$name"
  else
    tar -xzf "$archive" -C "$work/$name"
  fi
  python3 "$here/convert.py" "$name" "$work/$name" "$out/$name"
  echo "fetch.sh: wrote $out/$name/train.tsv and test.tsv" >&2
done
exit $failed
