// The operator console's shared code: sign-in, the API client, the fetch-based event stream reader, small DOM helpers.
// How the page authenticates: the API key is typed once into the sign-in form and kept in this tab's sessionStorage
// (gone when the tab closes; never in localStorage, a cookie or a URL). Every API call sends it as the X-Api-Key header.
// Event streams are read with fetch() and a stream reader rather than EventSource, because EventSource cannot send a header.
'use strict';

const KeyStorage = 'executus.console.key';

const Pages = [
  ['runs.html', 'Runs'],
  ['spend.html', 'Spend'],
  ['audit.html', 'Audit'],
  ['skills.html', 'Skills & personas'],
  ['schedules.html', 'Schedules'],
];

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const ui = {
  me: null,

  key() {
    return sessionStorage.getItem(KeyStorage);
  },

  headers(extra) {
    return Object.assign({ 'X-Api-Key': ui.key() ?? '' }, extra ?? {});
  },

  async api(path, options) {
    const init = { method: options?.method ?? 'GET', headers: ui.headers({ Accept: 'application/json' }), signal: options?.signal };
    if (options?.body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }

    const response = await fetch(path, init);
    const text = await response.text();
    let data = null;
    try {
      data = text.length > 0 ? JSON.parse(text) : null;
    } catch {
      data = { error: text };
    }

    if (response.status === 401) {
      ui.signOut('Your API key was not accepted. Sign in again.');
      throw new ApiError(401, 'not signed in');
    }

    if (!response.ok) {
      throw new ApiError(response.status, data?.error ?? `${response.status} ${response.statusText}`);
    }

    return data;
  },

  // Reads Server-Sent Events from a fetch response: onEvent(type, data) for each event; returns when the stream ends.
  async stream(path, onEvent, options) {
    const init = { method: options?.method ?? 'GET', headers: ui.headers({ Accept: 'text/event-stream' }), signal: options?.signal };
    if (options?.body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }

    const response = await fetch(path, init);
    if (!response.ok) {
      let message = `${response.status} ${response.statusText}`;
      try {
        message = (await response.json()).error ?? message;
      } catch {
        // keep the status line
      }

      throw new ApiError(response.status, message);
    }

    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        return;
      }

      buffer += value.replaceAll('\r\n', '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let type = 'message';
        const data = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) {
            type = line.slice(6).trim();
          } else if (line.startsWith('data:')) {
            data.push(line.slice(5).trimStart());
          }
        }

        if (data.length > 0) {
          onEvent(type, JSON.parse(data.join('\n')));
        }
      }
    }
  },

  // el('a', { href: '#', class: 'x' }, 'text', child) — attributes (on* are listeners), then children (strings become text).
  el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes ?? {})) {
      if (value === null || value === undefined || value === false) {
        continue;
      }

      if (name.startsWith('on')) {
        node.addEventListener(name.slice(2), value);
      } else if (name === 'class') {
        node.className = value;
      } else if (value === true) {
        node.setAttribute(name, '');
      } else {
        node.setAttribute(name, String(value));
      }
    }

    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== false) {
        node.append(child instanceof Node ? child : String(child));
      }
    }

    return node;
  },

  // Fills a table body; each row is an array of cells (a string, a node, or { value, class }). Cells get data-label
  // from the table's header, which the narrow layout shows beside each value.
  fillTable(table, rows, empty) {
    const labels = [...table.tHead.rows[0].cells].map(c => c.textContent.trim());
    const body = table.tBodies[0];
    body.replaceChildren();
    if (rows.length === 0) {
      body.append(ui.el('tr', {}, ui.el('td', { colspan: labels.length, class: 'empty' }, empty ?? 'Nothing here yet.')));
      return;
    }

    for (const row of rows) {
      const tr = ui.el('tr', row.attributes ?? {});
      (row.cells ?? row).forEach((cell, i) => {
        const plain = cell === null || cell === undefined || typeof cell !== 'object' || cell instanceof Node;
        tr.append(ui.el('td', { 'data-label': labels[i], class: plain ? null : cell.class }, plain ? (cell ?? '') : cell.value));
      });
      body.append(tr);
    }
  },

  time(value) {
    if (!value) {
      return '';
    }

    const d = new Date(value);
    return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  },

  number(value, digits) {
    if (value === null || value === undefined) {
      return '';
    }

    return Number(value).toLocaleString(undefined, { maximumFractionDigits: digits ?? 0 });
  },

  runLink(runId) {
    return runId ? ui.el('a', { href: `run.html?id=${encodeURIComponent(runId)}`, class: 'mono' }, runId) : '';
  },

  // One polite live region per page for results of actions ("version 1 is active", errors).
  say(message, kind) {
    const region = document.getElementById('status');
    region.className = kind === 'error' ? 'status error' : 'status';
    region.textContent = message;
  },

  signOut(message) {
    sessionStorage.removeItem(KeyStorage);
    ui.me = null;
    showSignIn(message);
  },
};

function buildHeader() {
  const here = document.body.dataset.page === 'run' ? 'runs' : document.body.dataset.page;
  const nav = ui.el('nav', { 'aria-label': 'Console pages' },
    ui.el('ul', {}, Pages.map(([href, label]) =>
      ui.el('li', {}, ui.el('a', { href, 'aria-current': href === `${here}.html` ? 'page' : null }, label)))));
  const who = ui.el('div', { class: 'who', id: 'who' });
  const header = document.getElementById('top');
  header.replaceChildren(
    ui.el('a', { class: 'brand', href: 'runs.html' }, 'BotHost console'),
    nav,
    who);
}

function showWho() {
  const who = document.getElementById('who');
  if (!ui.me) {
    who.replaceChildren();
    return;
  }

  who.replaceChildren(
    ui.el('span', {}, 'Signed in as ', ui.el('strong', { id: 'who-caller' }, ui.me.caller), ' ',
      ui.el('span', { class: ui.me.operator ? 'badge operator' : 'badge' }, ui.me.operator ? 'operator' : 'own data only')),
    ui.el('button', { type: 'button', class: 'link', onclick: () => ui.signOut('Signed out.') }, 'Sign out'));
}

function showSignIn(message) {
  document.getElementById('content').hidden = true;
  const section = document.getElementById('signin');
  section.hidden = false;
  const error = document.getElementById('signin-message');
  error.textContent = message ?? '';
  showWho();
  document.getElementById('signin-key').focus();
}

function buildSignIn() {
  const section = ui.el('section', { id: 'signin', hidden: true, 'aria-labelledby': 'signin-title' },
    ui.el('h1', { id: 'signin-title' }, 'Sign in'),
    ui.el('p', {}, 'Enter your BotHost API key. It is kept only in this browser tab (sessionStorage) and sent with each request; closing the tab forgets it.'),
    ui.el('form', { id: 'signin-form', class: 'stack-form' },
      ui.el('label', { for: 'signin-key' }, 'API key'),
      ui.el('input', { id: 'signin-key', name: 'key', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' }),
      ui.el('button', { type: 'submit' }, 'Sign in')),
    ui.el('p', { id: 'signin-message', class: 'error', role: 'alert' }));
  document.getElementById('main').prepend(section);
  document.getElementById('signin-form').addEventListener('submit', async event => {
    event.preventDefault();
    sessionStorage.setItem(KeyStorage, document.getElementById('signin-key').value.trim());
    document.getElementById('signin-key').value = '';
    await start();
  });
}

async function start() {
  if (!ui.key()) {
    showSignIn();
    return;
  }

  try {
    ui.me = await ui.api('/api/console/me');
  } catch (error) {
    if (error.status !== 401) {
      showSignIn(`The console could not reach the bot: ${error.message}`);
    }

    return;
  }

  document.getElementById('signin').hidden = true;
  document.getElementById('content').hidden = false;
  document.body.classList.toggle('is-operator', ui.me.operator);
  showWho();
  try {
    await window.page?.init(ui.me);
  } catch (error) {
    ui.say(error.message, 'error');
  }
}

document.addEventListener('DOMContentLoaded', () => {
  buildHeader();
  buildSignIn();
  start();
});
