#!/bin/sh
# usagerep-nightly: the usage reports up to the end of yesterday as a dated
# zip in $OUT, keeping the newest $KEEP of them. See docs/cron.md.
set -u
LOGS=${LOGS:-/var/log/sync}           # files, directories or bundles
OUT=${OUT:-/srv/usage-reports}
KEEP=${KEEP:-30}
MAX_ERRORS=${MAX_ERRORS:-1000}        # stop (status 3) past this many bad records
DAY=${DAY:-$(date -u -d yesterday +%F 2>/dev/null || date -u -v-1d +%F)}  # GNU, else BSD date

mkdir -p "$OUT" || exit 4
usagerep export --quiet --as-of "$DAY" --max-errors "$MAX_ERRORS" \
  --rejects "$OUT/rejects-$DAY.jsonl" -o "$OUT/usage-$DAY.zip" $LOGS
status=$?
case $status in
  0) ;;
  2) echo "usagerep-nightly: bad flag or configuration" >&2 ;;
  3) echo "usagerep-nightly: more than $MAX_ERRORS records rejected; see $OUT/rejects-$DAY.jsonl" >&2 ;;
  4) echo "usagerep-nightly: could not write $OUT/usage-$DAY.zip" >&2 ;;
  *) echo "usagerep-nightly: usagerep failed (status $status)" >&2 ;;
esac

# Keep the newest $KEEP zips and their rejects; dated names sort in time order.
for kind in usage rejects; do
  ls -1 "$OUT"/$kind-*.* 2>/dev/null | sort -r | tail -n +$((KEEP + 1)) | while read -r old; do
    rm -f -- "$old"
  done
done
exit $status
