// The classroom page's behaviour: talks to `mando serve`'s JSON API and
// draws what it answers. No framework and no build step; served as is.
//
// Pattern: one exclusive queue for every request that changes the world
// (step, inject, decide, rewind, branch, switch), and each of those
// followed by a refresh of the frame and the series before the next one
// goes. Reasoning: the server runs one simulation; two steps in flight
// would race, and a view that lags the world misleads a class.
//
// Pattern: the map is drawn from aggregates, never per person: the ground
// is one offscreen image (one pixel a cell), the crowd another (one pixel
// a block), both scaled onto the visible canvas. Reasoning: a scenario
// of 100,000 civilians must play as smoothly as one of 200.
'use strict';

// ---------------------------------------------------------------------------
// Small helpers

const $ = (id) => document.getElementById(id);
const NUM = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });
const fmt = (v) => (v === null || v === undefined || Number.isNaN(v) ? '–' : NUM.format(v));
const human = (s) => (s === null || s === undefined ? '–' : String(s).replace(/_/g, ' '));
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
const DPR = () => window.devicePixelRatio || 1;

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else if (k in e) e[k] = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

// ---------------------------------------------------------------------------
// The server's API

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(method, path, body) {
  const opts = { method, headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, opts);
  } catch (e) {
    throw new ApiError(0, `The server does not answer (${e.message}). Is mando serve still running?`);
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      if (res.ok) throw new ApiError(res.status, `${method} ${path}: the answer is not JSON`);
    }
  }
  if (!res.ok) {
    const msg = data && typeof data.error === 'string' ? data.error : `${method} ${path}: HTTP ${res.status}`;
    throw new ApiError(res.status, msg);
  }
  return data;
}

const get = (path) => api('GET', path);
const post = (path, body) => api('POST', path, body);

// Every request that changes the world goes through here, one at a time.
let queue = Promise.resolve();
let pending = 0;
function exclusive(fn) {
  pending += 1;
  updateControls();
  const run = queue.then(fn);
  queue = run.catch(() => {}).finally(() => {
    pending -= 1;
    updateControls();
  });
  return run;
}

// ---------------------------------------------------------------------------
// What the page knows

const S = {
  scenario: null,
  state: null,
  frame: null,
  series: null,
  branches: null,
  playing: false,
  startMinutes: null, // clock minutes at tick 0, read off the first state
  lastFrame: { tick: -1, branch: null },
  shownDecision: null, // "name@tick" of the decision the dialog shows
  deferredDecision: null, // the same, when the class looks at the map first
  rewindDirty: false,
};

// ---------------------------------------------------------------------------
// Status line

function setStatus(text, kind = 'info', action = null) {
  const s = $('status');
  s.replaceChildren(el('span', { text }));
  if (action) s.append(el('button', { type: 'button', text: action.label, onclick: action.run }));
  s.dataset.kind = kind;
}

function showError(e, where = '') {
  const msg = e instanceof ApiError || e instanceof Error ? e.message : String(e);
  setStatus(where ? `${where}: ${msg}` : msg, 'error');
}

window.addEventListener('error', (ev) => {
  showError(ev.message || 'unexpected error', 'Page error');
});
window.addEventListener('unhandledrejection', (ev) => {
  ev.preventDefault();
  showError(ev.reason, 'Page error');
});

// ---------------------------------------------------------------------------
// Clock

function parseClock(text) {
  const m = /day\s+(\d+),\s*(\d{1,2}):(\d{2})/.exec(text || '');
  return m ? (Number(m[1]) - 1) * 1440 + Number(m[2]) * 60 + Number(m[3]) : null;
}

function minutesAt(tick) {
  if (S.startMinutes === null || !S.scenario) return null;
  return S.startMinutes + tick * S.scenario.minutes_per_tick;
}

function clockAt(tick) {
  const m = minutesAt(tick);
  if (m === null) return `tick ${tick}`;
  const d = Math.floor(m / 1440) + 1;
  const hm = Math.round(m - (d - 1) * 1440);
  const hh = String(Math.floor(hm / 60) % 24).padStart(2, '0');
  const mm = String(hm % 60).padStart(2, '0');
  return `day ${d}, ${hh}:${mm}`;
}

// ---------------------------------------------------------------------------
// Header

const REGIMES = {
  normal: ['Normal · PNP alone', 0],
  emergency_support: ['Emergency · FF.AA. support', 1],
  emergency_control: ['Emergency · FF.AA. control', 2],
  hostile_group: ['Emergency · hostile group', 3],
  siege: ['State of siege', 4],
};
const PHASES = {
  early: ['Early', 1],
  escalation: ['Escalation', 2],
  crisis: ['Crisis', 4],
  de_escalation: ['De-escalation', 1],
  dialogue: ['Dialogue', 0],
};

function badge(node, table, key, none) {
  const [label, level] = table[key] || [key === null || key === undefined ? none : human(key), ''];
  node.textContent = label;
  node.dataset.level = level;
  node.dataset.value = key === null || key === undefined ? '' : key;
  node.title = key === null || key === undefined ? none : key;
}

function renderHeader() {
  const st = S.state;
  $('clock').textContent = st.clock;
  $('tick').textContent = st.tick;
  $('ticks').textContent = st.ticks;
  badge($('regime'), REGIMES, st.regime, '–');
  badge($('phase'), PHASES, st.phase, 'no conflict yet');
  $('branch').textContent = st.branch;
  $('hash').textContent = st.state_hash;
  document.body.dataset.tick = st.tick;
  // The server writes a report only once something has run.
  const report = $('report');
  report.setAttribute('aria-disabled', st.tick > 0 ? 'false' : 'true');
  report.title = st.tick > 0 ? 'Opens in a new tab' : 'Step at least one tick first';
  document.title = `${st.clock} · ${S.scenario ? S.scenario.name : 'mando'} · mando classroom`;
}

function renderHeadline() {
  const h = S.state.headline || {};
  const rows = [
    ['Quiescent', h.quiescent, 'Civilians injured', h.civilians_injured],
    ['Active', h.active, 'Civilians killed', h.civilians_killed],
    ['Jailed', h.jailed, 'Police injured', h.police_injured],
    ['Dead', h.dead, 'Police killed', h.police_killed],
    ['Uses of force', h.uses_of_force, 'Soldiers injured', h.soldiers_injured],
    ['', null, 'Soldiers killed', h.soldiers_killed],
  ];
  $('headline').replaceChildren(
    ...rows.map(([a, av, b, bv]) =>
      el('tr', {}, el('th', { text: a }), el('td', { text: a ? fmt(av) : '' }), el('th', { text: b }), el('td', { text: fmt(bv) })),
    ),
  );
}

// ---------------------------------------------------------------------------
// Controls

function speed() {
  return Number($('speed').value) || 1;
}

function stepCount() {
  const n = Math.floor(Number($('stepn-count').value));
  // The server takes at most 10,000 ticks a request.
  return Number.isFinite(n) && n >= 1 ? Math.min(n, 10000) : 1;
}

function updateControls() {
  const st = S.state;
  const ready = !!st;
  const stuck = !ready || st.finished || !!st.pending_decision;
  const busy = pending > 0;
  $('play').disabled = S.playing || stuck;
  $('pause').disabled = !S.playing;
  for (const id of ['step1', 'stepn']) $(id).disabled = S.playing || stuck;
  for (const id of ['rewind-go', 'branch-go']) $(id).disabled = S.playing || !ready;
  // What a script may wait on: 'busy' until a change and its refresh are
  // done, so 'decision' means the dialog is up.
  let state = 'ready';
  if (!ready) state = 'loading';
  else if (S.playing) state = 'playing';
  else if (busy) state = 'busy';
  else if (st.pending_decision) state = 'decision';
  else if (st.finished) state = 'finished';
  document.body.dataset.state = state;
}

function renderRewind() {
  const st = S.state;
  let head = st.tick;
  const mine = S.branches && S.branches.branches.find((b) => b.name === st.branch);
  if (mine && Number.isFinite(mine.head_tick)) head = Math.max(head, mine.head_tick);
  const slider = $('rewind-slider');
  const box = $('rewind-tick');
  slider.max = head;
  box.max = head;
  if (!S.rewindDirty && document.activeElement !== box && document.activeElement !== slider) {
    slider.value = st.tick;
    box.value = st.tick;
  }
}

// A new state from the server: show it, then fetch what goes with it.
async function applyState(st, { branches = false } = {}) {
  const first = !S.state;
  S.state = st;
  if (S.startMinutes === null) {
    const m = parseClock(st.clock);
    if (m !== null && S.scenario) S.startMinutes = m - st.tick * S.scenario.minutes_per_tick;
    if (first && S.scenario) renderEvents();
  }
  renderHeader();
  renderHeadline();
  renderLog();
  renderEventsPast();
  updateControls();
  const [frame, series, br] = await Promise.all([
    get('/api/frame'),
    get('/api/series'),
    branches || !S.branches ? get('/api/branches') : Promise.resolve(null),
  ]);
  if (br) {
    S.branches = br;
    renderBranches();
  }
  acceptFrame(frame);
  S.series = series;
  renderRewind();
  drawMap();
  drawLiveCharts();
  updateControls();
  showDecision();
}

function describe(st) {
  if (st.pending_decision) return `Decision due: ${human(st.pending_decision.name)}`;
  if (st.finished) return `The run has ended at ${st.clock} (tick ${st.tick}). Rewind or branch to go on.`;
  return `Tick ${st.tick} of ${st.ticks} · ${st.clock} · branch ${st.branch}`;
}

// Runs one change of the world: the request, then the refresh.
function act(label, request, { branches = true, onError = null } = {}) {
  return exclusive(async () => {
    let st;
    try {
      st = await request();
    } catch (e) {
      if (onError) onError(e);
      else showError(e, label);
      return null;
    }
    try {
      await applyState(st, { branches });
      if (!st.pending_decision) setStatus(`${label} · ${describe(st)}`, 'info');
    } catch (e) {
      showError(e, `${label}, then refreshing the view`);
    }
    return st;
  });
}

async function step(ticks) {
  return act(`Stepped ${ticks}`, () => post('/api/step', { ticks }));
}

async function play() {
  if (S.playing || !S.state) return;
  S.playing = true;
  updateControls();
  setStatus('Playing…', 'busy');
  try {
    while (S.playing) {
      const st = S.state;
      if (st.finished || st.pending_decision) break;
      const t0 = performance.now();
      const before = st.tick;
      const next = await exclusive(async () => {
        const s = await post('/api/step', { ticks: speed() });
        await applyState(s);
        return s;
      });
      if (next.tick === before && !next.finished && !next.pending_decision) {
        setStatus(`The server did not advance past tick ${before}; paused.`, 'error');
        break;
      }
      // At most five requests a second, and never two in flight.
      const wait = 200 - (performance.now() - t0);
      if (wait > 0 && S.playing) await sleep(wait);
    }
  } catch (e) {
    showError(e, 'Play');
  } finally {
    S.playing = false;
    // Branch heads moved while playing.
    try {
      S.branches = await get('/api/branches');
      renderBranches();
      renderRewind();
    } catch (e) {
      showError(e, 'Branches');
    }
    updateControls();
    const st = S.state;
    if (st && $('status').dataset.kind !== 'error') {
      if (st.pending_decision) showDecision();
      else setStatus(st.finished ? describe(st) : `Paused · ${describe(st)}`, 'info');
    }
  }
}

function pause() {
  S.playing = false;
  updateControls();
}

// ---------------------------------------------------------------------------
// Decisions

function decisionSpec(name) {
  return S.scenario && (S.scenario.decisions || []).find((d) => d.name === name);
}

function showDecision() {
  const st = S.state;
  const dlg = $('decision-dialog');
  const pd = st && st.pending_decision;
  if (!pd) {
    if (dlg.open) dlg.close();
    S.shownDecision = null;
    S.deferredDecision = null;
    return;
  }
  const key = `${pd.name}@${st.tick}@${st.branch}`;
  if (S.deferredDecision === key) {
    setStatus(`Decision due: ${human(pd.name)} (the run waits for it)`, 'decision', { label: 'Decide now', run: reopenDecision });
    return;
  }
  if (dlg.open && S.shownDecision === key) return;
  S.shownDecision = key;
  const spec = decisionSpec(pd.name);
  $('decision-when').textContent = `${st.clock} (tick ${st.tick})`;
  $('decision-title').textContent = human(pd.name);
  $('decision-prompt').textContent = pd.prompt || (spec && spec.prompt) || '';
  dlg.dataset.decision = pd.name;
  const buttons = (pd.choices || []).map((c) => {
    const isDefault = c.name === pd.default;
    // After a rewind: the answer this branch took here (the same one goes on
    // along the branch; another makes a new branch).
    const chosen = c.name === pd.branch_chose;
    const changes = spec && (spec.choices || []).find((x) => x.name === c.name);
    return el(
      'button',
      {
        type: 'button',
        class: ['choice', isDefault ? 'default' : '', chosen ? 'chosen' : ''].filter(Boolean).join(' '),
        'data-choice': c.name,
        onclick: () => decide(pd.name, c.name),
      },
      isDefault ? el('span', { class: 'tag', text: 'default' }) : null,
      chosen ? el('span', { class: 'tag chosen', text: 'this branch chose it' }) : null,
      el('span', { class: 'label', text: c.label || human(c.name) }),
      changes && changes.changes && changes.changes.length ? el('span', { class: 'changes', text: changes.changes.join(' · ') }) : null,
    );
  });
  const later = el('button', {
    type: 'button',
    class: 'later small',
    id: 'decision-later',
    text: 'Look at the map first',
    onclick: deferDecision,
  });
  $('decision-choices').replaceChildren(...buttons, el('p', { id: 'decision-error', class: 'error' }), later);
  setStatus(`Decision due: ${human(pd.name)}`, 'decision', { label: 'Decide now', run: reopenDecision });
  if (!dlg.open) dlg.showModal();
}

function deferDecision() {
  S.deferredDecision = S.shownDecision;
  $('decision-dialog').close();
  showDecision();
}

function reopenDecision() {
  S.deferredDecision = null;
  S.shownDecision = null;
  showDecision();
}

async function decide(decision, choice) {
  for (const b of $('decision-choices').querySelectorAll('button')) b.disabled = true;
  await act(`Decided ${human(decision)}: ${human(choice)}`, () => post('/api/decide', { decision, choice }), {
    onError: (e) => {
      const p = $('decision-error');
      if (p) p.textContent = e.message;
      showError(e, 'Decision');
    },
  });
  for (const b of $('decision-choices').querySelectorAll('button')) b.disabled = false;
}

// ---------------------------------------------------------------------------
// Master event list and log

function fmtValue(v) {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function renderEvents() {
  const sc = S.scenario;
  const sched = sc.scheduled || [];
  $('scheduled').replaceChildren(
    ...(sched.length
      ? sched.map((c, i) =>
          el(
            'li',
            { 'data-tick': c.at_tick, 'data-index': i },
            el('span', { class: 'when', text: `${clockAt(c.at_tick)} · t${c.at_tick}` }),
            el('span', { class: 'what' }, el('code', { text: `${c.path} = ${fmtValue(c.value)}` }),
              c.over_ticks ? el('span', { class: 'muted', text: ` over ${c.over_ticks} ticks` }) : null),
            el('button', {
              type: 'button',
              class: 'small fire',
              text: 'Fire now',
              title: 'Apply this change now, at the current tick',
              onclick: () => inject(c.path, c.value),
            }),
          ),
        )
      : [el('li', { class: 'empty', text: 'None in this scenario.' })]),
  );
  const decisions = sc.decisions || [];
  $('decisions').replaceChildren(
    ...(decisions.length
      ? decisions.map((d) =>
          el(
            'li',
            { 'data-decision': d.name },
            el('span', { class: 'when', text: d.trigger || '' }),
            el('span', { class: 'what' }, el('b', { text: human(d.name) }), ' — ', d.prompt || ''),
            el(
              'details',
              {},
              el('summary', { text: `${(d.choices || []).length} choices, default ${human(d.default)}` }),
              el(
                'ul',
                {},
                ...(d.choices || []).map((c) =>
                  el('li', {}, el('b', { text: c.label || human(c.name) }), c.name === d.default ? ' (default)' : '',
                    (c.changes || []).length ? el('code', { text: ` ${c.changes.join(', ')}` }) : null),
                ),
              ),
            ),
          ),
        )
      : [el('li', { class: 'empty', text: 'None in this scenario.' })]),
  );
  $('changeable').replaceChildren(...(sc.changeable || []).map((p) => el('option', { value: p })));
}

function renderEventsPast() {
  const t = S.state.tick;
  for (const li of $('scheduled').querySelectorAll('li[data-tick]')) li.classList.toggle('past', Number(li.dataset.tick) <= t);
}

function renderLog() {
  const log = S.state.log || [];
  const ol = $('log');
  ol.dataset.count = log.length;
  ol.replaceChildren(
    ...(log.length
      ? log.map((e) =>
          el(
            'li',
            { 'data-kind': e.kind, 'data-tick': e.tick },
            el('span', { class: 'when', text: `${clockAt(e.tick)} · t${e.tick}` }),
            el('span', { class: `kind ${e.kind}`, text: e.kind }),
            el('span', { class: 'what', text: e.text }),
          ),
        )
      : [el('li', { class: 'empty', text: 'No injects or decisions yet on this branch.' })]),
  );
  ol.scrollTop = ol.scrollHeight;
}

// ---------------------------------------------------------------------------
// Injects

// A value as `--set` writes it: numbers go as numbers, the rest as text.
function parseValue(text) {
  const t = text.trim();
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t) ? Number(t) : t;
}

function inject(path, value) {
  const err = $('inject-error');
  err.textContent = '';
  err.dataset.state = 'busy';
  return act(`Injected ${path} = ${fmtValue(value)}`, () => post('/api/inject', { path, value }), {
    onError: (e) => {
      err.textContent = e.message;
      err.dataset.state = 'error';
      setStatus(`Inject refused: ${e.message}`, 'error');
    },
  }).then((st) => {
    if (st) err.dataset.state = 'ok';
    return st;
  });
}

// ---------------------------------------------------------------------------
// Branches and comparison

function renderBranches() {
  const br = S.branches;
  const table = $('branches');
  table.dataset.current = br.current;
  const head = el('thead', {}, el('tr', {}, ...['Branch', 'From', 'At tick', 'Head', 'Actions', ''].map((h) => el('th', { text: h }))));
  const rows = br.branches.map((b) => {
    const current = b.name === br.current;
    return el(
      'tr',
      { class: current ? 'current' : '', 'data-branch': b.name },
      el('td', {}, b.name, current ? el('span', { class: 'muted', text: ' ● current' }) : null),
      el('td', { text: b.parent ? `${b.parent} @ t${b.fork_tick}` : '–' }),
      el('td', { text: b.tick }),
      el('td', { text: b.head_tick }),
      el('td', { text: b.actions }),
      el(
        'td',
        {},
        el('button', {
          type: 'button',
          class: 'small switch',
          'data-branch': b.name,
          text: current ? 'Current' : 'Switch',
          disabled: current,
          onclick: () => act(`Switched to ${b.name}`, () => post('/api/switch', { name: b.name })),
        }),
      ),
    );
  });
  table.replaceChildren(head, el('tbody', {}, ...rows));

  const names = br.branches.map((b) => b.name);
  const cur = br.current;
  const mine = br.branches.find((b) => b.name === cur);
  const fill = (sel, fallback) => {
    const keep = names.includes(sel.value) ? sel.value : fallback;
    sel.replaceChildren(...names.map((n) => el('option', { value: n, text: n })));
    sel.value = keep;
  };
  fill($('compare-a'), mine && mine.parent ? mine.parent : names[0]);
  fill($('compare-b'), cur);
}

async function compare(a, b) {
  const view = $('compare-view');
  view.hidden = false;
  view.dataset.state = 'loading';
  try {
    const data = await get(`/api/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
    S.compared = data;
    $('compare-title').textContent = `${data.a.name} against ${data.b.name}`;
    const key = (color, name) => el('span', { class: 'key' }, el('span', { class: 'swatch', style: `background:${color}` }), name);
    $('compare-legend').replaceChildren(key(CMP_COLORS[0], `A: ${data.a.name}`), key(CMP_COLORS[1], `B: ${data.b.name}`),
      el('span', { class: 'muted', text: 'Line styles tell the series apart (key in each chart).' }));
    drawCompareCharts();
    renderCompareTable(data);
    view.dataset.state = 'shown';
    view.scrollIntoView({ behavior: 'smooth', block: 'start' });
    setStatus(`Comparing ${data.a.name} with ${data.b.name}`, 'info');
  } catch (e) {
    view.dataset.state = 'error';
    showError(e, 'Compare');
  }
}

const HEADLINE_ROWS = [
  ['quiescent', 'Quiescent'],
  ['active', 'Active'],
  ['jailed', 'Jailed'],
  ['dead', 'Dead'],
  ['civilians_injured', 'Civilians injured'],
  ['civilians_killed', 'Civilians killed'],
  ['police_injured', 'Police injured'],
  ['police_killed', 'Police killed'],
  ['soldiers_injured', 'Soldiers injured'],
  ['soldiers_killed', 'Soldiers killed'],
  ['uses_of_force', 'Uses of force'],
];

function lastOf(series, k) {
  const v = series && series[k];
  if (!Array.isArray(v)) return null;
  for (let i = v.length - 1; i >= 0; i--) if (v[i] !== null && v[i] !== undefined) return v[i];
  return null;
}

function meanOf(series, k) {
  const v = (series && series[k]) || [];
  const xs = v.filter((x) => typeof x === 'number');
  return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null;
}

function renderCompareTable(d) {
  const rows = HEADLINE_ROWS.map(([k, label]) => [label, d.a.headline ? d.a.headline[k] : null, d.b.headline ? d.b.headline[k] : null]);
  rows.push(['Legitimacy at the end', lastOf(d.a.series, 'legitimacy'), lastOf(d.b.series, 'legitimacy')]);
  rows.push(['Order latency, mean (min)', meanOf(d.a.series, 'order_latency_minutes'), meanOf(d.b.series, 'order_latency_minutes')]);
  rows.push(['Ticks run', lastOf(d.a.series, 'tick'), lastOf(d.b.series, 'tick')]);
  const head = el('thead', {}, el('tr', {}, el('th', { text: 'Figure' }), el('th', { text: `A: ${d.a.name}` }),
    el('th', { text: `B: ${d.b.name}` }), el('th', { text: 'B − A' })));
  const body = el(
    'tbody',
    {},
    ...rows.map(([label, a, b]) => {
      const both = typeof a === 'number' && typeof b === 'number';
      const diff = both ? b - a : null;
      return el('tr', {}, el('td', { text: label }), el('td', { text: fmt(a) }), el('td', { text: fmt(b) }),
        el('td', { text: diff === null ? '–' : (diff > 0 ? '+' : '') + fmt(diff) }));
    }),
  );
  $('compare-table').replaceChildren(head, body);
}

// ---------------------------------------------------------------------------
// The map

const GROUND_COLORS = {
  '.': [244, 241, 234],
  '=': [196, 190, 178],
  '#': [140, 136, 128],
  B: [184, 196, 150],
  '*': [184, 196, 150],
};
const SITE_COLORS = ['#f2b134', '#6fb7d6', '#c98bd9', '#8fd18a', '#f28e7f', '#b0a4f0', '#e3d36b', '#7fd1c3'];
const AGENCY = {
  pnp: { label: 'PNP', color: '#2e8b3a' },
  ffaa: { label: 'FF.AA.', color: '#5b5420' },
};
const FORCE_LEVELS = [
  ['presence', 'Presence', '#e9c46a'],
  ['verbal_commands', 'Verbal commands', '#f4a261'],
  ['contact_control', 'Contact control', '#e76f51'],
  ['physical_control', 'Physical control', '#c8553d'],
  ['non_lethal_defensive_tactics', 'Non-lethal tactics', '#8e44ad'],
  ['lethal_force', 'Lethal force', '#d00000'],
];

function forceColor(f) {
  if (f.lethal) return '#d00000';
  if (typeof f.level === 'number') return FORCE_LEVELS[Math.max(0, Math.min(5, f.level))][2];
  const hit = FORCE_LEVELS.find((l) => l[0] === f.level);
  return hit ? hit[2] : '#6a1b9a';
}

function hexRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

const M = {
  ground: null, // offscreen canvas, one pixel a cell
  crowd: null, // offscreen canvas, one pixel a block
  officers: [], // [block x, block y, count]
  sites: [], // {name, color, outline: Path2D, cx, cy, top}
  rings: [], // {x, y, color, lethal, born}
  scale: 1,
  ox: 0,
  oy: 0,
  hover: null,
  raf: 0,
};

function buildGround() {
  const sc = S.scenario;
  const w = sc.width;
  const h = sc.height;
  const symbols = new Map((sc.sites || []).map((s, i) => [String(s.symbol), i]));
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  const g = c.getContext('2d');
  const img = g.createImageData(w, h);
  const cells = (sc.sites || []).map(() => []);
  const siteRgb = SITE_COLORS.map(hexRgb);
  for (let y = 0; y < h; y++) {
    const row = (sc.ground || [])[y] || '';
    for (let x = 0; x < w; x++) {
      const ch = row[x] || '.';
      let rgb = GROUND_COLORS[ch];
      const site = symbols.get(ch);
      if (site !== undefined) {
        rgb = siteRgb[site % siteRgb.length];
        cells[site].push(x, y);
      } else if (!rgb) rgb = GROUND_COLORS['.'];
      const o = (y * w + x) * 4;
      img.data[o] = rgb[0];
      img.data[o + 1] = rgb[1];
      img.data[o + 2] = rgb[2];
      img.data[o + 3] = 255;
    }
  }
  g.putImageData(img, 0, 0);
  M.ground = c;

  M.sites = (sc.sites || []).map((s, i) => {
    const xy = cells[i];
    const n = xy.length / 2;
    const outline = new Path2D();
    let sx = 0;
    let minY = Infinity;
    let maxY = -Infinity;
    let minX = Infinity;
    let maxX = -Infinity;
    const own = new Set();
    for (let k = 0; k < xy.length; k += 2) own.add(xy[k + 1] * w + xy[k]);
    for (let k = 0; k < xy.length; k += 2) {
      const x = xy[k];
      const y = xy[k + 1];
      sx += x;
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      if (n > 40000) continue; // a huge site: its box, below, is enough
      const edge = (x0, y0, x1, y1) => {
        outline.moveTo(x0, y0);
        outline.lineTo(x1, y1);
      };
      if (y === 0 || !own.has((y - 1) * w + x)) edge(x, y, x + 1, y);
      if (y === h - 1 || !own.has((y + 1) * w + x)) edge(x, y + 1, x + 1, y + 1);
      if (x === 0 || !own.has(y * w + x - 1)) edge(x, y, x, y + 1);
      if (x === w - 1 || !own.has(y * w + x + 1)) edge(x + 1, y, x + 1, y + 1);
    }
    if (n > 40000) outline.rect(minX, minY, maxX - minX + 1, maxY - minY + 1);
    return {
      name: s.name,
      symbol: s.symbol,
      color: SITE_COLORS[i % SITE_COLORS.length],
      outline,
      cells: n,
      cx: n ? sx / n + 0.5 : 0,
      top: n ? minY : 0,
      bottom: n ? maxY + 1 : 0,
    };
  });
  renderMapLegend();
}

function renderMapLegend() {
  const sw = (color, text, extra = '') => el('span', { class: 'key' }, el('span', { class: `swatch ${extra}`, style: `background:${color}` }), text);
  const rgb = (a) => `rgb(${a.join(',')})`;
  const marker = (agency, shape) =>
    el('span', { class: 'key' }, el('span', { class: 'swatch', style: `background:${AGENCY[agency].color};border-radius:${shape}` }),
      `${AGENCY[agency].label} unit`);
  $('map-legend').replaceChildren(
    sw(rgb(GROUND_COLORS['.']), 'open'),
    sw(rgb(GROUND_COLORS['=']), 'road'),
    sw(rgb(GROUND_COLORS['#']), 'building'),
    sw(rgb(GROUND_COLORS.B), 'base'),
    ...M.sites.map((s) => sw(s.color, s.name)),
    sw('rgb(215,40,35)', 'active crowd'),
    sw('rgb(90,120,170)', 'quiescent crowd'),
    sw('#0d2a5c', 'police officers'),
    marker('pnp', '50%'),
    marker('ffaa', '0'),
    ...FORCE_LEVELS.map(([, label, color]) => el('span', { class: 'key' }, el('span', { class: 'swatch', style: `background:transparent;border:2px solid ${color};border-radius:50%;width:.9em;height:.9em` }), label)),
  );
}

function acceptFrame(fr) {
  const st = S.state;
  const prev = S.lastFrame;
  // Only uses of force new since the last frame of this branch flash.
  if (prev.branch === st.branch && fr.tick > prev.tick) {
    const now = performance.now();
    for (const f of fr.force || []) {
      if (f.tick > prev.tick) M.rings.push({ x: f.x, y: f.y, color: forceColor(f), lethal: !!f.lethal, born: now });
    }
    if (M.rings.length > 2000) M.rings.splice(0, M.rings.length - 2000);
  } else {
    M.rings = [];
  }
  S.lastFrame = { tick: fr.tick, branch: st.branch };
  S.frame = fr;

  // The crowd: one pixel a block, colour from the share of actives,
  // opacity from the people per cell; actives stand out, a quiescent town
  // stays a haze over the ground.
  const cols = fr.cols;
  const rows = fr.rows;
  if (!M.crowd || M.crowd.width !== cols || M.crowd.height !== rows) {
    M.crowd = document.createElement('canvas');
    M.crowd.width = cols;
    M.crowd.height = rows;
  }
  const g = M.crowd.getContext('2d');
  const img = g.createImageData(cols, rows);
  const d = img.data;
  const act = fr.active || [];
  const qui = fr.quiescent || [];
  const off = fr.officers || [];
  const cellsPerBlock = Math.max(1, (fr.block || 1) * (fr.block || 1));
  M.officers = [];
  for (let i = 0, n = cols * rows; i < n; i++) {
    const a = act[i] || 0;
    const q = qui[i] || 0;
    const t = a + q;
    if (off[i]) M.officers.push(i % cols, Math.floor(i / cols), off[i]);
    if (t <= 0) continue;
    const f = Math.min(1, 2 * Math.sqrt(a / t));
    const loud = a > 0 ? 0.55 + 0.45 * Math.sqrt(Math.min(1, a / cellsPerBlock)) : 0;
    const quiet = q > 0 ? 0.12 + 0.33 * Math.sqrt(Math.min(1, q / cellsPerBlock)) : 0;
    const o = i * 4;
    d[o] = 90 + (215 - 90) * f;
    d[o + 1] = 120 + (40 - 120) * f;
    d[o + 2] = 170 + (35 - 170) * f;
    d[o + 3] = 255 * Math.max(loud, quiet);
  }
  g.putImageData(img, 0, 0);
  $('map-caption').textContent = `tick ${fr.tick} · ${fmt(sum(act))} active, ${fmt(sum(qui))} quiescent in view · blocks of ${fr.block}×${fr.block} cells`;
}

function sum(xs) {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

function layoutMap() {
  const sc = S.scenario;
  const canvas = $('map');
  const cssW = Math.max(200, $('map-wrap').clientWidth);
  const maxH = Math.max(240, window.innerHeight * 0.7);
  const scale = Math.min(cssW / sc.width, maxH / sc.height);
  const cssH = Math.round(sc.height * scale);
  if (canvas.style.height !== `${cssH}px`) canvas.style.height = `${cssH}px`;
  const dpr = DPR();
  const bw = Math.round(cssW * dpr);
  const bh = Math.round(cssH * dpr);
  if (canvas.width !== bw || canvas.height !== bh) {
    canvas.width = bw;
    canvas.height = bh;
  }
  M.scale = scale;
  M.ox = (cssW - sc.width * scale) / 2;
  M.oy = (cssH - sc.height * scale) / 2;
  return { cssW, cssH, dpr };
}

function drawMap() {
  if (!S.scenario || !M.ground) return;
  const t0 = performance.now();
  const sc = S.scenario;
  const { cssW, cssH, dpr } = layoutMap();
  const canvas = $('map');
  const g = canvas.getContext('2d');
  const { scale, ox, oy } = M;
  const mw = sc.width * scale;
  const mh = sc.height * scale;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.fillStyle = '#e8e5de';
  g.fillRect(0, 0, cssW, cssH);
  g.save();
  g.beginPath();
  g.rect(ox, oy, mw, mh);
  g.clip();
  g.imageSmoothingEnabled = scale < 1;
  g.drawImage(M.ground, ox, oy, mw, mh);

  // Site outlines.
  for (const s of M.sites) {
    g.save();
    g.translate(ox, oy);
    g.scale(scale, scale);
    g.strokeStyle = shade(s.color, -0.45);
    g.lineWidth = 2 / scale;
    g.stroke(s.outline);
    g.restore();
  }

  // The crowd and the police officers, by block.
  const fr = S.frame;
  if (fr && M.crowd) {
    const bs = (fr.block || 1) * scale;
    g.imageSmoothingEnabled = false;
    g.drawImage(M.crowd, ox, oy, fr.cols * bs, fr.rows * bs);
    g.fillStyle = '#0d2a5c';
    const side = Math.max(2, Math.min(bs * 0.5, 8));
    for (let k = 0; k < M.officers.length; k += 3) {
      const px = ox + (M.officers[k] + 0.5) * bs;
      const py = oy + (M.officers[k + 1] + 0.5) * bs;
      g.fillRect(px - side / 2, py - side / 2, side, side);
    }
  }
  g.restore();

  // Site names, above the crowd so they stay legible.
  g.font = '600 12px system-ui, sans-serif';
  g.textAlign = 'center';
  g.lineJoin = 'round';
  for (const s of M.sites) {
    if (!s.cells) continue;
    const x = ox + s.cx * scale;
    let y = oy + s.top * scale - 4;
    let base = 'bottom';
    if (y < oy + 14) {
      y = oy + s.bottom * scale + 4;
      base = 'top';
    }
    g.textBaseline = base;
    g.strokeStyle = 'rgba(255,255,255,.9)';
    g.lineWidth = 3.5;
    g.strokeText(s.name, x, y);
    g.fillStyle = shade(s.color, -0.6);
    g.fillText(s.name, x, y);
  }

  // Units.
  const units = (fr && fr.units) || [];
  const r = unitRadius();
  const label = units.length <= 12 && scale >= 6;
  for (const u of units) {
    const px = ox + (u.x + 0.5) * scale;
    const py = oy + (u.y + 0.5) * scale;
    const ag = AGENCY[u.agency] || { color: '#444' };
    g.beginPath();
    if (u.agency === 'ffaa') g.rect(px - r, py - r, 2 * r, 2 * r);
    else g.arc(px, py, r, 0, Math.PI * 2);
    g.fillStyle = ag.color;
    g.fill();
    g.lineWidth = M.hover === u.id ? 3 : 1.5;
    g.strokeStyle = M.hover === u.id ? '#1f5fa8' : '#fff';
    g.stroke();
    if (label) {
      g.font = '11px system-ui, sans-serif';
      g.textAlign = 'left';
      g.textBaseline = 'middle';
      g.strokeStyle = 'rgba(255,255,255,.85)';
      g.lineWidth = 3;
      const left = px + r + 3 + g.measureText(u.name).width > ox + mw;
      g.textAlign = left ? 'right' : 'left';
      const lx = left ? px - r - 3 : px + r + 3;
      g.strokeText(u.name, lx, py);
      g.fillStyle = '#1d2329';
      g.fillText(u.name, lx, py);
    }
  }

  // Uses of force: a ring that widens and fades over a second.
  const now = performance.now();
  M.rings = M.rings.filter((ring) => now - ring.born < 1000);
  for (const ring of M.rings) {
    const age = (now - ring.born) / 1000;
    const px = ox + (ring.x + 0.5) * scale;
    const py = oy + (ring.y + 0.5) * scale;
    const rad = Math.max(4, scale * 0.5) + age * Math.max(14, scale * 2);
    g.globalAlpha = 1 - age;
    g.strokeStyle = ring.color;
    g.lineWidth = ring.lethal ? 3.5 : 2.5;
    g.beginPath();
    g.arc(px, py, rad, 0, Math.PI * 2);
    g.stroke();
    if (ring.lethal) {
      g.fillStyle = ring.color;
      g.beginPath();
      g.arc(px, py, Math.max(2.5, scale * 0.3), 0, Math.PI * 2);
      g.fill();
    }
    g.globalAlpha = 1;
  }
  canvas.dataset.drawn = Number(canvas.dataset.drawn || 0) + 1;
  canvas.dataset.tick = fr ? fr.tick : '';
  canvas.dataset.ms = (performance.now() - t0).toFixed(1);
  if (M.rings.length && !M.raf) {
    M.raf = requestAnimationFrame(() => {
      M.raf = 0;
      drawMap();
    });
  }
}

function unitRadius() {
  return Math.max(5, Math.min(10, M.scale * 0.6));
}

function shade(hex, k) {
  const [r, g, b] = hexRgb(hex);
  const f = (c) => Math.round(k < 0 ? c * (1 + k) : c + (255 - c) * k);
  return `rgb(${f(r)},${f(g)},${f(b)})`;
}

function unitAt(ev) {
  const fr = S.frame;
  if (!fr || !fr.units) return null;
  const rect = $('map').getBoundingClientRect();
  const mx = ev.clientX - rect.left;
  const my = ev.clientY - rect.top;
  const r = unitRadius() + 4;
  let best = null;
  let bestD = r * r;
  for (const u of fr.units) {
    const dx = M.ox + (u.x + 0.5) * M.scale - mx;
    const dy = M.oy + (u.y + 0.5) * M.scale - my;
    const d = dx * dx + dy * dy;
    if (d <= bestD) {
      best = u;
      bestD = d;
    }
  }
  return { unit: best, mx, my };
}

function onMapMove(ev) {
  const hit = unitAt(ev);
  const tip = $('map-tip');
  const u = hit && hit.unit;
  const id = u ? u.id : null;
  if (id !== M.hover) {
    M.hover = id;
    drawMap();
  }
  if (!u) {
    tip.hidden = true;
    return;
  }
  const ag = AGENCY[u.agency] || { label: u.agency };
  const text = (v) => (v === null || v === undefined || v === '' ? '–' : typeof v === 'object' ? JSON.stringify(v) : human(v));
  const line = (k, v) => el('div', {}, el('span', { class: 'muted-tip', text: `${k}: ` }), text(v));
  tip.replaceChildren(
    el('b', { text: u.name }),
    line('Agency', ag.label),
    line('Kind', u.kind),
    line('Task', u.task),
    line('Commander', u.commander),
    line('Order', u.order || 'no order'),
    u.strength !== undefined ? line('Strength', u.strength) : null,
  );
  tip.hidden = false;
  const wrap = $('map-wrap').getBoundingClientRect();
  const tw = tip.offsetWidth;
  let left = hit.mx + 14;
  if (left + tw > wrap.width) left = Math.max(0, hit.mx - tw - 14);
  tip.style.left = `${left}px`;
  tip.style.top = `${Math.max(0, hit.my + 12)}px`;
}

// ---------------------------------------------------------------------------
// Charts, drawn by hand on canvases

const CMP_COLORS = ['#1f5fa8', '#d9480f'];
const DASHES = [[], [7, 4], [2, 3], [10, 3, 2, 3], [1, 4], [14, 5]];

// What each of the four charts shows: its series, colours and line styles.
const CHARTS = [
  {
    id: 'crowd',
    title: 'Crowd states (people)',
    lines: [
      ['quiescent', 'quiescent', '#5b7fa6', []],
      ['active', 'active', '#d0342c', []],
      ['jailed', 'jailed', '#7b4fa0', []],
      ['dead', 'dead', '#222222', []],
    ],
  },
  {
    id: 'harm',
    title: 'Harm by side (cumulative)',
    lines: [
      ['civilians_injured', 'civ. injured', '#d0342c', []],
      ['civilians_killed', 'civ. killed', '#d0342c', [6, 3]],
      ['police_injured', 'police injured', '#2e8b3a', []],
      ['police_killed', 'police killed', '#2e8b3a', [6, 3]],
      ['soldiers_injured', 'soldiers injured', '#8a7a2a', []],
      ['soldiers_killed', 'soldiers killed', '#8a7a2a', [6, 3]],
    ],
  },
  { id: 'legitimacy', title: 'Legitimacy', yMax: 1, lines: [['legitimacy', 'legitimacy', '#1f5fa8', []]] },
  { id: 'latency', title: 'Order latency (minutes)', dots: true, lines: [['order_latency_minutes', 'latency', '#a86400', []]] },
];

function niceStep(range, n) {
  const raw = range / Math.max(1, n);
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
}

function sizeCanvas(canvas) {
  const dpr = DPR();
  const w = Math.max(120, canvas.clientWidth);
  const h = Math.max(100, canvas.clientHeight);
  const bw = Math.round(w * dpr);
  const bh = Math.round(h * dpr);
  if (canvas.width !== bw || canvas.height !== bh) {
    canvas.width = bw;
    canvas.height = bh;
  }
  const g = canvas.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { g, w, h };
}

// spec: {title, yMax?, dots?, xMax?, lines: [{xs, ys, color, dash, width, end?}], legend: [{label, color, dash}]}
function drawChart(canvas, spec) {
  const { g, w, h } = sizeCanvas(canvas);
  g.clearRect(0, 0, w, h);
  g.fillStyle = '#fff';
  g.fillRect(0, 0, w, h);
  g.font = '600 12px system-ui, sans-serif';
  g.fillStyle = '#1d2329';
  g.textAlign = 'left';
  g.textBaseline = 'top';
  g.fillText(spec.title, 4, 3);

  // Legend, wrapped under the title.
  g.font = '11px system-ui, sans-serif';
  let lx = 4;
  let ly = 20;
  for (const item of spec.legend) {
    const tw = g.measureText(item.label).width + 30;
    if (lx + tw > w - 4 && lx > 4) {
      lx = 4;
      ly += 14;
    }
    g.strokeStyle = item.color;
    g.lineWidth = 2;
    g.setLineDash(item.dash || []);
    g.beginPath();
    g.moveTo(lx, ly + 6);
    g.lineTo(lx + 20, ly + 6);
    g.stroke();
    g.setLineDash([]);
    g.fillStyle = '#444';
    g.fillText(item.label, lx + 24, ly);
    lx += tw;
  }

  const right = spec.endLabels ? 108 : 10;
  const box = { l: 46, t: ly + 20, r: w - right, b: h - 22 };
  if (box.b - box.t < 30) box.t = box.b - 30;
  let xMax = spec.xMax || 1;
  let yMax = spec.yMax || 0;
  for (const line of spec.lines) {
    for (const x of line.xs) if (x > xMax) xMax = x;
    if (!spec.yMax) for (const y of line.ys) if (typeof y === 'number' && y > yMax) yMax = y;
  }
  if (!spec.yMax) {
    yMax = yMax > 0 ? yMax * 1.05 : 1;
    const st = niceStep(yMax, 4);
    yMax = Math.ceil(yMax / st) * st;
  }
  const X = (x) => box.l + (x / xMax) * (box.r - box.l);
  const Y = (y) => box.b - (y / yMax) * (box.b - box.t);

  // Axes and grid.
  g.strokeStyle = '#e4e1da';
  g.lineWidth = 1;
  g.fillStyle = '#5d6670';
  g.font = '10px system-ui, sans-serif';
  g.textAlign = 'right';
  g.textBaseline = 'middle';
  const ys = niceStep(yMax, 4);
  for (let v = 0; v <= yMax + 1e-9; v += ys) {
    const y = Math.round(Y(v)) + 0.5;
    g.beginPath();
    g.moveTo(box.l, y);
    g.lineTo(box.r, y);
    g.stroke();
    g.fillText(fmtAxis(v), box.l - 4, y);
  }
  g.textAlign = 'center';
  g.textBaseline = 'top';
  for (const [tick, text] of timeTicks(xMax, Math.max(2, Math.floor((box.r - box.l) / 70)))) {
    const x = Math.round(X(tick)) + 0.5;
    g.beginPath();
    g.moveTo(x, box.t);
    g.lineTo(x, box.b);
    g.stroke();
    const half = g.measureText(text).width / 2;
    g.textAlign = x + half > w - 2 ? 'right' : x - half < 2 ? 'left' : 'center';
    g.fillText(text, x, box.b + 4);
  }
  g.strokeStyle = '#9aa4ae';
  g.beginPath();
  g.moveTo(box.l, box.t);
  g.lineTo(box.l, box.b);
  g.lineTo(box.r, box.b);
  g.stroke();

  // Lines, broken where a value is missing.
  let drawn = 0;
  const ends = [];
  for (const line of spec.lines) {
    g.strokeStyle = line.color;
    g.fillStyle = line.color;
    g.lineWidth = line.width || 2;
    g.setLineDash(line.dash || []);
    g.lineJoin = 'round';
    g.beginPath();
    let pen = false;
    let points = 0;
    let last = null;
    for (let i = 0; i < line.xs.length; i++) {
      const y = line.ys[i];
      if (typeof y !== 'number') {
        pen = false;
        continue;
      }
      const px = X(line.xs[i]);
      const py = Y(Math.min(y, yMax));
      if (pen) g.lineTo(px, py);
      else g.moveTo(px, py);
      pen = true;
      points += 1;
      last = [px, py];
    }
    g.stroke();
    g.setLineDash([]);
    if (spec.dots || points === 1) {
      for (let i = 0; i < line.xs.length; i++) {
        const y = line.ys[i];
        if (typeof y !== 'number') continue;
        g.beginPath();
        g.arc(X(line.xs[i]), Y(Math.min(y, yMax)), 1.8, 0, Math.PI * 2);
        g.fill();
      }
    }
    if (points) drawn += 1;
    if (last && line.end) ends.push({ y: last[1], x: last[0], text: line.end, color: line.color });
  }

  // Labels at the ends of lines, pushed apart so they do not overlap.
  if (ends.length) {
    ends.sort((a, b) => a.y - b.y || (a.color < b.color ? -1 : 1));
    const merged = [];
    for (const e of ends) {
      const same = merged.find((m) => m.color === e.color && Math.abs(m.y - e.y) < 2);
      if (same) same.text += `, ${e.text.replace(/^[AB] /, '')}`;
      else merged.push({ ...e });
    }
    // Within the plot's height (below it the time axis has its labels), a
    // line apart where there is room, closer where there are many.
    const top = box.t + 5;
    const bottom = box.b - 3;
    const step = Math.max(9, Math.min(12, (bottom - top) / Math.max(1, merged.length - 1)));
    for (let i = 1; i < merged.length; i++) merged[i].y = Math.max(merged[i].y, merged[i - 1].y + step);
    const over = merged[merged.length - 1].y - bottom;
    if (over > 0) for (const e of merged) e.y -= over;
    for (let i = 0; i < merged.length; i++) merged[i].y = Math.max(merged[i].y, i ? merged[i - 1].y + step : top);
    g.font = '10px system-ui, sans-serif';
    g.textAlign = 'left';
    g.textBaseline = 'middle';
    const room = w - box.r - 6;
    for (const e of merged) {
      let text = e.text;
      while (text.length > 2 && g.measureText(text).width > room) text = text.slice(0, -2);
      if (text !== e.text) text = `${text}…`;
      g.fillStyle = e.color;
      g.fillText(text, box.r + 4, e.y);
    }
  }
  if (!drawn) {
    g.fillStyle = '#8a929a';
    g.font = 'italic 11px system-ui, sans-serif';
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    g.fillText('no data yet', (box.l + box.r) / 2, (box.t + box.b) / 2);
  }
  canvas.dataset.drawn = drawn;
}

function fmtAxis(v) {
  if (v >= 10000) return `${Math.round(v / 1000)}k`;
  if (v >= 1000) return `${(v / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  return Number.isInteger(v) ? String(v) : v.toFixed(2).replace(/0$/, '');
}

// Ticks for the x axis, labelled by the clock when it is known.
function timeTicks(xMax, n) {
  const sc = S.scenario;
  const mpt = sc ? sc.minutes_per_tick : 1;
  const start = S.startMinutes;
  if (start === null || !mpt) {
    const st = niceStep(xMax, n);
    const out = [];
    for (let t = 0; t <= xMax + 1e-9; t += st) out.push([t, `t${Math.round(t)}`]);
    return out;
  }
  const spanMin = xMax * mpt;
  const steps = [5, 10, 15, 30, 60, 120, 180, 240, 360, 720, 1440, 2880, 10080];
  const st = steps.find((s) => spanMin / s <= n) || 10080;
  const out = [];
  const first = Math.ceil(start / st) * st;
  for (let m = first; m <= start + spanMin + 1e-9; m += st) {
    const tick = (m - start) / mpt;
    const d = Math.floor(m / 1440) + 1;
    const hm = m - (d - 1) * 1440;
    const text = `${String(Math.floor(hm / 60)).padStart(2, '0')}:${String(Math.round(hm % 60)).padStart(2, '0')}`;
    out.push([tick, st >= 1440 || hm === 0 ? `d${d} ${text}` : text]);
  }
  return out;
}

function drawLiveCharts() {
  const s = S.series;
  if (!s) return;
  const xs = s.tick || [];
  const xMax = S.scenario ? S.scenario.ticks : 1;
  for (const c of CHARTS) {
    const lines = c.lines.map(([k, , color, dash]) => ({ xs, ys: s[k] || [], color, dash }));
    const legend = c.lines.length > 1 ? c.lines.map(([, label, color, dash]) => ({ label, color, dash })) : [];
    drawChart($(`chart-${c.id}`), { title: c.title, yMax: c.yMax, dots: c.dots, xMax, lines, legend });
  }
}

// Harm in a comparison: four lines a branch, not six (twelve lines in one
// chart are unreadable); the table under the charts has all six figures.
const CMP_HARM = {
  id: 'harm',
  title: 'Harm (cumulative); forces = police + soldiers',
  lines: [
    ['civilians_injured', 'civ. injured'],
    ['civilians_killed', 'civ. killed'],
    ['forces_injured', 'forces injured'],
    ['forces_killed', 'forces killed'],
  ],
};

function withForces(s) {
  const add = (a, b) => (a || []).map((v, i) => (typeof v === 'number' || typeof (b || [])[i] === 'number' ? (v || 0) + ((b || [])[i] || 0) : null));
  return { ...s, forces_injured: add(s.police_injured, s.soldiers_injured), forces_killed: add(s.police_killed, s.soldiers_killed) };
}

function drawCompareCharts() {
  const d = S.compared;
  if (!d || $('compare-view').hidden) return;
  const xMax = S.scenario ? S.scenario.ticks : 1;
  for (const c of CHARTS.map((c) => (c.id === 'harm' ? CMP_HARM : c))) {
    const lines = [];
    [d.a, d.b].forEach((side, k) => {
      const s = withForces(side.series || {});
      c.lines.forEach(([key, label], i) => {
        lines.push({
          xs: s.tick || [],
          ys: s[key] || [],
          color: CMP_COLORS[k],
          width: k ? 2 : 4,
          dash: DASHES[i % DASHES.length],
          end: c.lines.length > 1 ? `${k ? 'B' : 'A'} ${label}` : k ? 'B' : 'A',
        });
      });
    });
    const legend = c.lines.length > 1 ? c.lines.map(([, label], i) => ({ label, color: '#555', dash: DASHES[i % DASHES.length] })) : [];
    drawChart($(`cmp-${c.id}`), { title: c.title, yMax: c.yMax, dots: c.dots, xMax, lines, legend, endLabels: true });
  }
}

// ---------------------------------------------------------------------------
// Wiring

function wire() {
  $('play').addEventListener('click', () => play());
  $('pause').addEventListener('click', pause);
  $('step1').addEventListener('click', () => step(1));
  $('stepn').addEventListener('click', () => step(stepCount()));
  $('stepn-count').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') step(stepCount());
  });

  const slider = $('rewind-slider');
  const box = $('rewind-tick');
  slider.addEventListener('input', () => {
    box.value = slider.value;
    S.rewindDirty = true;
  });
  box.addEventListener('input', () => {
    slider.value = box.value;
    S.rewindDirty = true;
  });
  const rewind = () => {
    const t = Math.floor(Number(box.value));
    if (!Number.isFinite(t) || t < 0) {
      setStatus('Rewind: give a tick of 0 or more', 'error');
      return;
    }
    S.rewindDirty = false;
    act(`Rewound to tick ${t}`, () => post('/api/rewind', { tick: t }));
  };
  $('rewind-go').addEventListener('click', rewind);
  box.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') rewind();
  });

  $('inject-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const path = $('inject-path').value.trim();
    const raw = $('inject-value').value;
    if (!path) {
      $('inject-error').textContent = 'Give a path, e.g. civilians.legitimacy';
      $('inject-error').dataset.state = 'error';
      return;
    }
    inject(path, parseValue(raw));
  });

  $('branch-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const name = $('branch-name').value.trim();
    if (!name) {
      setStatus('New branch: give it a name', 'error');
      return;
    }
    act(`New branch ${name}`, () => post('/api/branch', { name })).then((st) => {
      if (st) $('branch-name').value = '';
    });
  });

  $('compare-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    compare($('compare-a').value, $('compare-b').value);
  });
  $('report').addEventListener('click', (ev) => {
    if ($('report').getAttribute('aria-disabled') === 'true') {
      ev.preventDefault();
      setStatus('After-action report: step at least one tick first', 'error');
    }
  });
  $('compare-close').addEventListener('click', () => {
    $('compare-view').hidden = true;
    $('compare-view').dataset.state = 'empty';
  });

  $('decision-dialog').addEventListener('cancel', (ev) => {
    // Escape: look at the map first; the run still waits for the choice.
    ev.preventDefault();
    deferDecision();
  });

  const map = $('map');
  map.addEventListener('mousemove', onMapMove);
  map.addEventListener('mouseleave', () => {
    $('map-tip').hidden = true;
    if (M.hover !== null) {
      M.hover = null;
      drawMap();
    }
  });

  // Space plays or pauses, the right arrow steps one tick; not while typing.
  document.addEventListener('keydown', (ev) => {
    const t = ev.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA' || t.tagName === 'BUTTON')) return;
    if ($('decision-dialog').open) return;
    if (ev.key === ' ') {
      ev.preventDefault();
      if (S.playing) pause();
      else play();
    } else if (ev.key === 'ArrowRight' && !S.playing && !$('step1').disabled) {
      ev.preventDefault();
      step(1);
    }
  });

  let resizing = 0;
  window.addEventListener('resize', () => {
    if (resizing) return;
    resizing = requestAnimationFrame(() => {
      resizing = 0;
      setHeaderHeight();
      drawMap();
      drawLiveCharts();
      drawCompareCharts();
    });
  });
}

function setHeaderHeight() {
  document.documentElement.style.setProperty('--header-h', `${$('top').offsetHeight}px`);
}

async function init() {
  wire();
  setHeaderHeight();
  updateControls();
  try {
    const [scenario, state] = await Promise.all([get('/api/scenario'), get('/api/state')]);
    S.scenario = scenario;
    $('scenario-name').textContent = scenario.name;
    $('scenario-name').title = scenario.description || '';
    buildGround();
    await exclusive(() => applyState(state, { branches: true }));
    setHeaderHeight();
    if (!state.pending_decision) setStatus(`Ready · ${describe(state)}`, 'info');
  } catch (e) {
    showError(e, 'Loading the exercise');
    document.body.dataset.state = 'error';
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
else init();
