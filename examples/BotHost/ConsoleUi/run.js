// One run: its summary and its events, streamed as they happen (a fetch-based Server-Sent Events reader), then its
// outcome. A run from before a restart is shown from the durable audit log instead.
'use strict';

const Labels = {
  run_started: 'Run started',
  model_call: 'Model call',
  tool_call: 'Tool call',
  tool_result: 'Tool result',
  budget_warning: 'Budget warning',
  compaction: 'Compaction',
  critic_verdict: 'Critic verdict',
  phase_started: 'Phase started',
  phase_ended: 'Phase ended',
  run_finished: 'Outcome',
};

const runId = new URLSearchParams(location.search).get('id') ?? '';

window.page = {
  async init() {
    document.getElementById('run-id').textContent = runId;
    document.title = `Run ${runId} — BotHost console`;
    if (!runId) {
      ui.say('No run id in the address (run.html?id=RUN).', 'error');
      return;
    }

    const data = await ui.api(`/api/console/runs/${encodeURIComponent(runId)}`);
    summary(data.run);
    if (data.live) {
      await follow();
    } else {
      showAudit(data.audit);
    }
  },
};

function summary(run) {
  const status = document.getElementById('run-status');
  status.textContent = run.status;
  status.className = `badge ${run.status}`;
  document.getElementById('run-agent').textContent = run.agent ?? '';
  document.getElementById('run-caller').textContent = run.caller ?? '';
  document.getElementById('run-started').textContent = ui.time(run.startedAt);
  document.getElementById('run-tokens').textContent = run.tokens === null || run.tokens === undefined ? '' : ui.number(run.tokens);
}

async function follow() {
  const badge = document.getElementById('live-badge');
  badge.hidden = false;
  try {
    await ui.stream(`/api/console/runs/${encodeURIComponent(runId)}/events`, (type, data) => {
      if (type === 'end') {
        summary(data);
        badge.hidden = true;
        return;
      }

      append(type, data);
      if (type === 'run_started') {
        summary({ ...data, status: 'running', caller: document.getElementById('run-caller').textContent, startedAt: data.at });
      } else if (type === 'run_finished') {
        document.getElementById('run-answer').textContent = data.text ?? '';
        document.getElementById('answer-panel').hidden = !data.text;
      }
    });
  } finally {
    badge.hidden = true;
  }
}

function append(type, e) {
  const list = document.getElementById('events');
  const classes = [`ev`, `ev-${type}`];
  if (e.denied) classes.push('denied');
  else if (e.failed) classes.push('failed');
  const head = ui.el('div', { class: 'ev-head' },
    ui.el('span', { class: 'ev-kind' }, Labels[type] ?? type),
    detail(type, e),
    ui.el('span', { class: 'ev-time' }, `step ${e.iteration}` + (e.at ? ` · ${ui.time(e.at)}` : '')));
  const item = ui.el('li', { class: classes.join(' '), 'data-type': type }, head);
  if (type === 'tool_call' && e.arguments) {
    item.append(ui.el('pre', { class: 'payload', 'aria-label': 'arguments' }, pretty(e.arguments)));
  } else if (type === 'tool_result' && e.result) {
    item.append(ui.el('pre', { class: 'payload', 'aria-label': 'result' }, e.result));
  } else if (type === 'run_finished' && e.warning) {
    item.append(ui.el('p', { class: 'error' }, e.warning));
  } else if (type === 'critic_verdict' && e.warning) {
    item.append(ui.el('p', {}, e.warning));
  }

  list.append(item);
}

function detail(type, e) {
  switch (type) {
    case 'run_started': return ui.el('span', {}, e.agent ?? '');
    case 'model_call': return ui.el('span', {}, `${e.model ?? 'model'} · ${ui.number(e.tokens)} tokens`);
    case 'tool_call': return ui.el('code', {}, e.tool);
    case 'tool_result': return ui.el('span', {}, ui.el('code', {}, e.tool), ' ',
      e.denied ? ui.el('span', { class: 'badge Denied' }, 'denied') : e.failed ? ui.el('span', { class: 'badge Failed' }, 'failed') : ui.el('span', { class: 'badge ok' }, 'ok'));
    case 'budget_warning': return ui.el('span', {}, e.warning ?? '');
    case 'compaction': return ui.el('span', {}, `${e.messagesBefore} → ${e.messagesAfter} messages`);
    case 'critic_verdict': return ui.el('span', {}, ui.el('span', { class: 'badge warn' }, e.verdict), ` at ${e.text}`);
    case 'phase_started': return ui.el('span', {}, e.phase);
    case 'phase_ended': return ui.el('span', {}, `${e.phase}: ${e.outcome}`);
    case 'run_finished': return ui.el('span', {}, ui.el('span', { class: `badge ${e.outcome}`, id: 'run-outcome' }, e.outcome), ` · ${ui.number(e.tokens)} tokens`);
    default: return ui.el('span', {});
  }
}

function pretty(json) {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

function showAudit(rows) {
  ui.say('This run is not live in this process: its events are read from the audit log.');
  for (const r of rows ?? []) {
    const item = ui.el('li', { class: `ev ev-audit`, 'data-type': r.kind },
      ui.el('div', { class: 'ev-head' },
        ui.el('span', { class: 'ev-kind' }, r.kind),
        ui.el('span', {}, r.tool ? ui.el('code', {}, r.tool) : '', ' ', r.outcome ? ui.el('span', { class: `badge ${r.outcome}` }, r.outcome) : ''),
        ui.el('span', { class: 'ev-time' }, ui.time(r.at))));
    if (r.arguments) item.append(ui.el('pre', { class: 'payload', 'aria-label': 'arguments' }, pretty(r.arguments)));
    if (r.detail) item.append(ui.el('p', {}, r.detail));
    document.getElementById('events').append(item);
  }
}
