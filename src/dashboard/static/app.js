// The dashboard page: a fleet view and a canary view, kept live by the server's event stream (read with fetch,
// so that it can carry the viewer's token). Plain DOM, no framework: text is always set as text, never as HTML.
const TOKEN_KEY = 'flagger-dashboard-token';
const $ = id => document.getElementById(id);
const state = { rows: [], config: undefined, shown: undefined };

/** Creates an element with attributes and children (strings become text). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  node.append(...children.filter(c => c !== undefined && c !== null));
  return node;
}

class Unauthorized extends Error {}

async function api(path, options = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = { ...(options.headers ?? {}) };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, { ...options, headers });
  if (response.status === 401) throw new Unauthorized((await response.json()).error);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ?? response.statusText);
  return body;
}

function askForToken(message) {
  $('token-form').hidden = false;
  $('main').hidden = true;
  $('token-error').textContent = message ?? '';
  $('token').focus();
}

$('token-form').addEventListener('submit', event => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
  $('token').value = '';
  $('token-form').hidden = true;
  $('main').hidden = false;
  void start();
});

function notice(text) {
  $('notice').replaceChildren(el('p', {}, text));
  setTimeout(() => $('notice').replaceChildren(), 8000);
}

function age(iso) {
  if (!iso) return '';
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 120) return `${Math.round(s)}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

function weightBar(weight) {
  const fill = el('span');
  fill.style.width = `${Math.min(100, Math.max(0, weight))}%`;
  return el('span', { class: 'bar', role: 'img', 'aria-label': `canary weight ${weight}%` }, fill);
}

const phaseText = phase => el('span', { class: `phase phase-${phase}` }, phase);

/** Keeps a select's options to the values present, leaving the user's choice alone. */
function syncOptions(select, values) {
  const chosen = select.value;
  select.replaceChildren(
    el('option', { value: '' }, 'all'),
    ...values.map(v => el('option', { value: v }, v)),
  );
  select.value = values.includes(chosen) ? chosen : '';
}

function renderFleet() {
  const unique = key => [...new Set(state.rows.map(r => r[key]))].sort();
  syncOptions($('filter-namespace'), unique('namespace'));
  syncOptions($('filter-phase'), unique('phase'));
  const ns = $('filter-namespace').value;
  const phase = $('filter-phase').value;
  const text = $('filter-text').value.trim().toLowerCase();
  const rows = state.rows.filter(
    r =>
      (!ns || r.namespace === ns) &&
      (!phase || r.phase === phase) &&
      (!text || `${r.namespace}/${r.name}`.toLowerCase().includes(text)),
  );
  $('fleet-count').textContent = `${rows.length} of ${state.rows.length} canaries`;
  $('fleet-rows').replaceChildren(
    ...rows.map(r =>
      el(
        'tr',
        { 'data-canary': `${r.namespace}/${r.name}` },
        el(
          'td',
          {},
          el(
            'a',
            { href: `#/canary/${encodeURIComponent(r.namespace)}/${encodeURIComponent(r.name)}` },
            r.name,
          ),
        ),
        el('td', {}, r.namespace),
        el('td', {}, phaseText(r.phase), r.paused ? ' (paused)' : ''),
        el('td', {}, weightBar(r.weight), `${r.weight}%`),
        el('td', {}, r.step ? `${r.step.current} of ${r.step.of}` : '–'),
        el('td', {}, `${r.failedChecks} / ${r.threshold}`),
        el('td', {}, el('time', { datetime: r.created, title: r.created }, age(r.created))),
      ),
    ),
  );
}
for (const id of ['filter-namespace', 'filter-phase', 'filter-text'])
  $(id).addEventListener('input', renderFleet);

function table(headers, rows, empty) {
  if (rows.length === 0) return el('p', { class: 'muted' }, empty);
  return el(
    'table',
    {},
    el('thead', {}, el('tr', {}, ...headers.map(h => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, ...rows.map(cells => el('tr', {}, ...cells.map(c => el('td', {}, c ?? ''))))),
  );
}

function weightChart(points) {
  if (points.length === 0) return el('p', { class: 'muted' }, 'no change seen since the dashboard started');
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('class', 'chart');
  svg.setAttribute('viewBox', '0 0 400 100');
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('role', 'img');
  const last = points[points.length - 1];
  svg.setAttribute('aria-label', `canary weight over time, now ${last.weight}% (${last.phase})`);
  const t0 = Date.parse(points[0].at);
  const span = Math.max(1, Date.now() - t0);
  const xy = [];
  let previous = 0;
  for (const p of points) {
    const x = ((Date.parse(p.at) - t0) / span) * 400;
    xy.push(`${x},${95 - previous * 0.9}`, `${x},${95 - p.weight * 0.9}`);
    previous = p.weight;
  }
  xy.push(`400,${95 - previous * 0.9}`);
  const line = document.createElementNS(ns, 'polyline');
  line.setAttribute('points', xy.join(' '));
  svg.append(line);
  return svg;
}

const seconds = ms => `${Math.round(ms / 1000)}s`;

function renderCanary(view) {
  const d = view.description;
  const phase = d.canary.status?.phase ?? 'Initializing';
  $('canary-title').textContent = `${d.name} in ${d.namespace}`;
  $('canary-summary').replaceChildren(phaseText(phase), d.current ? ` · ${d.current}` : '');
  renderActions(view, d);
  $('weights').replaceChildren(weightChart(view.weights));
  $('plan').replaceChildren(
    table(
      ['Tick', 'At', 'Action', 'Traffic (primary/canary)', 'Phase', 'Event'],
      d.plan.ticks.map(t => [
        String(t.tick),
        seconds(t.atMs),
        t.step ? `${t.action} ${t.step}` : t.action,
        `${t.routes.primaryWeight}/${t.routes.canaryWeight}`,
        t.phase,
        t.event ?? t.note ?? '',
      ]),
      'no analysis steps',
    ),
  );
  $('checks').replaceChildren(
    table(
      ['Metric', 'Value', 'Range', 'Verdict', 'Message', 'Time'],
      d.metricChecks.map(c => [
        c.metric,
        c.value === undefined ? '' : String(c.value),
        `${c.min ?? '−∞'} … ${c.max ?? '∞'}`,
        c.verdict,
        c.message ?? '',
        c.time,
      ]),
      'no metric checks in this run',
    ),
  );
  $('conditions').replaceChildren(
    table(
      ['Type', 'Status', 'Reason', 'Message'],
      d.conditions.map(c => [c.type, c.status, c.reason ?? '', c.message ?? c.meaning ?? '']),
      'none',
    ),
  );
  $('events').replaceChildren(
    table(
      ['Type', 'Reason', 'Message', 'Count', 'Last seen'],
      d.events.map(e => [e.type, e.reason, e.message, String(e.count), e.lastSeen]),
      'no events (or no right to read them)',
    ),
  );
  $('objects').replaceChildren(
    table(
      ['Kind', 'Name', 'Role', 'State'],
      d.objects.map(o => [o.kind, o.name, o.role, o.state]),
      'none readable',
    ),
  );
  $('config').textContent = JSON.stringify(d.canary.spec, null, 2);
}

const ACTIONS = [
  { verb: 'promote', label: 'Promote step', asks: 'run the next analysis step now' },
  {
    verb: 'promote',
    full: true,
    label: 'Promote now',
    asks: 'promote the current revision now, without more analysis',
  },
  { verb: 'abort', label: 'Abort', asks: 'roll the current release back now', danger: true },
  { verb: 'pause', label: 'Pause', asks: 'pause the canary until it is resumed' },
  { verb: 'resume', label: 'Resume', asks: 'resume the canary' },
  { verb: 'retry', label: 'Retry', asks: 'start the analysis of the current revision over' },
];

function renderActions(view, d) {
  const box = $('actions');
  if (state.config?.readOnly || !view.mayAct) {
    box.replaceChildren(
      el(
        'p',
        { class: 'muted' },
        state.config?.readOnly ? 'read-only dashboard' : 'you may not change this canary',
      ),
    );
    return;
  }
  box.replaceChildren(
    ...ACTIONS.map(a =>
      el(
        'button',
        {
          type: 'button',
          class: a.danger ? 'danger' : '',
          'data-action': a.full ? 'promote-full' : a.verb,
          onclick: () => confirmAction(d, a),
        },
        a.label,
      ),
    ),
  );
}

function confirmAction(d, action) {
  const dialog = $('confirm');
  $('confirm-text').textContent = `Ask Flagger to ${action.asks} for ${d.name} in ${d.namespace}?`;
  dialog.onclose = async () => {
    if (dialog.returnValue !== 'ok') return;
    const query = action.full ? '?full=true' : '';
    const path = `/api/canaries/${encodeURIComponent(d.namespace)}/${encodeURIComponent(d.name)}/${action.verb}${query}`;
    try {
      const result = await api(path, {
        method: 'POST',
        headers: { 'X-Flagger-Dashboard': '1', 'Content-Type': 'application/json' },
        body: '{}',
      });
      notice(`${d.name}: ${result.notes.join('; ')}`);
      await showCanary(d.namespace, d.name);
    } catch (err) {
      notice(`${d.name}: ${err.message}`);
    }
  };
  dialog.showModal();
}

async function showCanary(namespace, name) {
  try {
    renderCanary(await api(`/api/canaries/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`));
  } catch (err) {
    if (err instanceof Unauthorized) return askForToken(err.message);
    $('canary-title').textContent = `${name} in ${namespace}`;
    $('canary-summary').textContent = err.message;
  }
}

function route() {
  const match = /^#\/canary\/([^/]+)\/([^/]+)$/.exec(location.hash);
  state.shown = match
    ? { namespace: decodeURIComponent(match[1]), name: decodeURIComponent(match[2]) }
    : undefined;
  $('fleet').hidden = state.shown !== undefined;
  $('canary').hidden = state.shown === undefined;
  if (state.shown) void showCanary(state.shown.namespace, state.shown.name);
  else renderFleet();
}
window.addEventListener('hashchange', () => {
  route();
  $('main').focus();
});

/** Reads the server's event stream; reconnects after a second when it ends. */
async function listen() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  try {
    const response = await fetch('/api/stream', {
      headers: token ? { Authorization: `Bearer ${token}` } : {},
    });
    if (response.status === 401) return askForToken((await response.json()).error);
    if (!response.ok) throw new Error((await response.json()).error);
    $('live-state').textContent = 'live';
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        onMessage(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  } catch (err) {
    $('live-state').textContent = `disconnected: ${err.message}`;
  }
  $('live-state').textContent = 'reconnecting…';
  setTimeout(() => void listen(), 1000);
}

function onMessage(message) {
  const data = message
    .split('\n')
    .filter(l => l.startsWith('data: '))
    .map(l => l.slice(6))
    .join('\n');
  if (!message.startsWith('event: fleet') || !data) return;
  const before = JSON.stringify(state.rows);
  state.rows = JSON.parse(data);
  document.body.dataset.updated = String(Date.now());
  if (!state.shown) renderFleet();
  else if (before !== JSON.stringify(state.rows)) void showCanary(state.shown.namespace, state.shown.name);
}

async function start() {
  try {
    state.config = await api('/api/config');
  } catch (err) {
    if (err instanceof Unauthorized) return askForToken(err.message);
    $('live-state').textContent = err.message;
    return;
  }
  $('user').textContent = state.config.user ? `as ${state.config.user}` : '';
  route();
  void listen();
}

void start();
