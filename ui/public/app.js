// The skillforge dashboard's page: one EventSource (/api/events) keeps a copy of the hub's state and
// each view redraws from it; the library browser asks the JSON API. No framework: a handful of
// render functions over plain DOM. Requests carry the access token through the HttpOnly cookie the
// server set when this page loaded.
'use strict';

const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
};
const fmt = (n, d = 2) => (typeof n === 'number' ? n.toFixed(d) : '–');

const state = { title: 'skillforge', agents: [], decisions: [], robot: null, map: null, log: [] };

// ---------- views and navigation ----------
function show(view) {
  const name = ['live', 'library', 'decisions', 'robot', 'map'].includes(view) ? view : 'live';
  document.querySelectorAll('.view').forEach((v) => v.classList.toggle('active', v.id === `view-${name}`));
  document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.dataset.view === name));
  if (name === 'live') {
    drawTechPlot();
    drawEffortPlot();
  }
  if (name === 'library' && !$('#results').children.length) search('');
}
window.addEventListener('hashchange', () => show(location.hash.slice(1)));

// ---------- live updates ----------
function connect() {
  const source = new EventSource('/api/events');
  source.addEventListener('snapshot', (m) => {
    Object.assign(state, JSON.parse(m.data));
    $('#title').textContent = state.title;
    renderAll();
  });
  source.onmessage = (m) => apply(JSON.parse(m.data));
  source.onopen = () => setConn(true);
  source.onerror = () => setConn(false);
}
function setConn(on) {
  const c = $('#conn');
  c.textContent = on ? 'live' : 'disconnected';
  c.className = `pill ${on ? 'on' : 'off'}`;
  document.body.dataset.connected = on ? 'yes' : 'no';
}

function agentOf(name) {
  let a = state.agents.find((x) => x.name === name);
  if (!a) {
    a = { name, completed: 0, failed: 0, milestones: [], timeline: [] };
    state.agents.push(a);
  }
  return a;
}

// Redraws are coalesced: events only mark what changed, and a timer draws at most 4 times a second,
// so a fast learner's hundreds of events a second cost the page (and the machine) little.
const dirty = new Set();
let drawTimer = null;
function mark(...parts) {
  for (const p of parts) dirty.add(p);
  drawTimer ??= setTimeout(() => {
    drawTimer = null;
    const parts = [...dirty];
    dirty.clear();
    if (parts.includes('agents')) renderAgents();
    if (parts.includes('progress')) renderProgress();
    if (parts.includes('decisions')) renderDecisions();
    if (parts.includes('robot')) renderRobot();
    if (parts.includes('map')) renderMap();
    if (parts.includes('log')) renderLog();
  }, 250);
}

// Mirrors UiHub's bookkeeping so the page stays right between snapshots.
function apply(ev) {
  if (ev.kind === 'learner') {
    const a = agentOf(ev.agent);
    const e = ev.event;
    if (e.type === 'task') Object.assign(a, { task: e.task.description, iteration: e.iteration, primitive: undefined, round: undefined });
    else if (e.type === 'reuse') a.primitive = e.skill;
    else if (e.type === 'round') Object.assign(a, { round: e.round, primitive: e.skill });
    else if (e.type === 'done') {
      e.success ? a.completed++ : a.failed++;
      a.librarySize = e.librarySize;
      a.timeline.push({ iteration: a.iteration, task: e.task, success: e.success, rounds: e.rounds });
    } else if (e.type === 'milestone') a.milestones.push({ name: e.name, iteration: e.iteration, elapsedMs: e.elapsedMs });
    pushLog(ev);
    mark('agents');
    if (e.type === 'done' || e.type === 'milestone') mark('progress');
  } else if (ev.kind === 'decision') {
    state.decisions.push(ev.decision);
    if (state.decisions.length > 40) state.decisions.shift();
    const a = agentOf(ev.decision.agent);
    if (ev.decision.instruction) a.task = ev.decision.instruction;
    a.iteration = ev.decision.step;
    const chosen = ev.decision.bars.find((b) => b.chosen);
    if (chosen) a.primitive = chosen.text;
    pushLog(ev);
    mark('agents', 'decisions');
  } else if (ev.kind === 'progress') {
    const a = agentOf(ev.agent);
    const p = ev.progress;
    if (p.task !== undefined) a.task = p.task;
    if (p.iteration !== undefined) a.iteration = p.iteration;
    if (p.primitive !== undefined) a.primitive = p.primitive;
    if (p.outcome) {
      p.outcome.success ? a.completed++ : a.failed++;
      if (p.outcome.librarySize !== undefined) a.librarySize = p.outcome.librarySize;
      a.timeline.push({ iteration: a.iteration, task: a.task, success: p.outcome.success, rounds: p.outcome.rounds });
      pushLog(ev);
      mark('progress');
    }
    mark('agents');
  } else if (ev.kind === 'body') {
    agentOf(ev.agent).body = ev.body;
    mark('agents');
  } else if (ev.kind === 'robot') {
    state.robot = ev.robot;
    renderRobot(); // at once: the e-stop state must never lag
  } else if (ev.kind === 'map') {
    state.map = ev.map;
    mark('map');
  } else if (ev.kind === 'log') {
    pushLog(ev);
  }
}

function pushLog(ev) {
  pushLogCount();
  state.log.push(ev);
  if (state.log.length > 300) state.log.shift();
  mark('log');
}
// The log list is appended to (only new lines are built); it is rebuilt only from a snapshot.
let logShown = 0;
let logTotal = 0;
function pushLogCount() {
  logTotal++;
}
function renderLog(full = false) {
  const list = $('#log');
  if (full) {
    list.replaceChildren(...state.log.map(logLine));
    logShown = logTotal;
  } else {
    const fresh = Math.min(logTotal - logShown, state.log.length);
    list.append(...state.log.slice(state.log.length - fresh).map(logLine));
    logShown = logTotal;
    while (list.children.length > 300) list.firstChild.remove();
  }
  list.scrollTop = list.scrollHeight;
}
function logLine(ev) {
  const t = new Date(ev.time).toLocaleTimeString();
  let text = '';
  if (ev.kind === 'learner') {
    const e = ev.event;
    text = {
      task: () => `#${e.iteration} task: ${e.task.description}`,
      reuse: () => `reusing ${e.skill}`,
      round: () => `round ${e.round}: running ${e.skill}`,
      verdict: () => `round ${e.round} ${e.verdict.success ? 'passed' : `failed: ${(e.error || e.verdict.critique || '').split('\n')[0]}`}`,
      stored: () => `stored ${e.skill} v${e.version}${e.created ? '' : ' (existing)'}`,
      verified: () => `verified ${e.skill} v${e.version}`,
      done: () => `${e.success ? 'OK' : 'FAIL'} ${e.task} (${e.rounds} rounds; library ${e.librarySize})`,
      milestone: () => `★ milestone ${e.name} at iteration ${e.iteration}`,
    }[e.type]?.() ?? e.type;
  } else if (ev.kind === 'decision') {
    const d = ev.decision;
    const c = d.bars.find((b) => b.chosen);
    text = `step ${d.step}: ${c ? c.text : '?'}${d.outcome ? (d.outcome.success ? ' ✓' : ` ✗ ${d.outcome.error ?? ''}`) : ''}`;
  } else if (ev.kind === 'progress') {
    const p = ev.progress;
    text = `${p.outcome ? (p.outcome.success ? 'OK' : 'FAIL') : ''} #${p.iteration ?? ''} ${p.task ?? ''}${p.outcome ? ` (${p.outcome.rounds} decisions)` : ''}`;
  } else text = ev.text;
  return el('li', { text: `${t} [${ev.agent ?? ev.decision?.agent ?? ''}] ${text}` });
}

// ---------- live agent ----------
function meter(value, max, cls) {
  const m = el('div', { class: `meter ${cls}` }, el('span'));
  m.firstChild.style.width = `${Math.max(0, Math.min(100, (100 * value) / max))}%`;
  return m;
}
function kv(k, v) {
  return el('div', {}, el('div', { class: 'k', text: k }), typeof v === 'string' || typeof v === 'number' ? el('div', { class: 'v', text: String(v) }) : v);
}
function renderAgents() {
  const box = $('#agents');
  box.replaceChildren();
  if (state.agents.length === 0) box.append(el('div', { class: 'panel muted', text: 'No agent is reporting yet.' }));
  for (const a of state.agents) {
    const b = a.body ?? {};
    const inv = Object.entries(b.inventory ?? {});
    const grid = el('div', { class: 'agent' },
      kv('current task', el('div', { class: 'v', id: `task-${a.name}`, 'data-testid': 'task', text: a.task ?? '–' })),
      kv('iteration / step', a.iteration ?? '–'),
      kv('skill / primitive', el('div', { class: 'v', 'data-testid': 'primitive', text: a.primitive ?? '–' })),
      kv('completed / failed', `${a.completed} / ${a.failed}`),
      b.health !== undefined ? kv(`health ${fmt(b.health, 1)} / 20`, meter(b.health, 20, 'health')) : null,
      b.food !== undefined ? kv(`hunger ${fmt(b.food, 1)} / 20`, meter(b.food, 20, 'food')) : null,
      b.position ? kv('position', `${fmt(b.position.x, 1)}, ${fmt(b.position.y, 1)}, ${fmt(b.position.z, 1)}`) : null,
      b.summary ? kv('state', b.summary) : null,
      a.librarySize !== undefined ? kv('library', `${a.librarySize} skills`) : null,
      inv.length ? kv('inventory', el('div', { text: inv.map(([k, n]) => `${k} ×${n}`).join(', ') })) : null,
    );
    box.append(el('div', { class: 'panel' }, el('h2', { text: a.name }), grid));
  }
}

const TIERS = ['none', 'wooden tool', 'stone tool', 'iron tool', 'diamond tool'];
// Voyager's published iterations to each tier (mean, ± spread) — the reference line.
const VOYAGER = [[6, 2], [11, 2], [21, 7]];
let plot = null;
function tierSeries(a, xs) {
  const reached = a.milestones.map((m) => [m.iteration, TIERS.indexOf(m.name)]).filter(([, t]) => t > 0);
  return xs.map((x) => Math.max(0, ...reached.filter(([i]) => i <= x).map(([, t]) => t)));
}
function drawTechPlot() {
  // Tech-tree tiers are Minecraft's: other runs (kitchen, robot) show the plot only once a milestone exists.
  const relevant = /minecraft/i.test(state.title) || state.agents.some((a) => a.milestones.length);
  $('#techrow').style.display = relevant ? '' : 'none';
  const box = $('#techplot');
  if (!box.offsetParent || typeof uPlot === 'undefined') return;
  const last = Math.max(25, ...state.agents.map((a) => a.iteration ?? 0));
  const xs = Array.from({ length: last + 1 }, (_, i) => i);
  const voyager = xs.map((x) => VOYAGER.filter(([m]) => m <= x).length);
  const lo = xs.map((x) => VOYAGER.filter(([m, s]) => m - s <= x).length);
  const hi = xs.map((x) => VOYAGER.filter(([m, s]) => m + s <= x).length);
  const agents = state.agents.filter((a) => a.milestones.length || a.timeline.length);
  const data = [xs, voyager, lo, hi, ...agents.map((a) => tierSeries(a, xs))];
  const colors = ['#7a4fd1', '#1f9d55', '#d64545', '#e59a1b'];
  const opts = {
    width: Math.max(320, box.clientWidth - 10),
    height: 240,
    scales: { x: { time: false }, y: { range: [0, 4] } },
    axes: [{ label: 'iteration' }, { label: 'tier', values: (_u, vals) => vals.map((v) => (Number.isInteger(v) ? TIERS[v] ?? '' : '')), size: 90 }],
    series: [
      {},
      { label: 'Voyager (published)', stroke: '#888', dash: [6, 4], paths: uPlot.paths.stepped({ align: 1 }) },
      { label: 'Voyager −spread', stroke: '#ccc', paths: uPlot.paths.stepped({ align: 1 }) },
      { label: 'Voyager +spread', stroke: '#ccc', paths: uPlot.paths.stepped({ align: 1 }) },
      ...agents.map((a, i) => ({ label: a.name, stroke: colors[i % colors.length], width: 2, paths: uPlot.paths.stepped({ align: 1 }) })),
    ],
  };
  // Same series as last time: new data only (rebuilding a chart costs far more than updating it).
  const key = opts.series.map((x) => x.label ?? '').join('|') + opts.width;
  if (plot && plot.key === key) return plot.setData(data);
  plot?.destroy();
  box.replaceChildren();
  plot = new uPlot(opts, data, box);
  plot.key = key;
}
let effort = null;
function drawEffortPlot() {
  const box = $('#effortplot');
  if (!box.offsetParent || typeof uPlot === 'undefined') return;
  const agents = state.agents.filter((a) => a.timeline.length);
  if (!agents.length) return;
  const n = Math.max(...agents.map((a) => a.timeline.length));
  const xs = Array.from({ length: n }, (_, i) => i + 1);
  const data = [xs, ...agents.map((a) => xs.map((x) => a.timeline[x - 1]?.rounds ?? null))];
  const colors = ['#7a4fd1', '#1f9d55', '#d64545', '#e59a1b'];
  const width = Math.max(320, box.clientWidth - 10);
  const key = agents.map((a) => a.name).join('|') + width;
  if (effort && effort.key === key) return effort.setData(data);
  effort?.destroy();
  box.replaceChildren();
  effort = new uPlot({
    width, height: 180,
    scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
    axes: [{ label: 'task (in order)' }, { label: 'rounds / decisions' }],
    series: [{}, ...agents.map((a, i) => ({ label: a.name, stroke: colors[i % colors.length], width: 2 }))],
  }, data, box);
  effort.key = key;
}

function renderProgress() {
  const ms = $('#milestones');
  ms.replaceChildren();
  for (const a of state.agents) for (const m of a.milestones) ms.append(el('li', { text: `${m.name}: iteration ${m.iteration} (${Math.round(m.elapsedMs / 1000)} s)${state.agents.length > 1 ? ` — ${a.name}` : ''}` }));
  if (!ms.children.length) ms.append(el('li', { class: 'muted', text: 'none yet' }));
  const tl = $('#timeline');
  const all = state.agents.flatMap((a) => a.timeline);
  if (tl.children.length > all.length) tl.replaceChildren();
  tl.append(...all.slice(tl.children.length).map((t) => el('span', { class: t.success ? 'ok' : 'fail', title: `#${t.iteration} ${t.task}: ${t.success ? 'ok' : 'failed'} in ${t.rounds} rounds` })));
  drawTechPlot();
  drawEffortPlot();
}

// ---------- decisions ----------
function renderDecisions() {
  const box = $('#decisions');
  box.replaceChildren();
  if (!state.decisions.length) return box.append(el('p', { class: 'muted', text: 'No SayCan decisions in this run yet.' }));
  box.append(el('div', { class: 'legend' }, ...[['say', 'Say'], ['can', 'Can'], ['prod', 'Say × Can']].map(([c, t]) => el('span', {}, el('i', { class: c }), t))));
  box.querySelectorAll('.legend i').forEach((i) => (i.style.background = getComputedStyle(document.documentElement).getPropertyValue(`--${i.className}`)));
  for (const d of state.decisions.slice().reverse()) {
    const rows = d.bars.map((b) => {
      const bars = el('div', { class: 'bars' }, el('div', { class: 'say', title: `Say ${fmt(b.say, 3)}` }), el('div', { class: 'can', title: `Can ${fmt(b.can, 3)}` }), el('div', { class: 'prod', title: `Say × Can ${fmt(b.score, 3)}` }));
      bars.children[0].style.width = `${100 * Math.min(1, b.say)}%`;
      bars.children[1].style.width = `${100 * Math.min(1, b.can)}%`;
      bars.children[2].style.width = `${100 * Math.min(1, b.score)}%`;
      return el('div', { class: `cand${b.chosen ? ' chosen' : ''}`, 'data-say': b.say, 'data-can': b.can, 'data-score': b.score },
        el('div', { class: 'label', text: `${b.text}  (${fmt(b.say, 2)} × ${fmt(b.can, 2)} = ${fmt(b.score, 3)})` }), bars);
    });
    const outcome = d.outcome ? (d.outcome.success ? el('span', { class: 'ok', text: ' ✓ succeeded' }) : el('span', { class: 'bad', text: ` ✗ ${d.outcome.error ?? 'failed'}` })) : el('span', { class: 'muted', text: ' (done)' });
    box.append(el('div', { class: 'step', 'data-step': d.step },
      el('h2', {}, `${d.agent} — step ${d.step}${d.instruction ? `: “${d.instruction}”` : ''}`, outcome),
      el('div', { class: 'muted', text: `${d.candidates} candidates, Say by ${d.sayMethod}` }), ...rows));
  }
}

// ---------- robot ----------
function renderRobot() {
  const r = state.robot;
  const box = $('#robot');
  const button = $('#estop');
  if (!r) return;
  box.replaceChildren(el('h2', { text: `Robot ${r.name}${r.simulated ? ' (simulated)' : ''}${r.dryRun ? ' — DRY RUN' : ''}` }),
    el('dl', { class: 'kv' },
      el('dt', { text: 'connection' }), el('dd', { class: r.connected ? 'ok' : 'bad', 'data-testid': 'connection', text: r.connected ? 'connected' : 'disconnected' }),
      el('dt', { text: 'e-stop' }), el('dd', { class: r.estop.latched ? 'bad' : 'ok', 'data-testid': 'estop', text: r.estop.latched ? `LATCHED (${r.estop.reason ?? ''})` : 'released' }),
      el('dt', { text: 'watchdog' }), el('dd', { text: `period ${r.watchdog.periodMs} ms; tripped ${r.watchdog.trips}×${r.watchdog.lastStallMs ? ` (last stall ${r.watchdog.lastStallMs} ms)` : ''}` }),
      el('dt', { text: 'velocity clamps' }), el('dd', { text: `≤ ${r.clamps.maxLinear} m/s, ≤ ${r.clamps.maxAngular} rad/s; ${r.clamps.clamped} commands clamped` }),
      el('dt', { text: 'geofence' }), el('dd', { text: `${r.geofence.polygon.length}-corner polygon; ${r.geofence.refused} goals refused` }),
      r.lastRefusal ? el('dt', { text: 'last refusal' }) : null, r.lastRefusal ? el('dd', { text: r.lastRefusal }) : null));
  button.disabled = !r.canEstop;
  button.classList.toggle('latched', r.estop.latched);
  $('#estop-state').textContent = r.estop.latched ? 'e-stop latched' : 'press to stop the robot';
}
// The e-stop acts on press (pointerdown), not on release; a click (keyboard, or a press the page
// missed) sends it too. Sending twice is harmless: the e-stop latches.
let estopSentAt = 0;
function sendEstop() {
  estopSentAt = performance.now();
  fetch('/api/action/estop', { method: 'POST' }).then((r) => ($('#estop-state').textContent = r.ok ? 'e-stop sent' : `e-stop refused (${r.status})`));
}
$('#estop').addEventListener('pointerdown', sendEstop);
$('#estop').addEventListener('click', () => {
  if (performance.now() - estopSentAt > 500) sendEstop();
});

// ---------- library ----------
async function api(path) {
  const r = await fetch(path);
  const body = await r.json();
  if (!r.ok) throw new Error(body.error ?? r.statusText);
  return body;
}
async function search(q) {
  const list = $('#results');
  try {
    const hits = await api(`/api/skills?q=${encodeURIComponent(q)}&k=30`);
    list.replaceChildren(...hits.map((h) => el('li', { 'data-name': h.name, onclick: () => openSkill(h.name) },
      h.score !== undefined ? el('span', { class: 'score', text: fmt(h.score, 3) }) : null,
      el('strong', { text: h.name }), ' ', el('span', { class: `status ${h.status}`, text: h.status }),
      el('div', { class: 'muted', text: `v${h.version} · ${h.env} · ${h.successRate === null ? 'not run yet' : `${Math.round(100 * h.successRate)}% of ${h.attempts}`}` }))));
    if (!hits.length) list.append(el('li', { class: 'muted', text: q ? 'no skill matches' : 'the library is empty' }));
  } catch (err) {
    list.replaceChildren(el('li', { class: 'bad', text: String(err.message) }));
  }
}
$('#search').addEventListener('submit', (e) => {
  e.preventDefault();
  search($('#query').value);
});

const KW = /\b(async|await|function|const|let|var|return|if|else|for|while|of|in|new|throw|try|catch|finally|true|false|null|undefined|break|continue)\b/;
function highlight(code) {
  // One pass over comments, strings, numbers and keywords; everything else is plain text.
  const pre = el('pre', { class: 'code' });
  const re = /(\/\/[^\n]*|\/\*[\s\S]*?\*\/)|('(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|`(?:\\.|[^`\\])*`)|(\b\d+(?:\.\d+)?\b)|(\b[A-Za-z_]\w*\b)/g;
  let last = 0;
  for (const m of code.matchAll(re)) {
    if (m.index > last) pre.append(code.slice(last, m.index));
    const cls = m[1] ? 'com' : m[2] ? 'str' : m[3] ? 'num' : KW.test(m[4]) && m[4].match(KW)[0] === m[4] ? 'kw' : null;
    pre.append(cls ? el('span', { class: cls, text: m[0] }) : m[0]);
    last = m.index + m[0].length;
  }
  pre.append(code.slice(last));
  return pre;
}
async function openSkill(name) {
  document.querySelectorAll('#results li').forEach((li) => li.classList.toggle('sel', li.dataset.name === name));
  const box = $('#skill');
  const d = await api(`/api/skills/${encodeURIComponent(name)}`);
  const pick = el('select', {}, ...d.versions.map((v) => el('option', { value: v.version, text: `v${v.version} (${v.status})` })));
  const body = el('div');
  const render = () => {
    const v = d.versions.find((x) => String(x.version) === pick.value) ?? d.versions[0];
    const s = v.stats;
    body.replaceChildren(
      el('p', { text: v.description }),
      el('dl', { class: 'kv' },
        el('dt', { text: 'status' }), el('dd', {}, el('span', { class: `status ${v.status}`, text: v.status })),
        ...v.trust.flatMap((t) => [el('dt', { text: `trusted by ${t.agent}` }), el('dd', { text: t.status })]),
        el('dt', { text: 'source' }), el('dd', { text: v.provenance.source ?? 'written here' }),
        el('dt', { text: 'written by' }), el('dd', { text: `${v.provenance.agent}${v.provenance.model ? ` with ${v.provenance.model}` : ''}, ${v.provenance.createdAt}` }),
        el('dt', { text: 'parent version' }), el('dd', { text: v.provenance.parent ? `v${v.provenance.parent}` : '–' }),
        el('dt', { text: 'success' }), el('dd', { text: s.attempts ? `${s.successes} / ${s.attempts} runs (${Math.round((100 * s.successes) / s.attempts)}%), mean ${Math.round(s.meanDurationMs)} ms` : 'not run yet' }),
        s.lastError ? el('dt', { text: 'last error' }) : null, s.lastError ? el('dd', { class: 'bad', text: s.lastError }) : null,
        el('dt', { text: 'hash' }), el('dd', { text: v.hash.slice(0, 16) }),
        el('dt', { text: 'depends on' }), el('dd', { text: v.dependencies.join(', ') || '–' })),
      el('h2', { text: 'Code' }), highlight(v.code));
    const older = d.versions.find((x) => x.version < v.version);
    if (older) {
      const diffBox = el('div', { class: 'diff' });
      body.append(el('h2', { text: `Diff v${older.version} → v${v.version}` }), diffBox);
      api(`/api/skills/${encodeURIComponent(name)}/diff?from=${older.version}&to=${v.version}`).then((df) =>
        diffBox.replaceChildren(...df.lines.map((l) => el('div', { class: l.op === '+' ? 'add' : l.op === '-' ? 'del' : '', text: `${l.op} ${l.text}` }))));
    }
  };
  pick.addEventListener('change', render);
  box.replaceChildren(el('h2', {}, `${d.name} `, pick), body);
  render();
}

// ---------- world map ----------
function colorOf(name) {
  if (name === 'air' || name === 'cave_air') return '#f6f7f9';
  const fixed = { grass_block: '#5f9e3a', dirt: '#866043', stone: '#7d7d7d', water: '#3f76e4', sand: '#dbd3a0', oak_log: '#6b5132', oak_leaves: '#3e8a2c', birch_log: '#d7d3c7', birch_leaves: '#5f8f3a', gravel: '#8a8280', coal_ore: '#3a3a3a', iron_ore: '#c8a88c', snow: '#f0f4f8', lava: '#e25a0c', cobblestone: '#6d6d6d' };
  if (fixed[name]) return fixed[name];
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return `hsl(${h} 35% 55%)`;
}
function renderMap() {
  const m = state.map;
  if (!m) return;
  $('#map-note').textContent = `${m.agent}: ${m.cells.length}×${m.cells[0]?.length ?? 0} blocks around (${Math.round(m.bot.x)}, ${Math.round(m.bot.z)}); the highest block of each column`;
  const canvas = $('#mapcanvas');
  const ctx = canvas.getContext('2d');
  const n = m.cells.length;
  const size = Math.floor(canvas.width / Math.max(1, n));
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  m.cells.forEach((row, r) => row.forEach((p, c) => {
    ctx.fillStyle = colorOf(m.palette[p] ?? 'air');
    ctx.fillRect(c * size, r * size, size, size);
  }));
  const at = (x, z) => [(x - m.origin.x) * size, (z - m.origin.z) * size];
  for (const mob of m.mobs) {
    const [x, y] = at(mob.x, mob.z);
    ctx.fillStyle = mob.hostile ? '#d64545' : '#f2c200';
    ctx.beginPath(); ctx.arc(x, y, size * 0.7, 0, 2 * Math.PI); ctx.fill();
  }
  const [bx, by] = at(m.bot.x, m.bot.z);
  ctx.fillStyle = '#1d232b';
  ctx.beginPath(); ctx.arc(bx, by, size, 0, 2 * Math.PI); ctx.fill();
  ctx.strokeStyle = '#fff'; ctx.lineWidth = 2; ctx.stroke();
  canvas.dataset.bot = `${Math.round(m.bot.x)},${Math.round(m.bot.z)}`;
}

function renderAll() {
  renderLog(true);
  renderAgents();
  renderProgress();
  renderDecisions();
  renderRobot();
  renderMap();
}

show(location.hash.slice(1));
connect();
