#!/usr/bin/env bash
# Runs the whole conformance suite against the embedded reference relay N times in a row
# (default 5), each with a fresh random seed, and prints one line per run plus a verdict.
# A flaky case shows up as a run whose outcomes differ from the others. Known deviations
# of the reference relay are gated by suites/expectations/reference-relay.json.
#
#   scripts/repeat-suite.sh [N] [extra persona-conformance run options...]
set -u
cd "$(dirname "$0")/.."
runs="${1:-5}"
shift || true
out="$(mktemp -d)"
status=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s.%N)
  npx tsx harness/src/cli.ts run --out "$out/run-$i" \
    --expectations suites/expectations/reference-relay.json "$@" >"$out/run-$i.log" 2>&1
  code=$?
  end=$(date +%s.%N)
  totals="$(grep -E '^[0-9]+ cases' "$out/run-$i.log" | tail -1)"
  seed="$(grep -oE 'seed [0-9]+' "$out/run-$i.log" | tail -1)"
  printf 'run %d: exit %d, %s, %s, %.1f s\n' "$i" "$code" "${totals:-no totals}" "${seed:-no seed}" "$(echo "$end - $start" | bc)"
  # Every case that did not pass, with [expected] when the known-deviations file lists it.
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
    for (const c of r.cases) if (c.outcome !== "pass")
      console.log(`    ${c.outcome} ${c.id}${c.expectation ? " [expected]" : ""}: ${c.message.slice(0, 160)}`)
  ' "$out/run-$i/report.json" 2>/dev/null || echo "    (no report.json)"
  [ "$code" -eq 0 ] || status=1
done
echo "logs and reports: $out"
exit $status
