// Status page: live table, filter, actions without reloads.
//
// The server renders the whole page, so it works without this script. The
// script then keeps the table current from the event stream (api/events),
// posts the buttons' forms to api/action instead of reloading, and filters
// rows. It builds every node with textContent and setAttribute, never from
// HTML strings: process names and descriptions are text, whatever they hold.
'use strict';

(() => {
  const LABELS = { start: 'Start', stop: 'Stop', restart: 'Restart', clearlog: 'Clear log' };
  const STATE_ORDER = ['FATAL', 'BACKOFF', 'UNKNOWN', 'EXITED', 'STOPPING', 'STARTING', 'RUNNING', 'STOPPED'];

  const table = document.getElementById('processes');
  const message = document.getElementById('message');
  const live = document.getElementById('live');
  const filter = document.getElementById('filter');
  const counts = document.getElementById('counts');
  const empty = document.getElementById('empty');
  const nomatch = document.getElementById('nomatch');
  const daemon = document.getElementById('daemon');

  let snap = null; // the last snapshot
  let snapAt = 0; // Date.now() when it arrived
  let byName = new Map(); // namespec -> process of snap

  // ---- small DOM helpers

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === false || v === null || v === undefined) continue;
      e.setAttribute(k, v === true ? '' : String(v));
    }
    e.append(...children);
    return e;
  }

  function lower(s) { return String(s).toLowerCase(); }

  // ---- messages

  function isError(text) {
    return /^(ERROR|unexpected rpc fault|No such )/.test(text);
  }

  function showMessage(text, error) {
    message.textContent = text;
    message.classList.toggle('error', error === undefined ? isError(text) : error);
    message.hidden = !text;
  }

  // A message that came with a redirect is shown once: drop it from the URL
  // so that a reload does not repeat it.
  if (new URLSearchParams(location.search).has('message')) {
    history.replaceState(null, '', location.pathname + location.hash);
  }

  // ---- rendering

  function actionForm(p) {
    const form = el('form', { method: 'post', action: 'index.html' },
      el('input', { type: 'hidden', name: 'processname', value: p.namespec }));
    for (const a of p.actions) {
      form.append(el('button', {
        type: 'submit', name: 'action', value: a,
        'aria-label': LABELS[a] + ' ' + p.namespec,
        class: a === 'stop' ? 'danger' : null,
      }, LABELS[a]));
    }
    form.append(el('a', { class: 'btn', href: p.tail_url, 'aria-label': 'Tail ' + p.namespec }, 'Tail'));
    return form;
  }

  function newRow(p) {
    const tr = el('tr', { class: 'proc', 'data-namespec': p.namespec },
      el('td', { class: 'state', 'data-label': 'State' }, el('span')),
      el('td', { class: 'desc', 'data-label': 'Description' }),
      el('td', { class: 'name', 'data-label': 'Name' }, el('a', { href: p.tail_url }, p.namespec)),
      el('td', { class: 'actions', 'data-label': 'Action' }));
    return tr;
  }

  function updateRow(tr, p) {
    tr.dataset.state = p.statename;
    const badge = tr.querySelector('td.state span');
    const cls = p.status_class + ' badge st-' + lower(p.statename);
    if (badge.className !== cls) badge.className = cls;
    if (badge.textContent !== lower(p.statename)) badge.textContent = lower(p.statename);
    const desc = tr.querySelector('td.desc');
    if (desc.textContent !== p.description) desc.textContent = p.description;
    desc.dataset.start = p.start;
    const cell = tr.querySelector('td.actions');
    const old = cell.querySelector('form');
    const have = old ? Array.from(old.querySelectorAll('button'), (b) => b.value).join(',') : null;
    if (have === p.actions.join(',')) return;
    // The buttons change with the state. Keep the keyboard focus in the
    // row: on the same action if it is still offered, else the first one.
    const focused = old && old.contains(document.activeElement) ? document.activeElement : null;
    const form = actionForm(p);
    if (old) old.replaceWith(form); else cell.append(form);
    if (focused) {
      const same = focused.value && form.querySelector('button[value="' + focused.value + '"]');
      (same || form.querySelector('button, a')).focus();
    }
  }

  function groupHead(name, n) {
    const form = el('form', { class: 'gactions', method: 'post', action: 'index.html' },
      el('input', { type: 'hidden', name: 'group', value: name }));
    for (const a of ['start', 'stop', 'restart']) {
      form.append(el('button', { type: 'submit', name: 'action', value: a, 'aria-label': LABELS[a] + ' group ' + name }, LABELS[a]));
    }
    return el('tr', { class: 'group-head' },
      el('th', { colspan: 4, scope: 'rowgroup' },
        el('span', { class: 'gname' }, name), ' ',
        el('span', { class: 'gcount' }, plural(n)), ' ', form));
  }

  function plural(n) { return n === 1 ? '1 process' : n + ' processes'; }

  function render(s) {
    snap = s;
    snapAt = Date.now();
    byName = new Map(s.processes.map((p) => [p.namespec, p]));

    const groups = [];
    for (const p of s.processes) {
      const last = groups[groups.length - 1];
      if (last && last.name === p.group) last.procs.push(p);
      else groups.push({ name: p.group, procs: [p] });
    }

    const bodies = new Map(Array.from(table.tBodies, (b) => [b.dataset.group, b]));
    const rows = new Map(Array.from(table.querySelectorAll('tr.proc'), (r) => [r.dataset.namespec, r]));
    let prev = table.tHead;
    let n = 0;
    for (const g of groups) {
      let body = bodies.get(g.name);
      bodies.delete(g.name);
      if (!body) {
        body = el('tbody', { class: 'group', 'data-group': g.name });
      }
      if (prev.nextElementSibling !== body) prev.after(body);
      prev = body;

      const header = g.procs.length > 1 || g.procs[0].name !== g.name;
      let head = body.querySelector('tr.group-head');
      if (header && !head) {
        head = groupHead(g.name, g.procs.length);
        body.prepend(head);
      } else if (!header && head) {
        head.remove();
        head = null;
      } else if (head) {
        head.querySelector('.gcount').textContent = plural(g.procs.length);
      }

      let after = head;
      for (const p of g.procs) {
        let tr = rows.get(p.namespec);
        rows.delete(p.namespec);
        if (!tr) tr = newRow(p);
        updateRow(tr, p);
        tr.classList.toggle('shade', n % 2 === 1);
        n++;
        const want = after ? after.nextElementSibling : body.firstElementChild;
        if (want !== tr) {
          if (after) after.after(tr); else body.prepend(tr);
        }
        after = tr;
      }
      while (after.nextElementSibling) after.nextElementSibling.remove();
    }
    for (const b of bodies.values()) b.remove();
    for (const r of rows.values()) r.remove();

    empty.hidden = s.processes.length > 0;
    daemon.hidden = s.state === 'RUNNING';
    if (!daemon.hidden) daemon.textContent = 'Supervisor is ' + s.state + ': actions are refused.';
    renderCounts(s.processes);
    applyFilter();
  }

  function renderCounts(procs) {
    const c = {};
    for (const p of procs) c[p.statename] = (c[p.statename] || 0) + 1;
    const focused = counts.contains(document.activeElement) ? document.activeElement.dataset.filter : null;
    const items = [];
    for (const st of STATE_ORDER) {
      if (!c[st]) continue;
      items.push(el('li', {}, el('button', {
        type: 'button', class: 'count st-' + lower(st), 'data-filter': st,
        'aria-label': 'Show only ' + lower(st) + ' processes (' + c[st] + ')',
        'aria-pressed': filter.value.trim().toUpperCase() === st ? 'true' : 'false',
      }, c[st] + ' ' + lower(st))));
    }
    counts.replaceChildren(...items);
    if (focused) {
      const again = counts.querySelector('button[data-filter="' + focused + '"]');
      if (again) again.focus();
    }
  }

  // ---- uptime, ticking between snapshots

  function uptime(secs) {
    secs = Math.max(0, Math.floor(secs));
    const days = Math.floor(secs / 86400);
    const rest = secs % 86400;
    const hms = Math.floor(rest / 3600) + ':' +
      String(Math.floor(rest / 60) % 60).padStart(2, '0') + ':' +
      String(rest % 60).padStart(2, '0');
    if (days === 0) return hms;
    return days + (days === 1 ? ' day, ' : ' days, ') + hms;
  }

  function tick() {
    if (!snap) return;
    const now = snap.now + (Date.now() - snapAt) / 1000;
    for (const tr of table.querySelectorAll('tr.proc[data-state="RUNNING"]')) {
      const p = byName.get(tr.dataset.namespec);
      if (!p || p.statename !== 'RUNNING' || !p.start) continue;
      const text = 'pid ' + p.pid + ', uptime ' + uptime(now - p.start);
      const desc = tr.querySelector('td.desc');
      if (desc.textContent !== text) desc.textContent = text;
    }
  }
  setInterval(tick, 1000);

  // ---- filter

  function applyFilter() {
    const terms = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const body of table.tBodies) {
      let any = false;
      for (const tr of body.querySelectorAll('tr.proc')) {
        const hay = lower(tr.dataset.namespec + ' ' + tr.dataset.state + ' ' +
          tr.querySelector('td.desc').textContent);
        const ok = terms.every((t) => hay.includes(t));
        tr.hidden = !ok;
        any = any || ok;
        if (ok) shown++;
      }
      body.hidden = !any;
    }
    nomatch.hidden = terms.length === 0 || shown > 0 || table.querySelectorAll('tr.proc').length === 0;
    for (const b of counts.querySelectorAll('button')) {
      b.setAttribute('aria-pressed', filter.value.trim().toUpperCase() === b.dataset.filter ? 'true' : 'false');
    }
  }

  filter.addEventListener('input', applyFilter);
  filter.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && filter.value) {
      filter.value = '';
      applyFilter();
      e.preventDefault();
    }
  });
  counts.addEventListener('click', (e) => {
    const b = e.target.closest('button[data-filter]');
    if (!b) return;
    const st = b.dataset.filter;
    filter.value = filter.value.trim().toUpperCase() === st ? '' : lower(st);
    applyFilter();
  });
  document.addEventListener('keydown', (e) => {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t.closest && t.closest('input, textarea, select, [contenteditable]')) return;
    e.preventDefault();
    filter.focus();
    filter.select();
  });

  // ---- actions

  document.addEventListener('submit', async (e) => {
    const form = e.target;
    const button = e.submitter;
    if (!form.matches('form[action="index.html"]') || !button || !button.value) return;
    e.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') return;
    if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
    const body = new URLSearchParams();
    for (const input of form.querySelectorAll('input[type="hidden"]')) body.append(input.name, input.value);
    body.append('action', button.value);

    const row = form.closest('tr');
    form.setAttribute('aria-busy', 'true');
    if (row) row.classList.add('busy');
    button.classList.add('pending');
    try {
      const res = await fetch('api/action', {
        method: 'POST', body, headers: { Accept: 'application/json' }, credentials: 'same-origin',
      });
      let reply;
      try {
        reply = await res.json();
      } catch {
        reply = { ok: false, message: 'ERROR: ' + res.status + ' ' + res.statusText };
      }
      showMessage(reply.message, !reply.ok);
    } catch (err) {
      showMessage('ERROR: the server did not answer (' + err.message + ')', true);
    } finally {
      form.removeAttribute('aria-busy');
      if (row) row.classList.remove('busy');
      button.classList.remove('pending');
    }
    if (!streaming || button.value === 'refresh') await poll();
  });

  // ---- live updates

  let streaming = false;
  let pollTimer = 0;

  function setLive(on, text) {
    live.dataset.live = on ? 'on' : 'off';
    live.textContent = text || (on ? 'live' : 'offline');
  }

  async function poll() {
    try {
      const res = await fetch('api/processes', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (!res.ok) throw new Error(res.statusText);
      render(await res.json());
      if (!streaming) setLive(true, 'polling');
    } catch {
      if (!streaming) setLive(false);
    }
  }

  function startPolling() {
    if (pollTimer) return;
    poll();
    pollTimer = setInterval(poll, 3000);
  }

  function connect() {
    if (!window.EventSource) {
      startPolling();
      return;
    }
    const es = new EventSource('api/events');
    es.addEventListener('processes', (e) => {
      streaming = true;
      setLive(true);
      render(JSON.parse(e.data));
    });
    es.addEventListener('error', () => {
      streaming = false;
      if (es.readyState === EventSource.CLOSED) {
        startPolling();
      } else {
        setLive(false, 'reconnecting');
      }
    });
  }

  applyFilter();
  connect();
})();
