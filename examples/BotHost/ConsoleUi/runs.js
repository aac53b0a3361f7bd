// Runs: the live list (refreshed every 2 s), interrupted runs with Resume, and a chat box that opens the new run's page.
'use strict';

window.page = {
  async init(me) {
    document.getElementById('runs-scope').textContent = me.operator
      ? 'Every caller\u2019s runs (you are an operator). Refreshed every 2 seconds.'
      : 'Your runs only. Refreshed every 2 seconds.';
    document.getElementById('chat-form').addEventListener('submit', chat);
    await refresh();
    setInterval(() => refresh().catch(error => ui.say(error.message, 'error')), 2000);
  },
};

async function refresh() {
  // Why: re-rendering under a keyboard user's focus would throw it away; wait until focus leaves the tables.
  if (document.activeElement?.closest('table')) {
    return;
  }

  const data = await ui.api('/api/console/runs');
  ui.fillTable(document.getElementById('runs-table'), data.runs.map(r => ({
    attributes: { 'data-run': r.runId },
    cells: [
      ui.runLink(r.runId),
      r.agent,
      r.caller,
      ui.el('span', { class: `badge ${r.status}` }, r.status),
      ui.time(r.startedAt),
      { value: ui.number(r.tokens), class: 'num' },
    ],
  })), 'No runs yet in this process.');
  ui.fillTable(document.getElementById('interrupted-table'), data.interrupted.map(r => ({
    attributes: { 'data-run': r.runId },
    cells: [
      ui.runLink(r.runId),
      r.agent,
      r.caller,
      { value: String(r.iteration), class: 'num' },
      ui.time(r.savedAt),
      ui.el('button', { type: 'button', 'aria-label': `Resume run ${r.runId}`, onclick: () => resume(r.runId) }, 'Resume'),
    ],
  })), 'No interrupted runs.');
}

async function resume(runId) {
  ui.say(`Resuming ${runId}…`);
  try {
    await ui.api(`/api/console/runs/${encodeURIComponent(runId)}/resume`, { method: 'POST' });
    location.href = `run.html?id=${encodeURIComponent(runId)}`;
  } catch (error) {
    ui.say(error.message, 'error');
  }
}

async function chat(event) {
  event.preventDefault();
  const input = document.getElementById('chat-message');
  const message = input.value.trim();
  const answer = document.getElementById('chat-answer');
  const send = document.getElementById('chat-send');
  answer.hidden = true;
  send.disabled = true;
  const abort = new AbortController();
  try {
    // The chat endpoint streams the run; the page only needs its id, then the run page follows it (the run goes on
    // when this reader stops: it belongs to the bot, not to the connection).
    await ui.stream('/api/chat', (type, data) => {
      if (type === 'run_started') {
        abort.abort();
        location.href = `run.html?id=${encodeURIComponent(data.runId)}`;
      } else if (type === 'command' || type === 'error') {
        answer.textContent = data.text ?? data.error;
        answer.hidden = false;
        ui.say(type === 'error' ? 'The command failed.' : 'Command done.', type === 'error' ? 'error' : null);
      }
    }, { method: 'POST', body: { message }, signal: abort.signal });
    input.value = '';
  } catch (error) {
    if (error.name !== 'AbortError') {
      ui.say(error.message, 'error');
    }
  } finally {
    send.disabled = false;
  }
}
