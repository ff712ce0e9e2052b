/**
 * index.html: one self-contained file (inline CSS and script, no network): verdict and
 * totals, probe findings, a filterable case table with each case's transcript, and the
 * requirement coverage. Readable without JavaScript; the script only filters.
 */

import { conformanceOf } from '../conformance.ts'
import { computeCoverage } from '../coverage.ts'
import { formatTotalsLine } from '../stream.ts'
import { type CaseRecord, type Outcome, Outcomes, type Report, type TranscriptEntry } from '../types.ts'
import { escapeHtml as h } from './escape.ts'

export const Styles = `
:root { --pass:#1a7f37; --fail:#cf222e; --warn:#9a6700; --skip:#6e7781; --error:#8250df; --line:#d0d7de; --bg:#f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1f2328; }
header, section { padding: 12px 24px; }
header { background: var(--bg); border-bottom: 1px solid var(--line); }
h1 { font-size: 20px; margin: 0 0 6px; } h2 { font-size: 17px; margin: 18px 0 8px; } h3 { font-size: 15px; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: var(--bg); position: sticky; top: 0; }
code, pre, .mono { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
pre { white-space: pre-wrap; word-break: break-all; margin: 4px 0; background: var(--bg); padding: 6px; border-radius: 4px; }
.badge { display: inline-block; min-width: 44px; text-align: center; border-radius: 10px; padding: 0 8px; color: #fff; font-weight: 600; font-size: 12px; }
.pass { background: var(--pass); } .fail { background: var(--fail); } .warn { background: var(--warn); } .skip { background: var(--skip); } .error { background: var(--error); }
.verdict { font-size: 16px; font-weight: 600; }
.verdict.ok { color: var(--pass); } .verdict.bad { color: var(--fail); }
.totals button { border: 1px solid var(--line); background: #fff; border-radius: 14px; padding: 2px 10px; margin: 2px 4px 2px 0; cursor: pointer; }
.totals button[aria-pressed="false"] { opacity: .45; }
.filters { display: flex; gap: 8px; align-items: center; margin: 8px 0; flex-wrap: wrap; }
.filters input[type=search] { flex: 1; min-width: 220px; padding: 4px 8px; }
tr.detail td { border-bottom: 2px solid var(--line); background: #fcfcfd; }
tbody.case:target tr.summary { outline: 2px solid #0969da; }
.transcript td { font: 12px/1.35 ui-monospace, Menlo, monospace; border-bottom: 1px dotted var(--line); }
.transcript .dir { white-space: nowrap; color: #57606a; }
.transcript .send { color: #0550ae; } .transcript .recv { color: #116329; } .transcript .http { color: #8250df; } .transcript .note { color: #9a6700; }
.disagree { background: #fff8c5; }
small, .muted { color: #57606a; }
.cov-uncovered { background: #ffebe9; }
`

const FilterScript = `
(function () {
  var q = document.getElementById('q');
  var area = document.getElementById('area');
  var buttons = Array.prototype.slice.call(document.querySelectorAll('.totals button[data-outcome]'));
  var rows = Array.prototype.slice.call(document.querySelectorAll('tbody.case'));
  var shown = document.getElementById('shown');
  function apply() {
    var on = {};
    buttons.forEach(function (b) { on[b.dataset.outcome] = b.getAttribute('aria-pressed') === 'true'; });
    var text = q.value.trim().toLowerCase();
    var a = area.value;
    var n = 0;
    rows.forEach(function (r) {
      var ok = on[r.dataset.outcome] && (!a || r.dataset.area === a) && (!text || r.dataset.search.indexOf(text) >= 0);
      r.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = n + ' of ' + rows.length + ' cases shown';
  }
  buttons.forEach(function (b) {
    b.addEventListener('click', function () {
      b.setAttribute('aria-pressed', b.getAttribute('aria-pressed') === 'true' ? 'false' : 'true');
      apply();
    });
  });
  q.addEventListener('input', apply);
  area.addEventListener('change', apply);
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (el && el.classList.contains('case')) {
      el.hidden = false;
      var d = el.querySelector('details');
      if (d) d.open = true;
    }
  }
  window.addEventListener('hashchange', openTarget);
  apply();
  openTarget();
})();
`

const attention: Record<Outcome, number> = { fail: 0, error: 1, warn: 2, skip: 3, pass: 4 }

/** Table order: what needs a person's attention first (unexpected before expected), then by id. */
function byAttention(a: CaseRecord, b: CaseRecord): number {
  const rank = (c: CaseRecord): number => attention[c.outcome] + (c.expectation?.status === 'met' && c.outcome !== 'pass' ? 5 : 0)
  return rank(a) - rank(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

export function badge(outcome: Outcome): string {
  return `<span class="badge ${outcome}">${outcome}</span>`
}

/** Anchor id of a case (matrix cells link to `<target>/index.html#case-<id>`). */
export function caseAnchor(id: string): string {
  return `case-${id.replace(/[^A-Za-z0-9_.-]/g, '_')}`
}

export function renderTranscript(entries: readonly TranscriptEntry[], dropped: number): string {
  if (entries.length === 0) return '<p class="muted">No frames.</p>'
  const arrow: Record<TranscriptEntry['dir'], string> = { send: '→', recv: '←', open: 'open', close: 'close', http: 'http', note: 'note' }
  const rows = entries
    .map(
      (e) =>
        `<tr class="${e.dir}"><td class="dir">+${e.t}ms</td><td class="dir">${h(e.conn)} ${arrow[e.dir]}</td><td><pre>${h(e.text)}</pre></td></tr>`,
    )
    .join('')
  const more = dropped > 0 ? `<p class="muted">${dropped} later entries not kept.</p>` : ''
  return `<table class="transcript"><tbody>${rows}</tbody></table>${more}`
}

function caseBody(c: CaseRecord): string {
  const search = [c.id, c.title, c.area, c.level, c.profile, c.outcome, c.message, ...c.requirements].join(' ').toLowerCase()
  const expectation = c.expectation
    ? `<p>Expectation: <b>${h(c.expectation.status)}</b>, expected ${h(c.expectation.expected.join('/'))}: ${h(c.expectation.reason)}${
        c.expectation.link ? ` (<a href="${h(c.expectation.link)}">link</a>)` : ''
      }</p>`
    : ''
  const property = c.property
    ? `<p><b>Property failure</b> after ${c.property.numRuns} run(s), ${c.property.numShrinks} shrink(s); seed ${c.property.seed}, path <code>${h(c.property.path)}</code></p><pre>${h(c.property.counterexample)}</pre><p>Replay: <code>${h(c.property.replay)}</code></p>`
    : ''
  const warnings = c.warnings.length ? `<p><b>SHOULD not met:</b></p><ul>${c.warnings.map((w) => `<li>${h(w)}</li>`).join('')}</ul>` : ''
  const findings = c.findings.length
    ? `<p><b>Findings:</b></p><ul>${c.findings
        .map((f) => `<li class="${f.agrees === false ? 'disagree' : ''}">${h(f.subject)}: claimed ${h(f.claimed ?? '—')}, observed ${h(f.observed)}</li>`)
        .join('')}</ul>`
    : ''
  const details = c.details ? `<pre>${h(c.details)}</pre>` : ''
  return (
    `<tbody class="case" id="${h(caseAnchor(c.id))}" data-outcome="${c.outcome}" data-area="${h(c.area)}" data-search="${h(search)}">` +
    `<tr class="summary"><td>${badge(c.outcome)}${c.expectation?.status === 'met' && c.outcome !== 'pass' ? '<br><small>expected</small>' : ''}</td><td><a href="#${h(caseAnchor(c.id))}"><code>${h(c.id)}</code></a><br><small>${h(c.title)}</small></td>` +
    `<td>${c.level}</td><td>${c.profile}</td><td class="mono">${c.requirements.map(h).join('<br>')}</td><td>${h(c.message)}</td><td class="mono">${c.durationMs}</td></tr>` +
    `<tr class="detail"><td colspan="7"><details><summary>details and transcript (${c.transcript.length} entries) · <small>${h(c.file)}</small></summary>` +
    `${expectation}${property}${warnings}${findings}${details}${renderTranscript(c.transcript, c.transcriptDropped)}</details></td></tr></tbody>`
  )
}

function probeSection(report: Report): string {
  const { probe } = report
  const caps = Object.entries(probe.capabilities)
    .map(([name, c]) => `<tr><td><code>${h(name)}</code></td><td>${c.available ? 'yes' : 'no'}</td><td>${h(c.reason)}</td></tr>`)
    .join('')
  const findings = [...probe.findings, ...report.cases.flatMap((c) => c.findings)]
  const findingRows = findings
    .map(
      (f) =>
        `<tr class="${f.agrees === false ? 'disagree' : ''}"><td>${h(f.subject)}</td><td>${h(f.claimed ?? '—')}</td><td>${h(f.observed)}</td><td>${f.agrees === null ? 'unknown' : f.agrees ? 'agrees' : '<b>disagrees</b>'}</td><td><code>${h(f.source)}</code></td></tr>`,
    )
    .join('')
  const clock = probe.clock
  const window = clock.window
    ? `window −${clock.window.lower}s / +${clock.window.upper}s (${h(clock.window.source)}${clock.window.interpretation ? `; ${h(clock.window.interpretation)}` : ''})`
    : 'window unknown'
  return (
    `<section id="probe"><h2>Probe</h2>` +
    (probe.reachable
      ? `<p>WebSocket reachable (REQ round trip ${probe.websocketRoundTripMs ?? '?'} ms). Clock offset ${clock.offsetSeconds}s ± ${clock.uncertaintySeconds}s (${h(clock.method)}); ${window}.</p>`
      : `<p class="verdict bad">Unreachable: ${h(probe.unreachableReason ?? '')}</p>`) +
    `<table><thead><tr><th>capability</th><th>available</th><th>how it was decided</th></tr></thead><tbody>${caps}</tbody></table>` +
    `<h3>NIP-11 claims and observed behaviour</h3>` +
    (findings.length
      ? `<table><thead><tr><th>subject</th><th>claimed</th><th>observed</th><th></th><th>source</th></tr></thead><tbody>${findingRows}</tbody></table>`
      : '<p class="muted">No findings.</p>') +
    `<details><summary>NIP-11 document</summary><pre>${h(JSON.stringify(probe.nip11.document ?? null, null, 2))}</pre></details>` +
    `<details><summary>Probe transcript (${probe.transcript.length} entries)</summary>${renderTranscript(probe.transcript, 0)}</details></section>`
  )
}

function coverageSection(report: Report): string {
  const { catalog } = report
  if (catalog.requirements.length === 0) {
    return `<section id="coverage"><h2>Requirement coverage</h2><p class="muted">${h(catalog.error ?? 'The catalog is empty.')}</p></section>`
  }
  const coverage = computeCoverage(catalog.requirements, report.cases)
  const rows = coverage.rows
    .map((row) => {
      const r = row.requirement
      const cases = row.cases.map((c) => `<a href="#${h(caseAnchor(c.id))}">${c.outcome ? badge(c.outcome) : ''} <code>${h(c.id)}</code></a>`).join('<br>')
      return `<tr class="cov-${row.status}"><td class="mono">${h(r.id)}</td><td>${h(r.level)}</td><td>${h(r.role)}</td><td>${h(r.profile)}</td><td>${h(r.summary)}</td><td>${row.status === 'covered' ? cases : row.status === 'uncovered' ? '<b>no case</b>' : `<span class="muted">${r.testable === 'none' ? 'not testable' : `${h(r.testable)} tests`}</span>`}</td></tr>`
    })
    .join('')
  const unknown = coverage.unknownIds.length
    ? `<p class="disagree">Cases cite requirement ids missing from the catalog: ${coverage.unknownIds.map((u) => `<code>${h(u.requirement)}</code> (${u.cases.map(h).join(', ')})`).join('; ')}</p>`
    : ''
  const c = coverage.counts
  return (
    `<section id="coverage"><h2>Requirement coverage</h2><p>${c.covered} of ${c.requirements} requirements covered by a case in this run; ${c.uncovered} of ${c.relayTestable} relay-testable requirements have none (listed first).</p>${unknown}` +
    `<table><thead><tr><th>id</th><th>level</th><th>role</th><th>profile</th><th>requirement</th><th>cases</th></tr></thead><tbody>${rows}</tbody></table></section>`
  )
}

function runSection(report: Report): string {
  const s = report.settings
  const e = report.environment
  const items: Array<[string, string]> = [
    ['started', report.startedAt],
    ['finished', report.finishedAt],
    ['profile', s.profile],
    ['strict', String(s.strict)],
    ['seed', String(s.seed)],
    ['runs', s.runs === undefined ? 'case defaults' : String(s.runs)],
    ['per-wait timeout', `${s.timeoutMs} ms`],
    ['only', s.only.join(', ') || '—'],
    ['skip', s.skip.join(', ') || '—'],
    ['expectations', report.expectationsFile ?? '—'],
    ['suite version', report.suiteVersion],
    ['report format', `v${report.version}, runner contract ${report.contract}`],
    ['environment', `node ${e.node}, ${e.platform}/${e.arch}, vitest ${e.vitest}, fast-check ${e.fastCheck}`],
  ]
  const errors = report.runErrors.length
    ? `<h3>Errors outside any case</h3><ul>${report.runErrors.map((x) => `<li><code>${h(x)}</code></li>`).join('')}</ul>`
    : ''
  const expectations = report.expectations
    ? `<h3>Expectations</h3><p>Unexpected failures: ${h(report.expectations.unexpectedFailures.join(', ') || 'none')}. Expected failures now passing: ${h(
        report.expectations.unexpectedPasses.join(', ') || 'none',
      )}. Entries matching no case: ${h(report.expectations.unused.join(', ') || 'none')}.</p>`
    : ''
  return `<section id="run"><h2>Run</h2><table><tbody>${items.map(([k, v]) => `<tr><th>${h(k)}</th><td>${h(v)}</td></tr>`).join('')}</tbody></table>${expectations}${errors}</section>`
}

export function renderHtml(report: Report): string {
  const { totals, verdict, target } = report
  const areas = [...new Set(report.cases.map((c) => c.area))].sort()
  const totalButtons = Outcomes.map(
    (o) => `<button type="button" data-outcome="${o}" aria-pressed="true">${badge(o)} ${totals[o]}</button>`,
  ).join('')
  const gateWord = verdict.exitCode === 0 ? 'clean' : verdict.exitCode === 3 ? 'unreachable' : 'regressed'
  const conformance = report.probe.reachable
    ? conformanceOf(report)
        .profiles.map((p) => {
          const verdictText = p.must.applicable === 0 ? 'no MUST case applied' : p.conformant ? 'conformant' : 'not conformant'
          return `<p class="verdict ${p.conformant ? 'ok' : 'bad'}">Conformance, ${h(p.profile)} profile: ${verdictText}: MUST ${p.must.passed} of ${p.must.applicable} passed, SHOULD ${p.should.passed} of ${p.should.applicable}</p>`
        })
        .join('')
    : '<p class="verdict bad">Conformance: not tested (the target could not be reached)</p>'
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>NIP-AP conformance: ${h(target.name)}</title>
<style>${Styles}</style>
</head>
<body>
<header>
<h1>NIP-AP conformance: ${h(target.name)}</h1>
<p class="mono">${h(target.url)} · ${h(target.httpUrl)}${target.embedded ? ' · embedded reference relay' : ''}</p>
${conformance}
<p class="mono">CI gate: ${gateWord}${report.expectationsFile ? ` against ${h(report.expectationsFile)}` : ''}: ${h(verdict.reason)} (exit code ${verdict.exitCode})</p>
<p class="mono">${h(formatTotalsLine(totals))}</p>
<nav><a href="#cases">cases</a> · <a href="#probe">probe</a> · <a href="#coverage">coverage</a> · <a href="#run">run</a></nav>
</header>
<section id="cases">
<h2>Cases</h2>
<div class="filters"><span class="totals">${totalButtons}</span>
<select id="area" aria-label="area"><option value="">all areas</option>${areas.map((a) => `<option>${h(a)}</option>`).join('')}</select>
<input type="search" id="q" placeholder="filter: id, requirement, message…" aria-label="filter">
<span id="shown" class="muted"></span></div>
<table id="case-table"><thead><tr><th>outcome</th><th>case</th><th>level</th><th>profile</th><th>requirements</th><th>message</th><th>ms</th></tr></thead>
${[...report.cases].sort(byAttention).map(caseBody).join('\n')}
</table>
</section>
${probeSection(report)}
${coverageSection(report)}
${runSection(report)}
<script>${FilterScript}</script>
</body>
</html>
`
}
