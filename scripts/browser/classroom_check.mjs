// Drives the classroom page of `mando serve` in headless Chromium, the way
// an instructor would, and fails on anything a class would notice: a
// console error or warning, a page exception, a failed request, a request
// that leaves the server, a blank map or chart, a control that does not
// do what it says.
//
// Usage: node classroom_check.mjs --url http://127.0.0.1:PORT/
//            [--screens DIR] [--chromium /usr/bin/chromium]
// Uses the system Chromium (never downloads one). Bounded: every wait has
// a timeout and a watchdog ends the run after WATCHDOG_MS. Prints one
// ok:/FAIL: line per stage and a closing "N passed, N failed" line; exits 1
// on a failure, 2 on a crash or timeout.

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const WATCHDOG_MS = 240_000;
const WAIT_MS = 20_000;
const MAX_REQUESTS = 600;
const CMP_COLORS = ['#1f5fa8', '#d9480f']; // as app.js draws branches A and B
const PNP = '#2e8b3a';
const FFAA = '#5b5420';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const url = arg('url', process.env.CLASSROOM_URL || 'http://127.0.0.1:8765/');
const screens = arg('screens', 'target/classroom-screens');
const executablePath = arg('chromium', process.env.CHROMIUM || '/usr/bin/chromium');
const origin = new URL(url).origin;
fs.mkdirSync(screens, { recursive: true });

const started = Date.now();
const watchdog = setTimeout(() => {
  console.log(`FAIL: watchdog: the check took more than ${WATCHDOG_MS / 1000} s`);
  process.exit(2);
}, WATCHDOG_MS);

let passed = 0;
let failed = 0;
const problems = []; // console errors, page errors, bad requests
let requests = 0;
let expect400 = null; // the path whose 400 answer the current stage expects

const browser = await chromium.launch({ executablePath, headless: true });
const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: false });
const page = await context.newPage();
page.setDefaultTimeout(WAIT_MS);

page.on('console', (msg) => {
  const t = msg.type();
  if (process.env.CHECK_VERBOSE) console.log(`  console ${t}: ${msg.text()}`);
  if (t !== 'error' && t !== 'warning') return;
  const text = msg.text();
  // Chromium logs every 4xx answer to fetch(); the one we provoke is fine.
  if (expect400 && /status of 400/.test(text)) return;
  problems.push(`console ${t}: ${text}`);
});
page.on('pageerror', (err) => problems.push(`page exception: ${err.message}`));
page.on('requestfailed', (req) => problems.push(`request failed: ${req.method()} ${req.url()} (${req.failure()?.errorText})`));
page.on('request', (req) => {
  requests += 1;
  const u = req.url();
  if (!u.startsWith(`${origin}/`) && !u.startsWith('data:')) problems.push(`request outside the server: ${u}`);
});
page.on('response', (res) => {
  const s = res.status();
  if (s < 400) return;
  const p = new URL(res.url()).pathname;
  if (s === 400 && expect400 === p) return;
  problems.push(`HTTP ${s} for ${res.request().method()} ${res.url()}`);
});

// ---- helpers ----

function secs() {
  return ((Date.now() - started) / 1000).toFixed(1);
}

class CheckFailure extends Error {}
function must(cond, what) {
  if (!cond) throw new CheckFailure(what);
}

async function shot(name) {
  await page.screenshot({ path: path.join(screens, `${name}.png`), fullPage: false });
}

async function stage(name, fn) {
  const before = problems.length;
  try {
    const note = await fn();
    must(problems.length === before, problems.slice(before).join('; '));
    passed += 1;
    console.log(`ok: ${name}${note ? ` (${note})` : ''} [${secs()} s]`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL: ${name}: ${e instanceof CheckFailure ? e.message : e.stack || e}`);
    await shot(`failure-${name.replace(/[^a-z0-9]+/gi, '-')}`).catch(() => {});
    throw e;
  }
}

const tick = async () => Number(await page.textContent('#tick'));
const bodyState = () => page.getAttribute('body', 'data-state');
const dialogOpen = () => page.evaluate(() => document.getElementById('decision-dialog').open);
const logCount = async () => Number(await page.getAttribute('#log', 'data-count'));

// Waits until no request is under way: the page is ready, waits for a
// decision, or the run has ended.
async function settle() {
  await page.waitForFunction(() => ['ready', 'decision', 'finished', 'error'].includes(document.body.dataset.state), null, { timeout: WAIT_MS });
  const st = await bodyState();
  if (st === 'error') throw new CheckFailure(`the page failed: ${await page.textContent('#status')}`);
  if (st === 'decision') await page.waitForSelector('#decision-dialog[open]');
}

// Pixels of a canvas: how many differ from its commonest colour, and how
// many lie near each of the given colours. Reads a copy, so the page's own
// canvas is never read back (Chromium warns about repeated readbacks).
async function pixels(id, colors = []) {
  return page.evaluate(
    ({ id, colors }) => {
      const src = document.getElementById(id);
      const c = document.createElement('canvas');
      c.width = src.width;
      c.height = src.height;
      const g = c.getContext('2d');
      g.drawImage(src, 0, 0);
      const d = g.getImageData(0, 0, c.width, c.height).data;
      const rgb = colors.map((h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)));
      const near = rgb.map(() => 0);
      const freq = new Map();
      for (let i = 0; i < d.length; i += 4) {
        const key = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
        freq.set(key, (freq.get(key) || 0) + 1);
        for (let k = 0; k < rgb.length; k++) {
          const [r, gg, b] = rgb[k];
          if (Math.abs(d[i] - r) + Math.abs(d[i + 1] - gg) + Math.abs(d[i + 2] - b) < 45) near[k] += 1;
        }
      }
      const total = d.length / 4;
      const top = Math.max(...freq.values());
      return { total, other: (total - top) / total, colors: freq.size, near };
    },
    { id, colors },
  );
}

// Takes the decision the dialog shows: the first choice that is not the
// default (or the default when `useDefault`). Returns its name.
async function takeDecision(useDefault = false) {
  await page.waitForSelector('#decision-dialog[open]');
  const name = await page.getAttribute('#decision-dialog', 'data-decision');
  const prompt = (await page.textContent('#decision-prompt')).trim();
  must(prompt.length > 0, `decision ${name} shows no prompt`);
  const choices = await page.$$eval('#decision-choices button.choice', (bs) =>
    bs.map((b) => ({ name: b.dataset.choice, label: b.querySelector('.label').textContent, def: b.classList.contains('default') })),
  );
  must(choices.length >= 1, `decision ${name} shows no choices`);
  must(choices.filter((c) => c.def).length === 1, `decision ${name}: exactly one choice must be marked default`);
  const pick = (useDefault ? choices.find((c) => c.def) : choices.find((c) => !c.def)) || choices[0];
  const before = await logCount();
  await page.click(`#decision-choices button[data-choice="${pick.name}"]`);
  await page.waitForFunction((n) => Number(document.getElementById('log').dataset.count) > n, before);
  await settle();
  const logged = await page.$$eval('#log li[data-kind="decision"]', (lis) => lis.map((li) => li.textContent));
  // The log names the choice by its name or its label.
  must(
    logged.some((t) => t.includes(pick.name) || t.includes(pick.label)),
    `decision ${name}: ${pick.name} is not in the log (${logged.join(' | ')})`,
  );
  return `${name}: ${pick.name}`;
}

async function takeAnyDecision(useDefault = false) {
  const taken = [];
  for (let i = 0; i < 5 && (await dialogOpen()); i++) taken.push(await takeDecision(useDefault));
  return taken;
}

async function stepN(n) {
  await page.fill('#stepn-count', String(n));
  await page.click('#stepn');
  await page.waitForFunction(() => document.body.dataset.state !== 'busy', null, { timeout: WAIT_MS });
  await settle();
}

async function inject(pathText, value) {
  await page.fill('#inject-path', pathText);
  await page.fill('#inject-value', value);
  const answer = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/inject' && r.request().method() === 'POST');
  await page.click('#inject-go');
  const res = await answer;
  await settle();
  return res;
}

// ---- the stages ----

const decisions = [];
let exitCode = 0;
try {
  await stage('load', async () => {
    await page.goto(url, { waitUntil: 'load' });
    await settle();
    const name = (await page.textContent('#scenario-name')).trim();
    must(name && name !== '…', 'no scenario name in the header');
    for (const id of ['clock', 'tick', 'ticks', 'regime', 'phase', 'branch', 'hash']) {
      const t = (await page.textContent(`#${id}`)).trim();
      must(t && t !== '–', `#${id} is empty`);
    }
    must(/^[0-9a-f]{16}$/.test((await page.textContent('#hash')).trim()), '#hash is not 16 hex digits');
    await page.waitForFunction(() => Number(document.getElementById('map').dataset.drawn) > 0);
    const px = await pixels('map', [PNP, FFAA]);
    must(px.other > 0.01 && px.colors > 4, `the map looks blank (${JSON.stringify(px)})`);
    must(px.near[0] > 10, 'no PNP unit marker on the map');
    must(px.near[1] > 10, 'no FF.AA. unit marker on the map');
    const sched = await page.$$eval('#scheduled > li:not(.empty)', (lis) => lis.length);
    const decs = await page.$$eval('#decisions > li:not(.empty)', (lis) => lis.length);
    const paths = await page.$$eval('#changeable option', (os) => os.length);
    must(paths > 0, 'the inject path list (datalist) is empty');
    await shot('01-loaded');
    return `${name}; ${sched} scheduled, ${decs} decisions, ${paths} changeable paths`;
  });

  await stage('decision at the start', async () => {
    if (!(await dialogOpen())) return 'none pending at tick 0';
    await shot('02-decision-at-start');
    const taken = await takeAnyDecision();
    decisions.push(...taken);
    return taken.join(', ');
  });

  await stage('play and pause', async () => {
    const t0 = await tick();
    await page.selectOption('#speed', '5');
    await page.click('#play');
    await page.waitForFunction((t) => Number(document.getElementById('tick').textContent) > t || document.body.dataset.state === 'decision', t0);
    await page.waitForTimeout(1200);
    if (await page.isEnabled('#pause')) await page.click('#pause');
    await settle();
    const t1 = await tick();
    must(t1 > t0, `playing did not advance the tick (${t0} → ${t1})`);
    // While paused nothing moves.
    await page.waitForTimeout(500);
    must((await tick()) === t1, 'the tick moved after pause');
    await page.waitForFunction(() => Number(document.getElementById('chart-crowd').dataset.drawn) > 0);
    for (const id of ['chart-crowd', 'chart-harm', 'chart-legitimacy']) {
      const px = await pixels(id);
      must(px.other > 0.01, `chart #${id} looks blank`);
    }
    await shot('03-played');
    const taken = await takeAnyDecision();
    decisions.push(...taken);
    return `tick ${t0} → ${t1}${taken.length ? `; then ${taken.join(', ')}` : ''}`;
  });

  await stage('step 1', async () => {
    const t0 = await tick();
    await page.click('#step1');
    await settle();
    const t1 = await tick();
    must(t1 === t0 + 1, `step 1 went from ${t0} to ${t1}`);
    const taken = await takeAnyDecision();
    decisions.push(...taken);
    return `tick ${t0} → ${t1}`;
  });

  await stage('step N', async () => {
    const t0 = await tick();
    await stepN(7);
    const t1 = await tick();
    const stopped = (await dialogOpen()) || (await bodyState()) === 'finished';
    must(t1 === t0 + 7 || (stopped && t1 > t0 && t1 <= t0 + 7), `step 7 went from ${t0} to ${t1}`);
    const taken = await takeAnyDecision();
    decisions.push(...taken);
    return `tick ${t0} → ${t1}`;
  });

  await stage('links', async () => {
    const ex = await page.getAttribute('#save-exercise', 'href');
    const rep = await page.getAttribute('#report', 'href');
    must(ex === '/api/exercise', `#save-exercise points at ${ex}`);
    must(rep === '/api/report' && (await page.getAttribute('#report', 'target')) === '_blank', '#report must open /api/report in a new tab');
    must((await page.getAttribute('#report', 'aria-disabled')) === 'false', 'the report link is still disabled after steps');
    // Fetched from here, not the page: a download would leave the page.
    // (After a step: the server writes a report only once something ran.)
    const a = await fetch(new URL('/api/exercise', origin));
    must(a.ok && /json/.test(a.headers.get('content-type') || ''), `GET /api/exercise: ${a.status} ${a.headers.get('content-type')}`);
    JSON.parse(await a.text());
    const b = await fetch(new URL('/api/report', origin));
    must(b.ok && /html/.test(b.headers.get('content-type') || ''), `GET /api/report: ${b.status} ${b.headers.get('content-type')}`);
    await b.arrayBuffer();
  });

  await stage('inject', async () => {
    const before = await logCount();
    const res = await inject('civilians.legitimacy', '0.5');
    must(res.status() === 200, `POST /api/inject answered ${res.status()}`);
    await page.waitForFunction((n) => Number(document.getElementById('log').dataset.count) > n, before);
    const log = await page.textContent('#log');
    must(log.includes('civilians.legitimacy'), `the inject is not in the log: ${log}`);
    must((await page.textContent('#inject-error')).trim() === '', 'an error shows after a good inject');
    await page.locator('#inject-panel').scrollIntoViewIfNeeded();
    await shot('04-injected');
  });

  await stage('bad inject shows the error', async () => {
    expect400 = '/api/inject';
    const before = await logCount();
    const res = await inject('civilians.legitimacy', 'abc');
    must(res.status() === 400, `a bad inject answered ${res.status()}, not 400`);
    const body = await res.json();
    must(typeof body.error === 'string' && body.error.length > 0, 'the 400 answer has no error message');
    await page.waitForFunction((m) => document.getElementById('inject-error').textContent.trim() === m, body.error.trim());
    must((await logCount()) === before, 'a refused inject was logged');
    await page.locator('#inject-panel').scrollIntoViewIfNeeded();
    await shot('05-bad-inject');
    expect400 = null;
    return body.error;
  });

  await stage('step to a decision', async () => {
    let note = 'none came before the end';
    for (let i = 0; i < 20 && !(await dialogOpen()) && (await bodyState()) !== 'finished'; i++) await stepN(30);
    if (await dialogOpen()) {
      await shot('06-decision');
      const taken = await takeAnyDecision();
      decisions.push(...taken);
      note = `${taken.join(', ')} at tick ${await tick()}`;
    }
    must(decisions.length > 0, 'no decision came up in the whole run');
    return note;
  });

  let rewoundTo = 0;
  await stage('rewind', async () => {
    const t0 = await tick();
    must(t0 >= 4, `too few ticks run to rewind (${t0})`);
    rewoundTo = Math.max(2, Math.floor(t0 / 2));
    await page.fill('#rewind-tick', String(rewoundTo));
    await page.click('#rewind-go');
    await page.waitForFunction((t) => Number(document.getElementById('tick').textContent) === t, rewoundTo);
    await settle();
    const series = await page.evaluate(() => Number(document.getElementById('map').dataset.tick));
    must(series === rewoundTo, `the map shows tick ${series}, not ${rewoundTo}`);
    await shot('07-rewound');
    const taken = await takeAnyDecision();
    decisions.push(...taken);
    return `tick ${t0} → ${rewoundTo}`;
  });

  let mainName = '';
  let altName = '';
  await stage('branch and another path', async () => {
    mainName = (await page.textContent('#branch')).trim();
    altName = `alt-${Date.now() % 100000}`;
    await page.fill('#branch-name', altName);
    await page.click('#branch-go');
    await page.waitForFunction((n) => document.getElementById('branch').textContent.trim() === n, altName);
    await settle();
    must((await tick()) === rewoundTo, 'a new branch must start at the current tick');
    await page.waitForSelector(`#branches tr[data-branch="${altName}"].current`);
    const res = await inject('civilians.legitimacy', '0.2');
    must(res.status() === 200, `inject on the branch answered ${res.status()}`);
    await stepN(40);
    decisions.push(...(await takeAnyDecision(true)));
    // Back on the first branch, take it on as far, so both lines run apart.
    await page.click(`#branches button.switch[data-branch="${mainName}"]`);
    await page.waitForFunction((n) => document.getElementById('branch').textContent.trim() === n, mainName);
    await settle();
    decisions.push(...(await takeAnyDecision()));
    await stepN(40);
    decisions.push(...(await takeAnyDecision()));
    await shot('08-branched');
    return `${altName} from ${mainName} at tick ${rewoundTo}`;
  });

  await stage('compare branches', async () => {
    await page.selectOption('#compare-a', mainName);
    await page.selectOption('#compare-b', altName);
    await page.click('#compare-go');
    await page.waitForSelector('#compare-view[data-state="shown"]');
    const notes = [];
    for (const id of ['cmp-crowd', 'cmp-harm', 'cmp-legitimacy']) {
      const drawn = Number(await page.getAttribute(`#${id}`, 'data-drawn'));
      must(drawn >= 2, `#${id} draws ${drawn} lines, not both branches`);
      const px = await pixels(id, CMP_COLORS);
      must(px.near[0] > 20 && px.near[1] > 20, `#${id} does not show both branches' colours (${px.near.join(', ')} pixels)`);
      notes.push(`${id} ${px.near.join('/')}`);
    }
    const cells = await page.$$eval('#compare-table tbody tr', (trs) => trs.length);
    must(cells >= 10, `the compare table has ${cells} rows`);
    const head = await page.textContent('#compare-table thead');
    must(head.includes(mainName) && head.includes(altName), 'the compare table does not name both branches');
    await page.locator('#compare-view').scrollIntoViewIfNeeded();
    await page.waitForTimeout(400);
    await page.locator('#compare-view').screenshot({ path: path.join(screens, '09-compare.png') });
    return notes.join(', ');
  });

  await stage('map after the run', async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    const px = await pixels('map', [PNP, FFAA]);
    must(px.other > 0.01 && px.near[0] > 10 && px.near[1] > 10, `the map looks blank (${JSON.stringify(px)})`);
    // The tooltip of a unit: hover its marker.
    const where = await page.evaluate(() => {
      const c = document.getElementById('map');
      const r = c.getBoundingClientRect();
      return { x: r.left, y: r.top, w: r.width, h: r.height };
    });
    const unit = await fetch(new URL('/api/frame', origin)).then((r) => r.json()).then((f) => ({ u: f.units[0] }));
    const sc = await fetch(new URL('/api/scenario', origin)).then((r) => r.json());
    must(unit.u, 'the frame has no units');
    const scale = Math.min(where.w / sc.width, where.h / sc.height);
    const ox = (where.w - sc.width * scale) / 2;
    const oy = (where.h - sc.height * scale) / 2;
    await page.mouse.move(where.x + ox + (unit.u.x + 0.5) * scale, where.y + oy + (unit.u.y + 0.5) * scale);
    await page.waitForSelector('#map-tip:not([hidden])', { timeout: 5000 });
    const tip = await page.textContent('#map-tip');
    must(tip.includes(unit.u.name), `the tooltip does not name ${unit.u.name}: ${tip}`);
    await shot('10-map-tooltip');
    const status = await page.getAttribute('#status', 'data-kind');
    must(status !== 'error', `the status line shows an error: ${await page.textContent('#status')}`);
    return `${(px.other * 100).toFixed(1)}% of the map drawn over open ground; last map draw ${await page.getAttribute('#map', 'data-ms')} ms; tooltip ok`;
  });

  must(requests <= MAX_REQUESTS, `the page made ${requests} requests`);
} catch (e) {
  exitCode = 1;
  if (!(e instanceof CheckFailure) && failed === 0) {
    console.log(`FAIL: ${e.stack || e}`);
    failed += 1;
  }
} finally {
  await browser.close().catch(() => {});
  clearTimeout(watchdog);
}
console.log(`decisions taken: ${decisions.join('; ') || 'none'}; page requests: ${requests}; ${secs()} s; screenshots in ${screens}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(exitCode || (failed ? 1 : 0));
