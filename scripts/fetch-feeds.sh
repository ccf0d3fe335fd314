#!/usr/bin/env bash
# Downloads the vulnerability and lifecycle feeds into a folder, for `mimamori feeds import FOLDER`
# on this machine or on the hospital's offline server (carry the folder over). Mimamori itself
# never reaches the internet: this script uses curl, so the proxy settings the site already has
# (https_proxy, ~/.curlrc) apply.
#
#   scripts/fetch-feeds.sh FOLDER [--nvd-days N]
#
# What it fetches (public endpoints, no account needed):
#   - CISA KEV catalogue (JSON)
#   - FIRST EPSS scores (CSV, gzipped)
#   - endoflife.date, every product (API v1)
#   - NVD CVE API 2.0: the records changed in the last N days (default 30; NVD allows at most
#     120 per request), in pages of 2,000. With NVD_API_KEY set, NVD allows more requests per
#     minute; without it the script waits 6 s between pages, as NVD asks.
# A first full copy of NVD (about 300,000 records) is best taken from a mirror or with
# --nvd-days 120 repeated over earlier windows; every page imports on its own and a record
# replaces the held one only when it is newer, so pages can come in any order.
set -euo pipefail

folder="${1:?usage: scripts/fetch-feeds.sh FOLDER [--nvd-days N]}"
days=30
if [ "${2:-}" = "--nvd-days" ]; then
  days="${3:?--nvd-days needs a number}"
fi
if [ "$days" -lt 1 ] || [ "$days" -gt 120 ]; then
  echo "--nvd-days must be 1 to 120 (NVD's limit)" >&2
  exit 2
fi
mkdir -p "$folder"
fetch() { # URL FILE
  curl --fail --silent --show-error --location --retry 3 --retry-delay 10 \
    --max-filesize $((2 * 1024 * 1024 * 1024)) -o "$2.part" "$1"
  mv "$2.part" "$2"
  echo "$(date -u +%FT%TZ) $2"
}

fetch "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json" \
  "$folder/known_exploited_vulnerabilities.json"
fetch "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz" "$folder/epss_scores-current.csv.gz"
fetch "https://endoflife.date/api/v1/products/full" "$folder/endoflife-products-full.json"

end=$(date -u +%Y-%m-%dT%H:%M:%S.000)
start=$(date -u -d "-${days} days" +%Y-%m-%dT%H:%M:%S.000)
header=()
pause=6
if [ -n "${NVD_API_KEY:-}" ]; then
  header=(-H "apiKey: ${NVD_API_KEY}")
  pause=1
fi
index=0
while :; do
  file="$folder/nvd-$(date -u +%Y%m%d)-${index}.json"
  curl --fail --silent --show-error --retry 3 --retry-delay 30 "${header[@]}" -o "$file.part" \
    "https://services.nvd.nist.gov/rest/json/cves/2.0?lastModStartDate=${start}&lastModEndDate=${end}&resultsPerPage=2000&startIndex=${index}"
  mv "$file.part" "$file"
  echo "$(date -u +%FT%TZ) $file"
  total=$(grep -o '"totalResults" *: *[0-9]*' "$file" | head -n 1 | grep -o '[0-9]*$' || echo 0)
  index=$((index + 2000))
  [ "$index" -lt "${total:-0}" ] || break
  sleep "$pause"
done
echo "now: mimamori feeds import $folder"
