/**
 * `npm run check:html [-- REPORT_DIR]`: loads a report's index.html in Debian's headless
 * Chromium, checks that the page's script ran (the case counter is filled in) and writes
 * a screenshot next to it (index.png) for a person to look at. Without REPORT_DIR it uses
 * reports/latest/, or renders the fixed test report when no run has happened yet.
 * Needs `apt-get install -y chromium`. Not part of `npm test`.
 */

import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { fixtureReport } from '../test-fixtures/report-fixture.ts'
import { renderHtml } from '../src/render/html.ts'

const chromium = ['chromium', 'chromium-browser', 'google-chrome'].find(
  (name) => spawnSync('which', [name], { encoding: 'utf8' }).status === 0,
)
if (!chromium) {
  console.error('error: no chromium found; install it with `apt-get install -y chromium`')
  process.exit(2)
}

let dir = resolve(process.argv[2] ?? 'reports/latest')
if (!existsSync(join(dir, 'index.html'))) {
  dir = mkdtempSync(join(tmpdir(), 'check-html-'))
  writeFileSync(join(dir, 'index.html'), renderHtml(fixtureReport()))
  console.error(`no report in ${process.argv[2] ?? 'reports/latest'}; checking the fixture report in ${dir}`)
}
const page = pathToFileURL(join(dir, 'index.html')).href
const screenshot = join(dir, 'index.png')

function chrome(extra: string[]): { status: number | null; stdout: string; stderr: string } {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'))
  mkdirSync(profile, { recursive: true })
  try {
    const result = spawnSync(
      chromium as string,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
        '--virtual-time-budget=3000',
        ...extra,
        page,
      ],
      { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
    )
    return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' }
  } finally {
    rmSync(profile, { recursive: true, force: true })
  }
}

const dom = chrome(['--dump-dom'])
const counter = /<span id="shown"[^>]*>(\d+) of (\d+) cases shown<\/span>/.exec(dom.stdout)
if (dom.status !== 0 || !counter) {
  console.error(`error: the page did not render or its script did not run (chromium exit ${dom.status})\n${dom.stderr.slice(-2000)}`)
  process.exit(1)
}
const shot = chrome(['--window-size=1280,1600', '--hide-scrollbars', `--screenshot=${screenshot}`])
if (shot.status !== 0 || !existsSync(screenshot) || statSync(screenshot).size < 10_000) {
  console.error(`error: no screenshot written (chromium exit ${shot.status})\n${shot.stderr.slice(-2000)}`)
  process.exit(1)
}
console.log(`ok: ${page} rendered, ${counter[1]} of ${counter[2]} cases shown by its script; screenshot ${screenshot}`)
