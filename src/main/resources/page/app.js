// pgcreds status page: plain JavaScript, no library, no external request. The token lives in this
// tab's sessionStorage only and goes out in the Authorization header, never in a URL or a cookie.
// Live news comes over Server-Sent Events read with fetch() (EventSource cannot send the header);
// polled answers are asked for with If-None-Match, so an unchanged one costs a 304.
'use strict';
(() => {
  const TOKEN_KEY = 'pgcreds.token';
  const SVG = 'http://www.w3.org/2000/svg';
  const ALL_TABLE_PRIVILEGES = ['DELETE', 'INSERT', 'REFERENCES', 'SELECT', 'TRIGGER', 'TRUNCATE', 'UPDATE'];
  const COLUMNS = ['status', 'name', 'role', 'tls', 'pool', 'latency', 'use', 'generation', 'state', 'reload'];
  const SOURCE_NAMES = {'env-file': 'Env file', 'heroku-api': 'Platform API'};
  const $ = (id) => document.getElementById(id);
  const state = {
    token: sessionStorage.getItem(TOKEN_KEY),
    health: null, credentials: null, history: null,
    events: new Map(), lastEventId: null,
    etags: new Map(), bodies: new Map(), rows: new Map(), timers: {}, optional: {},
    intervalMs: 2000, stepSeconds: 5, stream: null, streamRetry: 1000, watchdog: null, rendered: false
  };

  // --- DOM helpers ---------------------------------------------------------------------------
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function svg(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    return node;
  }
  function setText(node, value) {
    const text = value == null ? '' : String(value);
    if (node.textContent !== text) node.textContent = text;
  }
  function setAttr(node, name, value) {
    if (node.getAttribute(name) !== value) node.setAttribute(name, value);
  }
  function setClass(node, value) {
    if (node.getAttribute('class') !== value) node.setAttribute('class', value);
  }
  function icon(name) {
    const node = svg('svg', {class: 'icon', 'aria-hidden': 'true'});
    node.appendChild(svg('use', {href: '#i-' + name}));
    return node;
  }
  /** A status badge: an icon and a word, so that colour is never the only sign. */
  function badge() {
    const node = el('span', 'badge unknown');
    node.append(icon('wait'), el('span'));
    return node;
  }
  function setBadge(node, kind, iconName, label) {
    setClass(node, 'badge ' + kind);
    setAttr(node.querySelector('use'), 'href', '#i-' + iconName);
    setText(node.lastElementChild, label);
  }
  function clock(iso) {
    return iso ? new Date(iso).toLocaleTimeString([], {hour12: false}) : '';
  }
  function ago(iso) {
    if (!iso) return '';
    const seconds = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
    if (seconds < 60) return seconds + ' s ago';
    if (seconds < 3600) return Math.floor(seconds / 60) + ' min ago';
    if (seconds < 86400) return Math.floor(seconds / 3600) + ' h ago';
    return Math.floor(seconds / 86400) + ' d ago';
  }
  function timeNode(iso) {
    const node = el('time');
    setTime(node, iso);
    return node;
  }
  function setTime(node, iso) {
    setAttr(node, 'datetime', iso || '');
    node.dataset.at = iso || '';
    setAttr(node, 'title', iso ? new Date(iso).toLocaleString() : '');
    setText(node, iso ? ago(iso) : '–');
  }

  // --- the API -------------------------------------------------------------------------------
  /** GET with the token when {@code authed}, and If-None-Match when the answer was seen before. */
  async function get(path, authed) {
    const headers = {Accept: 'application/json'};
    if (authed) {
      if (!state.token) return {status: 0, body: null};
      headers.Authorization = 'Bearer ' + state.token;
    }
    const tag = state.etags.get(path);
    if (tag) headers['If-None-Match'] = tag;
    let response;
    try {
      response = await fetch(path, {headers, cache: 'no-store', credentials: 'omit'});
    } catch (failure) {
      notice('The service does not answer (' + failure.message + '); trying again.');
      return {status: 0, body: null};
    }
    clearNotice('unreachable');
    if (response.status === 304) return {status: 200, body: state.bodies.get(path), same: true};
    if (response.status === 401 && authed) {
      tokenRefused();
      return {status: 401, body: null};
    }
    const type = response.headers.get('content-type') || '';
    const body = type.includes('json') ? await response.json() : null;
    const etag = response.headers.get('etag');
    if (response.ok && etag) {
      state.etags.set(path, etag);
      state.bodies.set(path, body);
    }
    return {status: response.status, body, same: false};
  }

  /** Runs {@code task} after {@code ms}, replacing any run of the same name not started yet. */
  function schedule(name, task, ms) {
    clearTimeout(state.timers[name]);
    state.timers[name] = setTimeout(task, ms);
  }

  async function pollHealth() {
    const answer = await get('/health', false);
    if (answer.body && !answer.same) {
      state.health = answer.body;
      render();
    }
    schedule('health', pollHealth, Math.min(10000, Math.max(1000, state.intervalMs)));
  }
  async function pollHistory() {
    const answer = await get('/health/history', false);
    if (answer.body && !answer.same) {
      state.history = answer.body;
      state.intervalMs = answer.body.intervalMs;
      state.stepSeconds = answer.body.stepSeconds;
      render();
    }
    schedule('history', pollHistory, state.stepSeconds * 1000);
  }
  async function pollCredentials() {
    if (!state.token) return;
    const answer = await get('/credentials', true);
    if (answer.status === 200 && !answer.same) {
      state.credentials = answer.body;
      render();
    }
    schedule('credentials', pollCredentials, 15000);
  }
  async function loadEvents() {
    const answer = await get('/events', true);
    if (answer.status !== 200) return false;
    addEvents(answer.body.events);
    if (state.lastEventId == null || answer.body.lastId > state.lastEventId) state.lastEventId = answer.body.lastId;
    return true;
  }
  /**
   * /fleet and /access come with other versions of the service: shown when they answer, hidden on
   * 404. /credentials lists the optional endpoints this service answers, so that a version without
   * them is not asked (a 404 would be a console error on every load); an answer without the list
   * (an older version) has both asked once.
   */
  function offeredEndpoints() {
    const listed = state.credentials && state.credentials.endpoints;
    return (path) => !Array.isArray(listed) || listed.includes(path);
  }
  function pollOptional(path, section, draw, everyMs) {
    const run = async () => {
      if (!state.token) return;
      const answer = await get(path, true);
      if (answer.status === 404) {
        $(section).hidden = true;
        return; // this service has no such endpoint
      }
      if (answer.status === 200) {
        if (!answer.same) draw(answer.body);
        $(section).hidden = false;
      }
      schedule(path, run, everyMs);
    };
    state.optional[path] = run;
    schedule(path, run, 0);
  }
  function refreshSoon() {
    schedule('refresh', () => {
      schedule('health', pollHealth, 0);
      schedule('credentials', pollCredentials, 0);
      schedule('history', pollHistory, 0);
    }, 100);
    // the other instances follow a change within a second or two: look at the fleet again then,
    // rather than at its next 15 s poll
    if (state.optional['/fleet']) schedule('/fleet', state.optional['/fleet'], 2500);
  }

  // --- the live stream -----------------------------------------------------------------------
  function sseParser(onMessage) {
    let buffer = '';
    let data = [];
    let id = null;
    let name = 'message';
    return (chunk) => {
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, end).replace(/\r$/, '');
        buffer = buffer.slice(end + 1);
        if (line === '') {
          if (data.length) onMessage({id, event: name, data: data.join('\n')});
          data = [];
          name = 'message';
        } else if (line[0] !== ':') {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'data') data.push(value);
          else if (field === 'id') id = value;
          else if (field === 'event') name = value;
        }
      }
    };
  }
  function onStreamMessage(message) {
    if (message.event !== 'lifecycle') return;
    const event = JSON.parse(message.data);
    addEvents([event]);
    state.lastEventId = Math.max(state.lastEventId || 0, event.id);
    refreshSoon();
  }
  function closeStream() {
    const stream = state.stream;
    state.stream = null;
    clearTimeout(state.watchdog);
    if (stream) stream.abort();
  }
  /** Two heartbeats missed (they come every 15 s): the connection is dead even if no error says so. */
  function armWatchdog(controller) {
    clearTimeout(state.watchdog);
    state.watchdog = setTimeout(() => controller.abort(), 40000);
  }
  async function openStream() {
    closeStream();
    if (!state.token) return;
    const controller = new AbortController();
    state.stream = controller;
    try {
      const headers = {Authorization: 'Bearer ' + state.token, Accept: 'text/event-stream'};
      if (state.lastEventId != null) headers['Last-Event-ID'] = String(state.lastEventId);
      const response = await fetch('/events/stream', {headers, cache: 'no-store', credentials: 'omit',
        signal: controller.signal});
      if (response.status === 401) {
        tokenRefused();
        return;
      }
      if (!response.ok || !response.body) throw new Error('HTTP ' + response.status);
      setLive('on', 'Live');
      state.streamRetry = 1000;
      refreshSoon(); // news may have come while the stream was away
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      const parse = sseParser(onStreamMessage);
      armWatchdog(controller);
      for (;;) {
        const {value, done} = await reader.read();
        if (done) break;
        armWatchdog(controller);
        parse(value);
      }
    } catch (failure) {
      // an abort, a reset or a refused connection: the same retry below
    }
    if (state.stream !== controller) return; // closed on purpose
    state.stream = null;
    setLive('retry', 'Reconnecting…');
    schedule('stream', openStream, state.streamRetry);
    state.streamRetry = Math.min(state.streamRetry * 2, 15000);
  }
  function setLive(kind, label) {
    setClass($('live'), 'live ' + kind);
    setText($('live'), label);
  }

  // --- the token -----------------------------------------------------------------------------
  function showTokenState() {
    const signedIn = Boolean(state.token);
    $('token-form').hidden = signedIn;
    $('signed-in').hidden = !signedIn;
    $('timeline').hidden = !signedIn;
    $('sources').hidden = !signedIn;
    $('public-hint').hidden = signedIn;
    if (!signedIn) {
      $('fleet').hidden = true;
      $('access').hidden = true;
      setLive('off', 'Polling /health');
    }
  }
  async function connect() {
    showTokenState();
    if (!state.token) return;
    setLive('retry', 'Connecting…');
    await pollCredentials();
    if (!state.token) return;
    await loadEvents();
    const offered = offeredEndpoints();
    if (offered('/fleet')) pollOptional('/fleet', 'fleet', drawFleet, 15000);
    if (offered('/access')) pollOptional('/access', 'access', drawAccess, 60000);
    openStream();
  }
  function forget(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    state.token = null;
    state.credentials = null;
    state.events.clear();
    state.lastEventId = null;
    $('events').replaceChildren();
    for (const path of ['/credentials', '/events', '/fleet', '/access']) state.etags.delete(path);
    closeStream();
    showTokenState();
    render();
    if (message) notice(message);
  }
  function tokenRefused() {
    forget('The token was refused (401): enter the value of PGCREDS_API_TOKEN.');
  }
  function notice(text, kind) {
    const node = $('notice');
    node.dataset.kind = kind || 'unreachable';
    setText(node, text);
    node.hidden = false;
  }
  function clearNotice(kind) {
    const node = $('notice');
    if (!node.hidden && node.dataset.kind === kind) node.hidden = true;
  }

  // --- rendering -----------------------------------------------------------------------------
  function healthOf(name) {
    return state.health && state.health.credentials ? state.health.credentials[name] : null;
  }
  function credentialOf(name) {
    return state.credentials ? state.credentials.credentials.find((c) => c.name === name) : null;
  }
  /** 0: down, invalid or failed; 1: pending or not probed yet; 2: fine. */
  function rank(name) {
    const health = healthOf(name);
    const credential = credentialOf(name);
    const cstate = credential ? credential.state : 'active';
    if ((health && health.status === 'DOWN') || cstate === 'invalid' || cstate === 'failed') return 0;
    if (cstate !== 'active' || (credential && credential.leaving) || !health || health.status === 'UNKNOWN') return 1;
    return 2;
  }
  function names() {
    const all = new Set();
    if (state.health) Object.keys(state.health.credentials).forEach((n) => all.add(n));
    if (state.credentials) state.credentials.credentials.forEach((c) => all.add(c.name));
    return [...all].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  }

  function render() {
    renderOverall();
    const order = names();
    const body = $('credential-rows');
    for (const [name, row] of state.rows) {
      if (!order.includes(name)) {
        row.tr.remove();
        state.rows.delete(name);
      }
    }
    order.forEach((name, index) => {
      const row = rowFor(name);
      updateRow(row, name);
      if (body.children[index] !== row.tr) body.insertBefore(row.tr, body.children[index] || null);
    });
    applyFilter();
    renderCounts(order);
    if (state.credentials) renderSources();
    setText($('updated'), 'updated ' + new Date().toLocaleTimeString([], {hour12: false}));
    if (!state.rendered && state.health) {
      state.rendered = true;
      performance.mark('pgcreds-rendered');
    }
  }

  function renderOverall() {
    const health = state.health;
    const node = $('overall');
    if (!health) return;
    const look = {UP: ['up', 'up'], DEGRADED: ['warn', 'warn'], DOWN: ['down', 'down']}[health.status] || ['unknown', 'wait'];
    setBadge(node, look[0] + ' overall', look[1], 'Service ' + health.status);
    $('reason').hidden = !health.reason;
    setText($('reason'), health.reason || '');
  }

  function renderCounts(order) {
    let up = 0;
    let down = 0;
    let attention = 0;
    for (const name of order) {
      const health = healthOf(name);
      const credential = credentialOf(name);
      if (health && health.status === 'UP') up++;
      if (health && health.status === 'DOWN') down++;
      if (credential && (credential.state !== 'active' || credential.leaving)) attention++;
    }
    setText($('n-total'), order.length);
    setText($('n-up'), up);
    setText($('n-down'), down);
    setText($('n-attention'), state.credentials ? attention : '–');
    setText($('n-default'), state.health ? state.health.defaultCredential : '–');
  }

  function rowFor(name) {
    let row = state.rows.get(name);
    if (row) return row;
    const tr = el('tr');
    const cells = {};
    for (const column of COLUMNS) cells[column] = tr.appendChild(el('td'));
    row = {tr, cells, search: ''};
    row.status = cells.status.appendChild(badge());
    row.errorClass = cells.status.appendChild(el('span', 'sub'));
    const title = cells.name.appendChild(el('div'));
    title.appendChild(el('span', 'name', name));
    row.tags = title.appendChild(el('span'));
    row.vars = cells.name.appendChild(el('div', 'vars'));
    row.role = cells.role;
    row.tls = cells.tls.appendChild(el('span'));
    row.cipher = cells.tls.appendChild(el('span', 'sub'));
    row.pool = cells.pool.appendChild(el('span', 'pool'));
    row.poolSub = cells.pool.appendChild(el('span', 'sub pool'));
    row.bar = cells.pool.appendChild(svg('svg', {class: 'bar', viewBox: '0 0 100 6', preserveAspectRatio: 'none',
      'aria-hidden': 'true'}));
    row.bar.append(svg('rect', {class: 'track', width: 100, height: 6, rx: 3}),
      svg('rect', {class: 'used', width: 0, height: 6, rx: 3}), svg('rect', {class: 'queued', width: 0, height: 6, x: 0}));
    row.latency = sparkCell(cells.latency, ['line']);
    row.use = sparkCell(cells.use, ['line', 'wait']);
    row.generation = cells.generation;
    cells.generation.className = 'num';
    row.state = cells.state;
    row.reload = cells.reload.appendChild(timeNode(null));
    row.reloadError = cells.reload.appendChild(el('span', 'sub'));
    state.rows.set(name, row);
    return row;
  }

  function updateRow(row, name) {
    const health = healthOf(name);
    const credential = credentialOf(name);
    const status = health ? health.status : 'UNKNOWN';
    const look = {UP: ['up', 'up'], DOWN: ['down', 'down']}[status] || ['unknown', 'wait'];
    setBadge(row.status, look[0], look[1], status);
    setText(row.errorClass, health && health.errorClass ? health.errorClass : '');
    const rankNow = rank(name);
    setClass(row.tr, rankNow === 0 ? 'problem' : rankNow === 1 ? 'attention' : '');
    const tags = [];
    if (state.health && state.health.defaultCredential === name) tags.push('default');
    if (credential && credential.pooled) tags.push('pooled');
    if (row.tags.dataset.tags !== tags.join()) {
      row.tags.dataset.tags = tags.join();
      row.tags.replaceChildren(...tags.map((tag) => el('span', 'tag', tag)));
    }
    setText(row.vars, credential ? credential.configVars.join(' ') : '');
    setText(row.role, credential ? credential.role || 'not known yet' : '–');
    setText(row.tls, credential && credential.tls ? credential.tls.version : credential ? 'not known yet' : '–');
    setText(row.cipher, credential && credential.tls ? credential.tls.cipher : '');
    updatePool(row, health ? health.pool : null);
    updateSparks(row, name, health);
    setText(row.generation, credential ? credential.generation : '–');
    updateState(row, credential);
    setTime(row.reload, credential ? credential.lastReloadAt : null);
    setText(row.reloadError, credential && credential.reloadError ? credential.reloadError : '');
    row.search = [name, status, health && health.errorClass, credential && credential.configVars.join(' '),
      credential && credential.role, credential && credential.state, credential && credential.leaving ? 'leaving' : '',
      tags.join(' ')].join(' ').toLowerCase();
  }

  function updatePool(row, pool) {
    if (!pool) {
      setText(row.pool, '–');
      setText(row.poolSub, 'no pool');
      setAttr(row.bar.children[1], 'width', '0');
      setAttr(row.bar.children[2], 'width', '0');
      return;
    }
    setText(row.pool, pool.active + ' active · ' + pool.idle + ' idle');
    setText(row.poolSub, pool.waiting + ' waiting · of ' + pool.max);
    const used = Math.min(100, (pool.active / pool.max) * 100);
    const queued = Math.min(100 - used, (pool.waiting / pool.max) * 100);
    setAttr(row.bar.children[1], 'width', used.toFixed(1));
    setAttr(row.bar.children[2], 'x', used.toFixed(1));
    setAttr(row.bar.children[2], 'width', queued.toFixed(1));
  }

  function updateState(row, credential) {
    if (!credential) {
      setText(row.state, '–');
      return;
    }
    let node = row.state.firstChild;
    if (!node || node.nodeType !== 1) {
      row.state.replaceChildren(badge());
      node = row.state.firstChild;
      row.leaving = row.state.appendChild(badge());
      row.leavingUntil = row.state.appendChild(el('span', 'sub'));
    }
    const look = {active: ['up', 'up'], pending: ['warn', 'wait'], failed: ['down', 'down'],
      invalid: ['down', 'warn']}[credential.state] || ['unknown', 'info'];
    setBadge(node, look[0], look[1], credential.state);
    // absent from the config, serving out its removal grace: a second badge, and when it goes
    const leaving = credential.leaving;
    if (row.leaving.hidden === Boolean(leaving)) row.leaving.hidden = !leaving;
    if (leaving) setBadge(row.leaving, 'warn leaving', 'wait', 'leaving');
    setText(row.leavingUntil, leaving ? 'removed at ' + clock(leaving.removeAt) + ' unless it comes back' : '');
  }

  // --- sparklines ----------------------------------------------------------------------------
  function sparkCell(cell, lines) {
    const wrap = cell.appendChild(el('div', 'spark'));
    const chart = wrap.appendChild(svg('svg', {viewBox: '0 0 120 24', preserveAspectRatio: 'none', role: 'img'}));
    const title = chart.appendChild(svg('title'));
    chart.appendChild(svg('line', {class: 'base', x1: 0, y1: 23.5, x2: 120, y2: 23.5}));
    const fails = chart.appendChild(svg('path', {class: 'fail', d: ''}));
    const paths = lines.map((kind) => chart.appendChild(svg('path', {class: kind, d: ''})));
    const value = wrap.appendChild(el('span'));
    return {chart, title, fails, paths, value};
  }
  /** An SVG path through the values (null breaks the line), scaled to {@code max}. */
  function pathOf(values, max) {
    const step = 120 / Math.max(1, values.length - 1);
    let d = '';
    let drawing = false;
    values.forEach((v, i) => {
      if (v == null) {
        drawing = false;
        return;
      }
      const x = (i * step).toFixed(1);
      const y = (22 - (Math.min(v, max) / max) * 20).toFixed(1);
      d += (drawing ? 'L' : 'M') + x + ' ' + y;
      drawing = true;
    });
    return d;
  }
  function failMarks(failures) {
    const step = 120 / Math.max(1, failures.length);
    let d = '';
    failures.forEach((f, i) => {
      if (f) d += 'M' + (i * step).toFixed(1) + ' 0h' + Math.max(1, step).toFixed(1) + 'v24h-' + Math.max(1, step).toFixed(1) + 'z';
    });
    return d;
  }
  function updateSparks(row, name, health) {
    const series = state.history && state.history.credentials[name];
    if (!series) {
      setText(row.latency.value, health && health.status === 'UP' && health.latencyMs != null ? health.latencyMs + ' ms' : '');
      setText(row.use.value, '');
      return;
    }
    const seen = series.latencyMs.filter((v) => v != null);
    const slowest = Math.max(1, ...seen);
    setAttr(row.latency.paths[0], 'd', pathOf(series.latencyMs, slowest));
    setAttr(row.latency.fails, 'd', failMarks(series.failures));
    const failed = series.failures.filter((f) => f).length;
    const now = health && health.status === 'UP' && health.latencyMs != null ? health.latencyMs + ' ms' : '–';
    setText(row.latency.value, now);
    setText(row.latency.title, 'Probe latency over the last 10 minutes: now ' + now + ', slowest ' +
      (seen.length ? slowest + ' ms' : 'none measured') + (failed ? '; failed probes in ' + failed + ' of ' +
      series.failures.length + ' intervals' : ''));
    const max = series.max || 1;
    setAttr(row.use.paths[0], 'd', pathOf(series.active, max));
    setAttr(row.use.paths[1], 'd', pathOf(series.waiting.map((v) => (v ? v : null)), max));
    setAttr(row.use.fails, 'd', failMarks(series.failures));
    const busiest = Math.max(0, ...series.active.filter((v) => v != null));
    const queued = Math.max(0, ...series.waiting.filter((v) => v != null));
    setText(row.use.value, busiest + '/' + max);
    setText(row.use.title, 'Connections in use over the last 10 minutes: at most ' + busiest + ' of ' + max +
      (queued ? ', with up to ' + queued + ' requests waiting' : ', none waiting'));
  }

  // --- filter --------------------------------------------------------------------------------
  function applyFilter() {
    const query = $('filter').value.trim().toLowerCase();
    let shown = 0;
    for (const row of state.rows.values()) {
      const visible = !query || query.split(/\s+/).every((word) => row.search.includes(word));
      if (row.tr.hidden === visible) row.tr.hidden = !visible;
      if (visible) shown++;
    }
    setText($('shown'), query ? shown + ' of ' + state.rows.size + ' shown' : '');
  }

  // --- timeline ------------------------------------------------------------------------------
  const KINDS = {
    added: ['up', 'up'], replaced: ['up', 'swap'], recovered: ['up', 'up'], up: ['up', 'up'],
    removed: ['unknown', 'info'], leaving: ['warn', 'wait'], kept: ['up', 'up'], pending: ['warn', 'wait'], failed: ['down', 'down'], invalid: ['down', 'warn'],
    down: ['down', 'down'], 'source-changed': ['unknown', 'swap'], 'source-failed': ['down', 'down'],
    'source-recovered': ['up', 'up'], reload: ['unknown', 'info']
  };
  function addEvents(events) {
    const list = $('events');
    const fresh = events.filter((e) => !state.events.has(e.id)).sort((a, b) => a.id - b.id);
    for (const event of fresh) {
      state.events.set(event.id, event);
      list.insertBefore(eventItem(event), list.firstChild);
    }
    while (list.children.length > 300) list.lastChild.remove();
    if (!list.children.length) list.appendChild(el('li', 'empty', 'Nothing has happened yet.'));
    const empty = list.querySelector('.empty');
    if (empty && list.children.length > 1) empty.remove();
  }
  function eventItem(event) {
    const item = el('li');
    item.dataset.kind = event.kind;
    if (event.credential) item.dataset.credential = event.credential;
    if (event.trigger) item.dataset.trigger = event.trigger;
    const time = item.appendChild(el('time', '', clock(event.at)));
    time.setAttribute('datetime', event.at);
    const look = KINDS[event.kind] || ['unknown', 'info'];
    const kind = item.appendChild(badge());
    setBadge(kind, look[0], look[1], event.kind);
    if (event.credential) item.append(' ', el('strong', 'name', event.credential));
    if (event.source) item.append(' ', el('strong', '', SOURCE_NAMES[event.source] || event.source));
    if (event.generation) item.append(' generation ' + event.generation);
    if (event.errorClass) item.append(' (' + event.errorClass + ')');
    if (event.trigger && !event.source) item.appendChild(el('span', 'trigger', event.trigger));
    if (event.tookMs != null) item.append(' serving ' + event.tookMs + ' ms after detection');
    if (event.detail) item.appendChild(el('span', 'detail', event.detail));
    return item;
  }

  // --- sources, webhook, ignored vars --------------------------------------------------------
  function renderSources() {
    const report = state.credentials;
    const key = JSON.stringify([report.sources, report.webhook, report.ignored]);
    if ($('sources').dataset.key === key) return;
    $('sources').dataset.key = key;
    const items = report.sources.map((source) => {
      const item = el('li');
      const look = {ok: ['up', 'up'], error: ['down', 'down'], waiting: ['unknown', 'wait']}[source.state] || ['unknown', 'info'];
      const stateBadge = badge();
      setBadge(stateBadge, look[0], look[1], source.state);
      item.append(el('span', 'what', SOURCE_NAMES[source.name] || source.name), stateBadge);
      item.appendChild(el('span', 'sub where', source.location));
      const facts = [source.variables + ' vars'];
      if (source.lastLoadedAt) facts.push('read ' + ago(source.lastLoadedAt));
      if (source.lastChangedAt) facts.push('changed ' + ago(source.lastChangedAt));
      if (source.polling) facts.push('polling: ' + source.polling);
      if (source.budget) facts.push('budget: ' + describeBudget(source.budget));
      if (source.rateLimitRemaining != null) facts.push(source.rateLimitRemaining + ' API requests left this hour');
      if (source.nextAttemptAt) facts.push('next poll ' + clock(source.nextAttemptAt));
      if (source.skippedLines.length) facts.push(source.skippedLines.length + ' line(s) skipped');
      item.appendChild(el('span', 'sub', facts.join(' · ')));
      if (source.lastError) item.appendChild(el('span', 'sub', 'Last error: ' + source.lastError));
      return item;
    });
    items.push(webhookItem(report.webhook));
    $('source-list').replaceChildren(...items);
    const ignored = report.ignored.map((ignore) => {
      const item = el('li');
      item.append(el('code', '', ignore.var), ' ' + ignore.reason);
      return item;
    });
    $('ignored').replaceChildren(...(ignored.length ? ignored : [el('li', 'empty', 'None.')]));
  }
  function describeBudget(budget) {
    if (typeof budget !== 'object') return String(budget);
    return Object.entries(budget).filter(([, v]) => v != null).map(([k, v]) => k + ' ' + v).join(', ');
  }
  function webhookItem(webhook) {
    const item = el('li');
    const on = badge();
    setBadge(on, webhook.configured ? 'up' : 'unknown', webhook.configured ? 'up' : 'info', webhook.configured ? 'on' : 'off');
    item.append(el('span', 'what', 'App Webhook'), on);
    const facts = [];
    if (!webhook.configured) facts.push('PGCREDS_WEBHOOK_SECRET is not set');
    if (webhook.lastDeliveryAt) facts.push('last delivery ' + ago(webhook.lastDeliveryAt) + ' (' + webhook.lastEvent + ')');
    else if (webhook.configured) facts.push('no delivery yet');
    if (webhook.rejected) facts.push(webhook.rejected + ' refused, last ' + ago(webhook.lastRejectedAt));
    item.appendChild(el('span', 'sub', facts.join(' · ')));
    return item;
  }

  // --- fleet and access (when the service has them) ------------------------------------------
  function table(headers, rows) {
    const node = el('table', 'matrix');
    const head = node.appendChild(el('thead')).appendChild(el('tr'));
    headers.forEach((h) => {
      const th = head.appendChild(el('th', '', h));
      th.scope = 'col';
    });
    const body = node.appendChild(el('tbody'));
    rows.forEach((cells) => {
      const tr = body.appendChild(el('tr'));
      cells.forEach((cell, i) => {
        const td = tr.appendChild(el(i === 0 ? 'th' : 'td'));
        if (i === 0) td.scope = 'row';
        if (cell instanceof Node) td.appendChild(cell);
        else td.textContent = cell == null ? '–' : String(cell);
      });
    });
    return node;
  }
  /**
   * /fleet: each instance's generation (and state, when not active) of each credential. When the
   * instances disagree, the badge says how often, the service's reasons are listed, each disputed
   * credential gets a line with every instance's generation, and its cells are marked: the one an
   * instance holds from before another replaced it, or in another state, as lagging.
   */
  function drawFleet(fleet) {
    const instances = fleet.instances || [];
    const heldBy = (instance) => {
      const raw = instance.credentials || instance.generations || {};
      const held = {};
      for (const [name, value] of Object.entries(raw)) {
        held[name] = value && typeof value === 'object' ? value : {generation: value, state: 'active'};
      }
      return held;
    };
    const idOf = (instance) => instance.id || instance.instance || instance.dyno || instance.name;
    const credentials = [...new Set(instances.flatMap((i) => Object.keys(heldBy(i))))].sort();
    const reasons = fleet.disagreements || [];
    const disputed = credentials.filter((c) => reasons.some((r) => r.startsWith(c + ': ')
      || r.includes(' holds ' + c + ' generation ')));
    const lagging = (id, credential, held) => reasons.some((r) => r.startsWith(id + ' holds ' + credential + ' generation '))
      || (held && held.state !== 'active' && disputed.includes(credential));
    const describe = (held) => held ? held.generation + (held.state && held.state !== 'active' ? ' ' + held.state : '') : 'missing';
    const rows = instances.map((instance) => {
      const id = idOf(instance);
      const held = heldBy(instance);
      return [id, ...credentials.map((c) => {
        const cell = el('span', disputed.includes(c) ? (lagging(id, c, held[c]) ? 'cell lagging' : 'cell disputed') : 'cell',
          describe(held[c]));
        cell.dataset.instance = id;
        cell.dataset.credential = c;
        return cell;
      }), ago(instance.lastSeenAt || instance.seenAt)];
    });
    const agree = badge();
    setBadge(agree, fleet.agree ? 'up' : 'warn', fleet.agree ? 'up' : 'warn', fleet.agree
      ? 'every instance serves the same configuration (generations count from each one\'s start)'
      : reasons.length + (reasons.length === 1 ? ' disagreement' : ' disagreements') + ' between the instances');
    const parts = [agree];
    if (!fleet.agree) {
      const list = el('ul', 'disagreements');
      list.id = 'fleet-disagreements';
      for (const c of disputed) {
        const item = el('li', 'generations', c + ': ' + instances.map((i) => {
          const held = heldBy(i)[c];
          return idOf(i) + (held ? ' generation ' + describe(held) : ' missing');
        }).join(', '));
        item.dataset.credential = c;
        list.appendChild(item);
      }
      for (const reason of reasons) list.appendChild(el('li', 'reason-line', reason));
      parts.push(list);
    }
    const wrap = el('div', 'table-wrap');
    wrap.appendChild(table(['Instance', ...credentials.map((c) => c + ' generation'), 'Seen'], rows));
    parts.push(wrap);
    $('fleet-body').replaceChildren(...parts);
  }
  /** /access: tables x credentials of one database; a cell is the privileges, or "cannot see". */
  function drawAccess(access) {
    const answered = (access.credentials || []).filter((c) => c.status === 'answered').map((c) => c.name);
    const rows = (access.tables || []).map((t) => [t.schema + '.' + t.name, ...answered.map((name) => {
      const privileges = (t.credentials || {})[name];
      if (privileges == null) return 'cannot see';
      if (ALL_TABLE_PRIVILEGES.every((p) => privileges.includes(p))) return 'all'; // MAINTAIN too from PostgreSQL 17 on
      return privileges.length ? privileges.join(', ') : 'columns only';
    })]);
    const notes = [];
    if (access.database) notes.push('Database ' + (access.databaseId || access.database) + '.');
    for (const c of access.credentials || []) {
      if (c.status !== 'answered') notes.push(c.name + ' did not answer (' + (c.errorClass || 'unknown') + ').');
    }
    if (access.hasMore) notes.push('The first ' + rows.length + ' tables.');
    $('access-body').replaceChildren(el('p', 'hint', notes.join(' ')), table(['Table', ...answered], rows));
  }

  // --- start ---------------------------------------------------------------------------------
  $('token-form').addEventListener('submit', (submit) => {
    submit.preventDefault();
    const input = $('token');
    const token = input.value.trim();
    input.value = '';
    if (!token) return;
    clearNotice('unreachable');
    $('notice').hidden = true;
    sessionStorage.setItem(TOKEN_KEY, token);
    state.token = token;
    connect();
  });
  $('forget').addEventListener('click', () => forget(null));
  $('filter').addEventListener('input', applyFilter);
  document.addEventListener('keydown', (key) => {
    if (key.key === '/' && document.activeElement.tagName !== 'INPUT') {
      key.preventDefault();
      $('filter').focus();
    } else if (key.key === 'Escape' && document.activeElement === $('filter')) {
      $('filter').value = '';
      applyFilter();
    }
  });
  setInterval(() => document.querySelectorAll('time[data-at]').forEach((node) => {
    if (node.dataset.at) setText(node, ago(node.dataset.at));
  }), 15000);
  showTokenState();
  pollHealth();
  pollHistory();
  connect();
})();
