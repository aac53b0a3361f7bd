// Schedules: next fire times in each schedule's own zone, last outcome, enable/disable and run now. A non-operator sees
// and changes only its own schedules (enforced by the server); every change is audited with the caller's identity.
'use strict';

window.page = {
  async init() {
    await load();
  },
};

async function load() {
  const data = await ui.api('/api/console/schedules');
  document.getElementById('sched-note').textContent = data.all ? '(every caller)' : '(yours only)';
  ui.fillTable(document.getElementById('schedules-table'), data.schedules.map(s => ({
    attributes: { 'data-schedule': s.id },
    cells: [
      ui.el('span', { class: 'mono' }, s.id),
      s.owner,
      ui.el('span', {}, s.target, ': ', ui.el('q', {}, s.input)),
      ui.el('span', {}, ui.el('code', {}, s.cron), ` (${s.timeZone})`),
      s.error ? ui.el('span', { class: 'error' }, s.error)
        : s.enabled ? ui.el('ul', { class: 'plain' }, s.nextFires.map(t => ui.el('li', {}, t)))
          : ui.el('span', { class: 'badge warn' }, 'disabled'),
      s.lastOutcome ? ui.el('span', {}, ui.el('span', { class: `badge ${s.lastOutcome}` }, s.lastOutcome), ' ', ui.runLink(s.lastRunId), s.lastFireAt ? ` ${ui.time(s.lastFireAt)}` : '') : ui.el('span', { class: 'muted' }, 'not fired yet'),
      ui.el('div', { class: 'row' },
        ui.el('button', { type: 'button', class: 'secondary', 'aria-label': `${s.enabled ? 'Disable' : 'Enable'} ${s.id}`, onclick: () => enable(s.id, !s.enabled) }, s.enabled ? 'Disable' : 'Enable'),
        ui.el('button', { type: 'button', 'aria-label': `Run ${s.id} now`, onclick: event => runNow(s.id, event.currentTarget) }, 'Run now')),
    ],
  })), 'No schedules.');
}

async function enable(id, enabled) {
  try {
    await ui.api(`/api/console/schedules/${encodeURIComponent(id)}/enabled`, { method: 'POST', body: { enabled } });
    await load();
    ui.say(`${id} ${enabled ? 'enabled' : 'disabled'}.`);
  } catch (error) {
    ui.say(error.message, 'error');
  }
}

async function runNow(id, button) {
  button.disabled = true;
  ui.say(`Running ${id}…`);
  try {
    const result = await ui.api(`/api/console/schedules/${encodeURIComponent(id)}/run`, { method: 'POST' });
    await load();
    ui.say(`${id} ran: ${result.outcome} (run ${result.runId}).`);
  } catch (error) {
    ui.say(error.message, 'error');
    button.disabled = false;
  }
}
