// lcwh inspector page. Plain JavaScript, no library, nothing loaded from
// elsewhere. Every text that comes from an event is put in the page with
// textContent, never as markup, so a body holding HTML shows as text.
'use strict';
(function () {
  const ROW_H = 26;
  const $ = (id) => document.getElementById(id);
  const live = document.documentElement.dataset.mode === 'live';
  const state = {
    rows: [],          // newest first: event rows and {gap} placeholders
    byId: new Map(),
    view: [],          // rows after the filters
    events: 0,         // rows that are events (not gaps)
    selected: new Set(),
    cursor: 0,
    openId: 0,
    max: 10000,
    info: null,
    search: null,      // server results while a text search is on
    kinds: new Set(),
    reveal: false,
  };

  // el builds an element; string children become text nodes.
  function el(tag, attrs, ...kids) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') n.className = v;
      else if (k.startsWith('on')) n.addEventListener(k.slice(2), v);
      else n.setAttribute(k, v === true ? '' : v);
    }
    for (const c of kids) {
      if (c === undefined || c === null || c === false) continue;
      n.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return n;
  }

  // plural is word for n of them: 1 key, 2 keys.
  function plural(n, word) {
    return n === 1 ? word : word + 's';
  }

  async function api(path, opts) {
    const r = await fetch(path, Object.assign({ credentials: 'same-origin' }, opts || {}));
    if (!r.ok) {
      let msg = r.status + ' ' + r.statusText;
      try { msg = (await r.json()).error || msg; } catch (e) { /* not JSON */ }
      throw new Error(msg);
    }
    return r;
  }
  const getJSON = async (path) => (await api(path)).json();

  // ---- the list ----
  // addRows takes a feed message's rows (oldest first): updates land on
  // the rows the page holds, new ones go on top in one splice, so a flood
  // costs one copy of the list per message, not one per row.
  function addRows(rows) {
    const fresh = [];
    for (const r of rows) {
      const old = state.byId.get(r.id);
      if (old) { Object.assign(old, r); continue; }
      if (r.update) continue; // an update of a row the page no longer holds
      state.byId.set(r.id, r);
      state.kinds.add(r.kind);
      fresh.push(r);
    }
    if (fresh.length) state.rows = fresh.reverse().concat(state.rows);
    trim();
    scheduleRender(true);
  }

  function trim() {
    if (state.rows.length <= state.max) return;
    for (let i = state.max; i < state.rows.length; i++) {
      if (!state.rows[i].gap) state.byId.delete(state.rows[i].id);
    }
    state.rows.length = state.max;
  }

  // matcher returns the test of the filters as set now (read once, not
  // once per row), or null when none is set.
  function matcher() {
    const f = filters();
    if (!f.family && !f.kind && !f.verified && !f.dup && !f.status) return null;
    return (r) => {
      if (r.gap) return true;
      if (f.family && r.family !== f.family) return false;
      if (f.kind && r.kind !== f.kind) return false;
      if (f.verified) {
        const v = r.verified === true ? 'true' : r.verified === false ? 'false' : 'none';
        if (v !== f.verified) return false;
      }
      if (f.dup && String(r.duplicate) !== f.dup) return false;
      if (f.status && (r.status === 200) !== (f.status === 'accepted')) return false;
      return true;
    };
  }

  function filters() {
    return {
      family: $('f-family').value, kind: $('f-kind').value, verified: $('f-verified').value,
      dup: $('f-dup').value, status: $('f-status').value, q: $('f-q').value.trim(),
    };
  }

  function refilter() {
    const base = state.search || state.rows;
    const m = matcher();
    state.view = m ? base.filter(m) : base;
    let gaps = 0;
    for (const r of state.rows) if (r.gap) gaps++;
    state.events = state.rows.length - gaps;
    if (state.cursor >= state.view.length) state.cursor = Math.max(0, state.view.length - 1);
  }

  let renderQueued = false;
  let needFilter = false;
  function scheduleRender(filter) {
    needFilter = needFilter || filter;
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(() => {
      renderQueued = false;
      if (needFilter) refilter();
      needFilter = false;
      render();
    });
  }

  function markOf(r) {
    if (r.status !== 200) return el('span', { class: 'badge fail', title: r.reason }, String(r.status));
    if (r.verified === true) return el('span', { class: 'ok', title: 'verified' }, '✓');
    if (r.verified === false) return el('span', { class: 'fail', title: 'verification failed' }, '✗');
    return el('span', { class: 'muted', title: 'not checked' }, '·');
  }

  // msOf shows a latency: two decimals under a millisecond (a local app
  // often answers in 0.04 ms), one above.
  function msOf(ms) { return ms.toFixed(ms < 1 ? 2 : 1) + 'ms'; }

  function fwdOf(r) {
    const f = r.forward;
    if (!f) return '';
    if (f.error) return el('span', { class: 'fail', title: f.error }, 'error');
    const ok = f.status >= 200 && f.status < 300;
    return el('span', { class: ok ? 'ok' : 'fail', title: f.url }, f.status + ' ' + msOf(f.latency_ms));
  }

  function timeOf(r) {
    if (!r.received_at) return '--:--:--';
    const d = new Date(r.received_at);
    return d.toTimeString().slice(0, 8);
  }

  // rowEl builds an element for a row (a gap or an event); fillRow puts a
  // row's content in an element of its type. What depends on its place
  // (index, cursor, selection) is set by render. Handlers read the row the
  // element shows when they run (n.row), so an element can be given
  // another row instead of being built again.
  function rowEl(r) {
    let n;
    if (r.gap) {
      n = el('div', { class: 'row gap', onclick: () => loadGap(n.row) });
    } else {
      const box = el('input', { type: 'checkbox', 'aria-label': 'select', onclick: (e) => { e.stopPropagation(); toggleSel(n.row.id); } });
      n = el('div', { class: 'row', onclick: () => { state.cursor = state.view.indexOf(n.row); open(n.row.id); } },
        el('span', { class: 'c-sel' }, box),
        el('span', { class: 'c-time' }),
        el('span', { class: 'c-fam' }),
        el('span', { class: 'c-kind' }),
        el('span', { class: 'c-mark' }),
        el('span', { class: 'c-sum' }),
        el('span', { class: 'c-fwd' }));
    }
    fillRow(n, r);
    return n;
  }

  function fillRow(n, r) {
    n.row = r;
    n.stamp = stampOf(r);
    if (r.gap) {
      setText(n, '… ' + r.count + ' event(s) arrived faster than the page shows them: click to load');
      return;
    }
    const c = n.children;
    n.classList.toggle('rejected', r.status !== 200);
    setAttr(n, 'data-id', String(r.id));
    setText(c[1], timeOf(r));
    setAttr(c[2], 'class', 'c-fam fam-' + (r.family || 'unknown'));
    setText(c[2], r.family);
    setAttr(c[3], 'title', r.kind);
    setText(c[3], r.kind);
    const mark = r.status + '/' + r.verified + '/' + r.duplicate + '/' + r.reason;
    if (c[4].dataset.mark !== mark) {
      c[4].dataset.mark = mark;
      c[4].replaceChildren(markOf(r), r.duplicate ? el('span', { class: 'warn', title: 'duplicate' }, ' dup') : '');
    }
    const sum = [];
    if (r.status !== 200) sum.push(r.method + ' ' + r.path + ' ' + r.reason);
    else {
      for (const f of r.fields) sum.push(f.label + '=' + f.value);
      if (r.text) sum.push('"' + r.text + '"');
    }
    if (r.duplicate) sum.unshift('duplicate');
    const text = sum.join(' ');
    setAttr(c[5], 'title', text);
    setText(c[5], text);
    c[6].replaceChildren(fwdOf(r));
  }

  // stampOf changes when a row's own content does (a forward result came).
  function stampOf(r) {
    if (r.gap) return 'g' + r.count;
    const f = r.forward;
    return f ? f.status + '/' + f.latency_ms + '/' + (f.error || '') : '';
  }

  // The elements drawn last, by row: render keeps them for the rows still
  // on screen (a row under the pointer stays the same element, so a click
  // lands while others come), and gives the others' elements to the rows
  // that came on screen: a flood's redraw changes texts, not elements.
  let drawn = new Map();

  // setText and setAttr change the page only when the value differs:
  // setting an equal text again still costs a layout.
  function setText(n, t) { if (n.textContent !== t) n.textContent = t; }
  function setAttr(n, k, v) { if (n.getAttribute(k) !== v) n.setAttribute(k, v); }

  function render() {
    const vp = $('viewport');
    // The geometry is read before anything changes: a read after a change
    // would force a layout of its own besides the frame's.
    const top = vp.scrollTop;
    const fit = Math.ceil(vp.clientHeight / ROW_H);
    const first = Math.max(0, Math.min(Math.floor(top / ROW_H), state.view.length - fit) - 4);
    const last = Math.min(state.view.length, first + fit + 8);
    const spacer = $('spacer');
    const height = (state.view.length * ROW_H) + 'px';
    if (spacer.style.height !== height) spacer.style.height = height;
    const box = $('rows');
    const shift = 'translateY(' + (first * ROW_H) + 'px)';
    if (box.style.transform !== shift) box.style.transform = shift;
    const next = new Map();
    const els = [];
    const on = new Set(state.view.slice(first, last));
    const spare = { gap: [], row: [] };
    for (const [r, n] of drawn) if (!on.has(r)) spare[r.gap ? 'gap' : 'row'].push(n);
    for (let i = first; i < last; i++) {
      const r = state.view[i];
      let n = drawn.get(r);
      if (!n) {
        n = spare[r.gap ? 'gap' : 'row'].pop();
        if (n) fillRow(n, r); else n = rowEl(r);
      } else if (n.stamp !== stampOf(r)) {
        fillRow(n, r);
      }
      next.set(r, n);
      if (n.dataset.index !== String(i)) n.dataset.index = String(i);
      n.classList.toggle('cur', i === state.cursor);
      if (!r.gap) {
        const sel = state.selected.has(r.id);
        n.classList.toggle('sel', sel);
        const b = n.firstChild.firstChild;
        if (b.checked !== sel) b.checked = sel;
      }
      els.push(n);
    }
    drawn = next;
    const kids = box.children;
    let same = kids.length === els.length;
    for (let i = 0; same && i < els.length; i++) same = kids[i] === els[i];
    if (!same) box.replaceChildren(...els);
    const empty = $('empty');
    if (empty.hidden !== state.view.length > 0) empty.hidden = state.view.length > 0;
    setText($('counts'), state.events + ' event(s)' + (state.view.length !== state.rows.length ? ', ' + state.view.length + ' shown' : '') +
      (state.selected.size ? ', ' + state.selected.size + ' selected' : ''));
    updateKinds();
    updateTools();
  }

  function updateKinds() {
    const sel = $('f-kind');
    if (sel.options.length - 1 === state.kinds.size) return;
    const cur = sel.value;
    const opts = [el('option', { value: '' }, 'every kind')];
    for (const k of Array.from(state.kinds).sort()) opts.push(el('option', { value: k }, k));
    sel.replaceChildren(...opts);
    sel.value = cur;
  }

  function idsParam(ids) { return Array.from(ids).sort((a, b) => a - b).join(','); }

  function updateTools() {
    const n = state.selected.size;
    if ($('btn-compare').disabled !== (n !== 2)) $('btn-compare').disabled = n !== 2;
    if ($('btn-replay-sel').disabled !== (n === 0)) $('btn-replay-sel').disabled = n === 0;
    const q = n ? '&ids=' + idsParam(state.selected) : '';
    setAttr($('export-jsonl'), 'href', '/api/export?format=jsonl' + q);
    setAttr($('export-har'), 'href', '/api/export?format=har' + q);
    setText($('export-jsonl'), n ? 'Download ' + n + ' as JSONL' : 'Download JSONL');
    setText($('export-har'), n ? 'Download ' + n + ' as HAR' : 'Download HAR');
  }

  function toggleSel(id) {
    if (state.selected.has(id)) state.selected.delete(id); else state.selected.add(id);
    scheduleRender(false);
  }

  async function loadGap(g) {
    const rows = await getJSON('/api/events?limit=1000&after=' + (g.first_id - 1) + '&before=' + (g.last_id + 1));
    const at = state.rows.indexOf(g);
    if (at < 0) return;
    const fresh = rows.events.filter((r) => !state.byId.has(r.id));
    for (const r of fresh) { state.byId.set(r.id, r); state.kinds.add(r.kind); }
    const rest = [];
    if (rows.has_more && fresh.length) {
      const lowest = fresh[fresh.length - 1].id;
      rest.push({ gap: true, first_id: g.first_id, last_id: lowest - 1, count: lowest - g.first_id });
    }
    state.rows.splice(at, 1, ...fresh, ...rest);
    trim();
    scheduleRender(true);
  }

  // ---- the live feed ----
  function connect(after) {
    const es = new EventSource('/api/stream?after=' + after);
    const conn = $('conn');
    es.addEventListener('open', () => { conn.textContent = '● live'; conn.className = 'conn live'; });
    es.addEventListener('error', () => { conn.textContent = '○ reconnecting…'; conn.className = 'conn down'; });
    es.addEventListener('events', (m) => { addRows(JSON.parse(m.data).events); searchAgain(); });
    es.addEventListener('skipped', (m) => {
      const g = JSON.parse(m.data);
      if (g.count > 0) { state.rows.unshift({ gap: true, first_id: g.first_id, last_id: g.last_id, count: g.count }); trim(); scheduleRender(true); }
      if (g.stale) refreshLater();
    });
    es.addEventListener('lost', () => reload());
    es.addEventListener('reset', () => { state.rows = []; state.byId.clear(); scheduleRender(true); });
  }

  // refreshLater fetches the rows the page holds again once a flood is
  // over (no skipped message for 1.5 s; a flood sends one a second): the
  // flood's messages left out forward results of rows already shown.
  let refreshTimer = 0;
  function refreshLater() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refreshHeld, 1500);
  }
  async function refreshHeld() {
    refreshTimer = 0;
    const held = state.rows.reduce((n, r) => n + (r.gap ? 0 : 1), 0);
    let before = 0;
    for (let got = 0; got < held;) {
      const page = await getJSON('/api/events?limit=1000' + (before ? '&before=' + before : ''));
      for (const r of page.events) { const old = state.byId.get(r.id); if (old) Object.assign(old, r); }
      got += page.events.length;
      if (!page.has_more || !page.events.length) break;
      before = page.events[page.events.length - 1].id;
    }
    scheduleRender(true);
  }

  async function reload() {
    const out = [];
    let before = 0;
    for (;;) {
      const page = await getJSON('/api/events?limit=1000' + (before ? '&before=' + before : ''));
      out.push(...page.events);
      if (!page.has_more || !page.events.length || out.length >= state.max) break;
      before = page.events[page.events.length - 1].id;
    }
    state.rows = [];
    state.byId.clear();
    for (const r of out) { state.rows.push(r); state.byId.set(r.id, r); state.kinds.add(r.kind); }
    scheduleRender(true);
  }

  // ---- text search (server side: it reads the bodies) ----
  let searchTimer = 0;
  let searchBusy = false;
  function searchAgain() {
    if (!state.search || searchTimer) return;
    searchTimer = setTimeout(() => { searchTimer = 0; runSearch(); }, 1000);
  }
  async function runSearch() {
    const q = $('f-q').value.trim();
    if (!q) { state.search = null; scheduleRender(true); return; }
    if (searchBusy) return;
    searchBusy = true;
    try {
      const page = await getJSON('/api/events?limit=1000&q=' + encodeURIComponent(q));
      state.search = page.events.map((r) => state.byId.get(r.id) || r);
    } finally { searchBusy = false; }
    scheduleRender(true);
  }

  // ---- the detail ----
  async function open(id) {
    state.openId = id;
    scheduleRender(false);
    const pane = $('detail');
    pane.hidden = false;
    let d;
    try {
      d = await getJSON('/api/events/' + id + (state.reveal ? '?reveal=1' : ''));
    } catch (e) {
      pane.replaceChildren(el('p', { class: 'fail' }, e.message));
      return;
    }
    if (state.openId !== id) return;
    pane.dataset.id = String(id);
    pane.replaceChildren(...detailView(d));
  }

  function kvTable(obj) {
    const names = Object.keys(obj).sort();
    if (!names.length) return el('p', { class: 'muted' }, 'none');
    return el('table', { class: 'kv' }, ...names.map((k) => el('tr', {}, el('td', {}, k), el('td', {}, obj[k]))));
  }

  function detailView(d) {
    const out = [];
    const v = d.verification;
    out.push(el('h2', {}, el('span', { class: 'fam-' + d.family }, d.family), ' ', d.kind, ' ',
      el('span', { class: 'muted' }, '#' + d.id)));
    out.push(el('div', { class: 'reqline' }, d.request_line, ' ', el('span', { class: d.status === 200 ? 'ok' : 'fail' }, '→ ' + d.status),
      d.reason ? ' ' + d.reason : ''));
    if (d.description) {
      out.push(el('p', { class: 'what' }, el('span', { class: 'lbl' }, 'What this is: '), d.description,
        d.docs_url ? el('span', {}, ' · ', el('a', { href: d.docs_url, target: '_blank', rel: 'noopener noreferrer' }, 'docs')) : ''));
    }
    out.push(el('p', { class: 'explain ' + v.state, id: 'verification' },
      el('span', { class: v.state === 'verified' ? 'ok' : v.state === 'failed' ? 'fail' : 'muted' }, v.mark), ' ', v.explanation));
    if (d.duplicate) out.push(el('p', { class: 'warn' }, 'duplicate: the same body arrived within the last 2 minutes (LiveChat retries)'));
    if (d.source) out.push(el('p', { class: 'muted' }, 'from ' + d.source));
    if (!d.exact) out.push(el('p', { class: 'warn' }, 'read from a --json stream or a bare body: secrets were redacted there, so this is not exactly the request that arrived'));
    out.push(el('h2', {}, 'Headers'), kvTable(d.headers));
    out.push(el('h2', {}, 'Body ', el('span', { class: 'muted' }, '(' + d.size + ' bytes)')));
    out.push(el('div', { class: 'tools' },
      el('button', { type: 'button', id: 'btn-reveal', onclick: () => { state.reveal = !state.reveal; open(d.id); } },
        state.reveal ? 'Hide secret_key' : (d.redacted ? 'Reveal secret_key' : 'Show as received')),
      el('a', { class: 'button', href: '/api/events/' + d.id + '/body', download: 'event-' + d.id + '.json' }, 'Download exact bytes'),
      el('button', { type: 'button', onclick: () => copyCurl(d) }, 'Copy as curl'),
      el('button', { type: 'button', onclick: () => editor(d) }, 'Edit and send')));
    out.push(d.body_is_json ? jsonView(d.body) : el('pre', { class: 'json plain', id: 'body' }, d.body));
    out.push(el('div', { id: 'extra' }));
    if (d.forward) out.push(...forwardView(d.forward));
    out.push(el('h2', {}, 'Replay'), replayForm(d));
    return out;
  }

  function forwardView(f) {
    const out = [el('h2', {}, 'Forwarded to the app')];
    out.push(el('div', { class: 'mono' }, f.url, ' → ',
      f.error ? el('span', { class: 'fail' }, f.error) :
        el('span', { class: f.status >= 200 && f.status < 300 ? 'ok' : 'fail' }, String(f.status)),
      ' ', el('span', { class: 'muted' }, msOf(f.latency_ms))));
    if (f.headers) out.push(el('h2', {}, 'Response headers'), kvTable(f.headers));
    if (f.body) out.push(el('h2', {}, 'Response body'), el('pre', { class: 'json plain' }, f.body));
    return out;
  }

  function replayForm(d) {
    const to = el('input', { type: 'url', placeholder: d.forward_to || 'http://localhost:3000/webhooks', value: d.forward_to || '', 'aria-label': 'replay to' });
    const list = el('ul', { class: 'attempts', id: 'replay-log' });
    const go = el('button', { type: 'button', class: 'primary', id: 'btn-replay',
      onclick: () => runReplay('/api/replay', { ids: [d.id], to: to.value.trim() }, list) }, 'Replay');
    return el('div', {}, el('div', { class: 'tools' }, to, go),
      el('p', { class: 'muted' }, 'As LiveChat delivers: 10 s per attempt, success only on 200, up to 3 retries of the same bytes.'), list);
  }

  // runReplay posts and shows each NDJSON line as it comes.
  async function runReplay(path, payload, list) {
    list.replaceChildren(el('li', { class: 'muted' }, 'sending…'));
    let r;
    try {
      r = await api(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) });
    } catch (e) {
      list.replaceChildren(el('li', { class: 'fail' }, e.message));
      return;
    }
    list.replaceChildren();
    const reader = r.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line) list.append(progressItem(JSON.parse(line)));
      }
    }
  }

  function progressItem(p) {
    if (p.type === 'done') return el('li', { class: p.failed ? 'fail' : 'ok', 'data-type': 'done' }, 'done: ' + p.delivered + ' delivered, ' + p.failed + ' failed');
    const what = p.type === 'attempt' ? 'attempt ' + p.attempt : (p.ok ? '✓ delivered' : '✗ failed') + ' after ' + p.attempts + ' attempt(s)';
    return el('li', { class: p.ok ? 'ok' : 'fail', 'data-type': p.type },
      (p.id ? '#' + p.id + ' ' : '') + what + ' → ' + (p.status || '---') + ' ' + msOf(p.latency_ms) +
      (p.error ? '  ' + p.error : '') + (p.warning ? '  (' + p.warning + ')' : '') + (p.body && !p.ok ? '  ' + p.body : ''));
  }

  async function copyCurl(d) {
    const to = (document.querySelector('#detail input[type=url]') || {}).value || '';
    const txt = await (await api('/api/events/' + d.id + '/curl' + (to ? '?to=' + encodeURIComponent(to) : ''))).text();
    const box = $('extra');
    box.replaceChildren(el('h2', {}, 'curl'), el('pre', { class: 'json plain', id: 'curl' }, txt));
    try { await navigator.clipboard.writeText(txt); box.append(el('p', { class: 'ok' }, 'copied to the clipboard')); } catch (e) {
      box.append(el('p', { class: 'muted' }, 'the clipboard is not available here: copy it from above'));
    }
  }

  async function editor(d) {
    const full = await getJSON('/api/events/' + d.id + '?reveal=1');
    let start = full.body;
    try { start = JSON.stringify(JSON.parse(full.body), null, 2); } catch (e) { /* keep as is */ }
    const ta = el('textarea', { class: 'editor', spellcheck: 'false', 'aria-label': 'body to send' });
    ta.value = start;
    const msg = el('p', { class: 'muted' }, 'valid JSON');
    const to = el('input', { type: 'url', value: d.forward_to || '', placeholder: 'http://localhost:3000/webhooks', 'aria-label': 'send to' });
    const list = el('ul', { class: 'attempts' });
    const send = el('button', { type: 'button', class: 'primary',
      onclick: () => runReplay('/api/send', { to: to.value.trim(), body: ta.value, from: d.id }, list) }, 'Send');
    ta.addEventListener('input', () => {
      try { JSON.parse(ta.value); msg.textContent = 'valid JSON'; msg.className = 'muted'; ta.classList.remove('bad'); send.disabled = false; } catch (e) {
        msg.textContent = 'not valid JSON: ' + e.message; msg.className = 'fail'; ta.classList.add('bad'); send.disabled = true;
      }
    });
    $('extra').replaceChildren(el('h2', {}, 'Edit and send'), ta, msg, el('div', { class: 'tools' }, to, send), list);
  }

  // ---- JSON: parsed from the raw text, so numbers and key order stay as sent ----
  function parseJSON(s) {
    let i = 0;
    const ws = () => { while (i < s.length && ' \t\n\r'.includes(s[i])) i++; };
    function value() {
      ws();
      const c = s[i];
      if (c === '{' || c === '[') {
        const close = c === '{' ? '}' : ']';
        const node = { t: c === '{' ? 'obj' : 'arr', kids: [] };
        i++; ws();
        if (s[i] === close) { i++; return node; }
        for (;;) {
          ws();
          let key = null;
          if (node.t === 'obj') { key = str(); ws(); i++; }
          node.kids.push({ key, val: value() });
          ws();
          if (s[i] === ',') { i++; continue; }
          i++;
          return node;
        }
      }
      if (c === '"') return { t: 'str', raw: str() };
      const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(s.slice(i, i + 400));
      if (!m) throw new Error('bad JSON at ' + i);
      i += m[0].length;
      return { t: /^[-\d]/.test(m[0]) ? 'num' : 'lit', raw: m[0] };
    }
    function str() {
      const start = i++;
      while (s[i] !== '"') { if (s[i] === '\\') i++; i++; }
      i++;
      return s.slice(start, i);
    }
    return value();
  }

  function jsonNode(node, depth, last) {
    const comma = last ? '' : ',';
    if (node.t !== 'obj' && node.t !== 'arr') {
      const cls = node.t === 'str' ? 'j-str' : node.t === 'num' ? 'j-num' : 'j-lit';
      return [el('span', { class: cls }, node.raw), comma];
    }
    const [o, c] = node.t === 'obj' ? ['{', '}'] : ['[', ']'];
    if (!node.kids.length) return [o + c + comma];
    const inner = el('span', {});
    const pad = '  '.repeat(depth + 1);
    node.kids.forEach((k, n) => {
      inner.append('\n' + pad);
      if (k.key !== null) inner.append(el('span', { class: 'j-key' }, k.key), ': ');
      inner.append(...jsonNode(k.val, depth + 1, n === node.kids.length - 1));
    });
    inner.append('\n' + '  '.repeat(depth));
    const more = el('span', { class: 'j-more', hidden: true }, ' … ' + node.kids.length + ' ' + plural(node.kids.length, node.t === 'obj' ? 'key' : 'item') + ' ');
    const tog = el('span', { class: 'j-tog', title: 'fold' }, '▾');
    const flip = () => {
      const folded = !inner.hidden;
      inner.hidden = folded; more.hidden = !folded; tog.textContent = folded ? '▸' : '▾';
    };
    tog.addEventListener('click', flip);
    more.addEventListener('click', flip);
    if (depth >= 4) { inner.hidden = true; more.hidden = false; tog.textContent = '▸'; }
    return [tog, o, inner, more, c + comma];
  }

  function jsonView(text) {
    const pre = el('pre', { class: 'json', id: 'body' });
    try { pre.append(...jsonNode(parseJSON(text), 0, true)); } catch (e) { pre.textContent = text; }
    return pre;
  }

  // ---- compare two ----
  async function compare() {
    const [a, b] = Array.from(state.selected).sort((x, y) => x - y);
    const d = await getJSON('/api/diff?a=' + a + '&b=' + b);
    const rows = d.differences.map((x) => el('tr', { class: x.op }, el('td', {}, x.path || '(whole body)'), el('td', {}, x.op),
      el('td', {}, x.a === null ? '' : x.a), el('td', {}, x.b === null ? '' : x.b)));
    modal(el('h2', {}, 'Body #' + a + ' → #' + b),
      rows.length ? el('table', { class: 'diff', id: 'diff' }, el('tr', {}, el('th', {}, 'path'), el('th', {}, ''), el('th', {}, '#' + a), el('th', {}, '#' + b)), ...rows)
        : el('p', {}, 'The bodies are the same.'),
      d.truncated ? el('p', { class: 'muted' }, 'only the first 1000 differences') : '');
  }

  function modal(...kids) {
    $('modal-body').replaceChildren(...kids);
    $('modal').hidden = false;
  }

  async function replaySelected() {
    const list = el('ul', { class: 'attempts' });
    const to = el('input', { type: 'url', placeholder: 'empty: each event to its --forward-to target', 'aria-label': 'replay to' });
    const ids = Array.from(state.selected).sort((x, y) => x - y);
    modal(el('h2', {}, 'Replay ' + ids.length + ' event(s)'),
      el('div', { class: 'tools' }, to, el('button', { type: 'button', class: 'primary', onclick: () => runReplay('/api/replay', { ids, to: to.value.trim() }, list) }, 'Replay')), list);
  }

  // ---- charts: inline SVG ----
  const PALETTE = ['#c2410c', '#1d4ed8', '#15803d', '#7c3aed', '#b45309', '#0e7490', '#9ca3af'];
  const svg = (tag, attrs) => {
    const n = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, v);
    return n;
  };

  function kindsChart(st) {
    const box = $('chart-kinds');
    const tl = st.timeline;
    if (!tl.buckets.length) { box.replaceChildren(el('p', { class: 'muted' }, 'no events yet')); return; }
    const top = Object.entries(st.by_kind).sort((a, b) => b[1] - a[1]).slice(0, 6).map((x) => x[0]);
    const W = 420, H = 140, bw = W / tl.buckets.length;
    const totals = tl.buckets.map((b) => Object.values(b).reduce((x, y) => x + y, 0));
    const peak = Math.max(1, ...totals);
    const s = svg('svg', { viewBox: '0 0 ' + W + ' ' + (H + 16), width: '100%', role: 'img' });
    tl.buckets.forEach((b, i) => {
      let y = H;
      const parts = top.map((k) => [k, b[k] || 0]);
      parts.push(['other', Object.entries(b).filter(([k]) => !top.includes(k)).reduce((x, [, n]) => x + n, 0)]);
      parts.forEach(([k, n], j) => {
        if (!n) return;
        const h = n / peak * H;
        y -= h;
        const r = svg('rect', { x: i * bw + 1, y, width: Math.max(1, bw - 2), height: h, fill: PALETTE[Math.min(j, PALETTE.length - 1)] });
        r.append(svg('title'));
        r.firstChild.textContent = k + ': ' + n;
        s.append(r);
      });
    });
    const t = svg('text', { x: 0, y: H + 12 });
    t.textContent = 'each bar ' + tl.bucket_seconds + ' s · peak ' + peak;
    s.append(t);
    const legend = el('div', { class: 'legend' }, ...top.concat(['other']).map((k, j) => {
      const sw = el('i');
      sw.style.background = PALETTE[Math.min(j, PALETTE.length - 1)];
      return el('span', {}, sw, k);
    }));
    box.replaceChildren(s, legend);
  }

  function latencyChart(st) {
    const box = $('chart-latency');
    const l = st.latency;
    if (!l.count) { box.replaceChildren(el('p', { class: 'muted' }, 'nothing forwarded yet (--forward-to)')); return; }
    const W = 420, H = 120, n = l.histogram.length, bw = W / n;
    const peak = Math.max(1, ...l.histogram);
    const s = svg('svg', { viewBox: '0 0 ' + W + ' ' + (H + 16), width: '100%', role: 'img' });
    l.histogram.forEach((c, i) => {
      const h = c / peak * H;
      s.append(svg('rect', { x: i * bw + 2, y: H - h, width: bw - 4, height: h, fill: '#1d4ed8' }));
      const t = svg('text', { x: i * bw + 2, y: H + 12 });
      t.textContent = i < l.bounds_ms.length ? '<' + l.bounds_ms[i] : '≥' + l.bounds_ms[n - 2];
      s.append(t);
    });
    box.replaceChildren(s, el('p', { class: 'mono' }, 'p50 ' + msOf(l.p50_ms) + ' · p90 ' + msOf(l.p90_ms) +
      ' · p99 ' + msOf(l.p99_ms) + ' · max ' + msOf(l.max_ms) + ' · ' + l.count + ' forwards'));
  }

  let chartsTimer = 0;
  async function drawCharts() {
    if ($('charts').hidden) return;
    const st = await getJSON('/api/stats');
    kindsChart(st);
    latencyChart(st);
  }

  // ---- keys ----
  function move(d) {
    if (!state.view.length) return;
    state.cursor = Math.max(0, Math.min(state.view.length - 1, state.cursor + d));
    const vp = $('viewport');
    const top = state.cursor * ROW_H;
    if (top < vp.scrollTop) vp.scrollTop = top;
    else if (top + ROW_H > vp.scrollTop + vp.clientHeight) vp.scrollTop = top + ROW_H - vp.clientHeight;
    scheduleRender(false);
  }

  document.addEventListener('keydown', (e) => {
    const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement;
    if (e.key === 'Escape') {
      if (!$('modal').hidden) $('modal').hidden = true;
      else if (typing) e.target.blur();
      else { $('detail').hidden = true; state.openId = 0; }
      return;
    }
    if (typing) return;
    if (e.key === '/') { e.preventDefault(); $('f-q').focus(); } else if (e.key === 'j' || e.key === 'ArrowDown') { e.preventDefault(); move(1); } else if (e.key === 'k' || e.key === 'ArrowUp') { e.preventDefault(); move(-1); } else if (e.key === 'Enter') {
      const r = state.view[state.cursor];
      if (r && !r.gap) open(r.id); else if (r) loadGap(r);
    } else if (e.key === 'x') {
      const r = state.view[state.cursor];
      if (r && !r.gap) toggleSel(r.id);
    }
  });

  // ---- start ----
  async function start() {
    if (location.search.includes('token=')) history.replaceState(null, '', '/');
    for (const id of ['f-family', 'f-kind', 'f-verified', 'f-dup', 'f-status']) $(id).addEventListener('change', () => scheduleRender(true));
    $('f-q').addEventListener('input', () => { clearTimeout(searchTimer); searchTimer = setTimeout(() => { searchTimer = 0; runSearch(); }, 250); });
    $('viewport').addEventListener('scroll', () => scheduleRender(false), { passive: true });
    window.addEventListener('resize', () => scheduleRender(false));
    $('btn-compare').addEventListener('click', compare);
    $('btn-replay-sel').addEventListener('click', replaySelected);
    $('btn-charts').addEventListener('click', () => {
      $('charts').hidden = !$('charts').hidden;
      clearInterval(chartsTimer);
      if (!$('charts').hidden) { drawCharts(); chartsTimer = setInterval(drawCharts, 2000); }
    });
    $('modal-close').addEventListener('click', () => { $('modal').hidden = true; });
    const info = await getJSON('/api/info');
    state.info = info;
    state.max = info.max_events;
    if (info.listen_url) $('try').textContent = 'lcwh send-sample --all --url ' + info.listen_url;
    if (!live) {
      $('conn').textContent = 'files: ' + info.files.join(', ');
      $('conn').className = 'conn files';
      $('empty').textContent = 'These files hold no events.';
    }
    await reload();
    if (live) connect(info.last_event_id);
    document.body.dataset.ready = '1';
  }
  start().catch((e) => { $('conn').textContent = e.message; $('conn').className = 'conn down'; });
})();
