#!/bin/sh
# Prints the one summary table of `make reproduce`: claim, prediction, measured, verdict,
# gathered from the `# summary` lines of every results/*.tsv.
dir=${1:-results}
printf 'claim\tprediction\tmeasured\tverdict\n'
for f in "$dir"/*.tsv; do
    [ -f "$f" ] || continue
    sed -n 's/^# summary\t//p' "$f"
done
