// Skills & personas: each skill's versions, the active one and its lifecycle state; an operator activates or rolls
// back a version and moves the state (Active/Retired; nothing returns to Draft). Every change is audited by the server
// with the operator's identity.
'use strict';

let canChange = false;

window.page = {
  async init() {
    await load();
  },
};

async function load() {
  const data = await ui.api('/api/console/skills');
  canChange = data.canChange;
  document.getElementById('skills-note').textContent = canChange
    ? 'You are an operator: you may activate or roll back a version and change a skill\u2019s state. The next run uses the active version.'
    : 'Read only: only an operator changes skills.';
  const box = document.getElementById('skills');
  box.replaceChildren(...(data.skills.length === 0 ? [ui.el('p', { class: 'empty' }, 'No skills.')] : data.skills.map(skill)));
  ui.fillTable(document.getElementById('personas-table'), data.personas.map(p => [
    ui.el('strong', {}, p.name), p.version ?? '', p.tier ?? '', p.tools.join(', '), p.allowedRoles.length ? p.allowedRoles.join(', ') : 'everyone', p.description ?? '',
  ]), 'No personas you may use.');
}

function skill(s) {
  const id = `skill-${s.tenant ?? 'shared'}-${s.name}`;
  const head = ui.el('div', { class: 'skill-head' },
    ui.el('h3', { id: `${id}-title` }, s.name),
    ui.el('span', { class: 'muted' }, s.tenant ? `tenant ${s.tenant}` : 'shared'),
    ui.el('span', { class: `badge ${s.state}`, 'data-state': s.state }, s.state),
    ui.el('span', { 'data-active': s.activeVersion }, `active v${s.activeVersion} of ${s.latestVersion}`));
  if (canChange) {
    const next = s.state === 'Active' ? 'Retired' : 'Active';
    head.append(ui.el('button', {
      type: 'button', class: next === 'Retired' ? 'danger' : 'secondary',
      onclick: () => change('/api/console/skills/state', { tenant: s.tenant, name: s.name, state: next }, `${s.name} is now ${next.toLowerCase()}`),
    }, next === 'Retired' ? `Retire ${s.name}` : `Activate ${s.name}`));
  }

  const table = ui.el('table', { class: 'stack' },
    ui.el('caption', { class: 'visually-hidden' }, `Versions of ${s.name}`),
    ui.el('thead', {}, ui.el('tr', {}, ['Version', 'Created', 'Description', 'Active'].map(h => ui.el('th', { scope: 'col' }, h)))),
    ui.el('tbody'));
  const section = ui.el('section', { class: 'skill', id, 'aria-labelledby': `${id}-title`, 'data-skill': s.name }, head, ui.el('p', {}, s.description), ui.el('div', { class: 'table-wrap' }, table));
  ui.fillTable(table, s.versions.map(v => ({
    attributes: { class: v.active ? 'current' : null, 'data-version': v.version },
    cells: [
      `v${v.version}`,
      ui.time(v.createdAt),
      v.description,
      v.active ? ui.el('span', { class: 'badge ok' }, 'active')
        : canChange ? ui.el('button', {
          type: 'button', class: 'secondary',
          onclick: () => change('/api/console/skills/active', { tenant: s.tenant, name: s.name, version: v.version }, `${s.name}: version ${v.version} is active`),
        }, v.version < s.activeVersion ? `Roll back to v${v.version}` : `Activate v${v.version}`)
          : '',
    ],
  })));
  return section;
}

async function change(path, body, done) {
  try {
    await ui.api(path, { method: 'POST', body });
    await load();
    ui.say(done);
  } catch (error) {
    ui.say(error.message, 'error');
  }
}
