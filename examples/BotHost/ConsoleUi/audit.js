// Audit: filters (run, caller, agent, tool, kind, outcome, time range), newest first, paged by the store's cursor. The
// filters live in the address, so a filtered view can be linked. A non-operator's caller filter is fixed to itself by
// the server.
'use strict';

const Fields = ['run', 'caller', 'agent', 'tool', 'kind', 'outcome', 'since', 'until', 'limit'];
let cursors = [null];
let page = 0;
// Why: searches can overlap (a second Enter before the first answer); only the newest one may fill the table.
let latest = 0;

window.page = {
  async init(me) {
    const form = document.getElementById('audit-form');
    const params = new URLSearchParams(location.search);
    for (const name of Fields) {
      if (params.has(name)) form.elements[name].value = name === 'since' || name === 'until' ? toLocalInput(params.get(name)) : params.get(name);
    }

    if (!me.operator) {
      const caller = document.getElementById('f-caller');
      caller.value = me.caller;
      caller.readOnly = true;
      caller.title = 'You see your own audit rows only.';
    }

    form.addEventListener('submit', event => {
      event.preventDefault();
      search();
    });
    document.getElementById('audit-clear').addEventListener('click', () => {
      for (const name of Fields) {
        if (name === 'limit' || (name === 'caller' && !me.operator)) continue;
        form.elements[name].value = '';
      }
      search();
    });
    document.getElementById('page-older').addEventListener('click', () => show(page + 1));
    document.getElementById('page-newer').addEventListener('click', () => show(page - 1));
    await search(true);
  },
};

function toLocalInput(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = n => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function filters() {
  const form = document.getElementById('audit-form');
  const query = new URLSearchParams();
  for (const name of Fields) {
    const value = form.elements[name].value.trim();
    if (!value) continue;
    // datetime-local is the browser's local time; the API takes an instant.
    query.set(name, name === 'since' || name === 'until' ? new Date(value).toISOString() : value);
  }

  return query;
}

async function search(first) {
  cursors = [null];
  if (!first) history.replaceState(null, '', `audit.html?${filters()}`);
  await show(0);
}

async function show(index) {
  const query = filters();
  if (cursors[index]) query.set('cursor', cursors[index]);
  const mine = ++latest;
  let data;
  try {
    data = await ui.api(`/api/console/audit?${query}`);
  } catch (error) {
    if (mine === latest) ui.say(error.message, 'error');
    return;
  }

  if (mine !== latest) return;

  const kind = document.getElementById('f-kind');
  if (kind.options.length === 1) {
    const chosen = new URLSearchParams(location.search).get('kind') ?? '';
    for (const k of data.kinds) kind.append(ui.el('option', { value: k, selected: k === chosen }, k));
  }

  page = index;
  cursors[index + 1] = data.nextCursor;
  ui.fillTable(document.getElementById('audit-table'), data.rows.map(r => ({
    attributes: { 'data-kind': r.kind },
    cells: [
      ui.time(r.at),
      r.kind,
      ui.runLink(r.runId),
      r.caller ?? '',
      r.agent ?? '',
      r.tool ? ui.el('code', {}, r.tool) : '',
      r.outcome ? ui.el('span', { class: `badge ${r.outcome}` }, r.outcome) : '',
      detailCell(r),
    ],
  })), 'No audit rows match.');
  document.getElementById('page-number').textContent = `Page ${index + 1}`;
  document.getElementById('page-newer').disabled = index === 0;
  document.getElementById('page-older').disabled = !data.nextCursor;
  document.getElementById('rows-note').textContent = data.all ? '(every caller)' : '(yours only)';
  ui.say(`${data.rows.length} row${data.rows.length === 1 ? '' : 's'} on page ${index + 1}.`);
}

function detailCell(r) {
  const parts = [];
  if (r.detail) parts.push(ui.el('span', {}, r.detail));
  if (r.model) parts.push(ui.el('span', { class: 'muted' }, ` ${r.model}${r.tokens ? `, ${ui.number(r.tokens)} tokens` : ''}`));
  if (r.arguments) parts.push(ui.el('code', { class: 'mono' }, ` ${r.arguments}`));
  if (r.data && r.kind === 'OperatorAction') parts.push(ui.el('span', { class: 'muted' }, ` (${r.data.action} ${r.data.target})`));
  return ui.el('span', {}, parts);
}
