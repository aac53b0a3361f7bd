// Spend: per-day spend over the budget's rolling window for one account, drawn as inline SVG with its running total
// and its limit (and warning threshold), plus the top spenders. A non-operator sees only its own caller account
// (the server refuses anything else).
'use strict';

const Svg = 'http://www.w3.org/2000/svg';

window.page = {
  async init(me) {
    const form = document.getElementById('spend-form');
    const scope = document.getElementById('spend-scope');
    if (!me.operator) {
      scope.disabled = true;
      document.getElementById('spend-key').disabled = true;
    }

    scope.addEventListener('change', () => load(scope.value, null));
    form.addEventListener('submit', event => {
      event.preventDefault();
      load(scope.value, document.getElementById('spend-key').value);
    });
    await load('caller', null);
  },
};

// Why: loads can overlap (a scope picked before the last answer came); only the newest one may draw.
let latest = 0;

async function load(scope, key) {
  const metric = document.getElementById('spend-metric').value;
  const query = new URLSearchParams({ scope });
  if (key) query.set('key', key);
  const mine = ++latest;
  let data;
  try {
    data = await ui.api(`/api/console/spend?${query}`);
  } catch (error) {
    if (mine === latest) ui.say(error.message, 'error');
    return;
  }

  if (mine !== latest) return;

  const keys = document.getElementById('spend-key');
  const names = data.top.map(t => t.name);
  if (data.chart && !names.includes(data.chart.name)) names.unshift(data.chart.name);
  keys.replaceChildren(...names.map(n => ui.el('option', { value: n, selected: data.chart?.name === n }, n === '' ? 'everyone' : n)));
  document.getElementById('window-note').textContent =
    `Rolling window ${data.window} (since ${ui.time(data.windowStart)}); days are UTC days.` +
    (data.all ? '' : ' You see your own spend only.');
  ui.fillTable(document.getElementById('top-table'), data.top.map(t => ({
    cells: [
      ui.el('button', { type: 'button', class: 'link', onclick: () => load(scope, t.name) }, t.key),
      { value: ui.number(t.tokens), class: 'num' },
      { value: ui.number(t.cost, 4), class: 'num' },
      limitCell(t),
    ],
  })), 'No spend in the window.');

  const box = document.getElementById('chart-box');
  box.replaceChildren();
  if (!data.chart) {
    box.append(ui.el('p', { class: 'empty' }, 'No spend in the window to chart.'));
    ui.fillTable(document.getElementById('days-table'), [], 'No spend.');
    return;
  }

  box.append(chart(data.chart, metric, data.softLimitPercent));
  let running = 0;
  ui.fillTable(document.getElementById('days-table'), data.chart.days.map(d => {
    running += metric === 'cost' ? d.cost : d.tokens;
    return { cells: [d.day, { value: ui.number(d.tokens), class: 'num' }, { value: ui.number(d.cost, 4), class: 'num' }, { value: ui.number(running, metric === 'cost' ? 4 : 0), class: 'num' }] };
  }));
}

function limitCell(t) {
  const limit = t.limitTokens ?? null;
  if (limit === null) return ui.el('span', { class: 'muted' }, 'no token limit');
  const share = Math.min(1, t.tokens / limit);
  const meter = ui.el('span', { class: share >= 1 ? 'meter over' : 'meter', 'aria-hidden': 'true' }, ui.el('span'));
  meter.firstChild.style.width = `${Math.round(share * 100)}%`;
  return ui.el('span', {}, meter, `${Math.round((t.tokens / limit) * 100)}% of ${ui.number(limit)}`);
}

function node(tag, attributes, text) {
  const n = document.createElementNS(Svg, tag);
  for (const [k, v] of Object.entries(attributes)) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = text;
  return n;
}

function chart(c, metric, softPercent) {
  const values = c.days.map(d => (metric === 'cost' ? d.cost : d.tokens));
  const limit = metric === 'cost' ? c.limitCost : c.limitTokens;
  const totals = [];
  values.reduce((sum, v, i) => (totals[i] = sum + v), 0);
  const top = Math.max(1, ...totals, limit ?? 0) * 1.08;
  const width = 960, height = 320, left = 70, right = 20, topPad = 20, bottom = 46;
  const plotW = width - left - right, plotH = height - topPad - bottom;
  const y = v => topPad + plotH - (v / top) * plotH;
  const step = plotW / values.length;
  const format = v => (metric === 'cost' ? ui.number(v, 2) : ui.number(v));
  const label = `${c.key}: ${format(metric === 'cost' ? c.spentCost : c.spentTokens)} ${metric} spent in the window`
    + (limit !== null && limit !== undefined ? ` of a ${format(limit)} limit` : ', no limit');
  const svg = node('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label, id: 'spend-chart' });
  svg.append(node('title', {}, label));
  for (let i = 0; i <= 4; i++) {
    const v = (top / 4) * i;
    svg.append(node('line', { class: 'axis', x1: left, x2: width - right, y1: y(v), y2: y(v), opacity: i === 0 ? 1 : 0.25 }));
    svg.append(node('text', { x: left - 8, y: y(v) + 4, 'text-anchor': 'end' }, format(v)));
  }

  values.forEach((v, i) => {
    const x = left + i * step;
    const h = Math.max(0, y(0) - y(v));
    svg.append(node('rect', { class: 'bar', x: x + step * 0.15, y: y(v), width: step * 0.7, height: h }, undefined));
    if (values.length <= 16 || i % Math.ceil(values.length / 16) === 0) {
      svg.append(node('text', { x: x + step / 2, y: height - bottom + 18, 'text-anchor': 'middle' }, c.days[i].day.slice(5)));
    }
  });
  const points = totals.map((t, i) => `${left + i * step + step / 2},${y(t)}`).join(' ');
  svg.append(node('polyline', { class: 'line', points }));
  if (limit !== null && limit !== undefined) {
    svg.append(node('line', { class: 'limit', x1: left, x2: width - right, y1: y(limit), y2: y(limit), 'data-limit': limit }));
    svg.append(node('text', { x: width - right, y: y(limit) - 6, 'text-anchor': 'end', class: 'limit-label' }, `limit ${format(limit)}`));
    if (softPercent) {
      const soft = (limit * softPercent) / 100;
      svg.append(node('line', { class: 'soft', x1: left, x2: width - right, y1: y(soft), y2: y(soft) }));
      svg.append(node('text', { x: width - right, y: y(soft) - 6, 'text-anchor': 'end' }, `warning at ${softPercent}%`));
    }
  }

  svg.append(node('text', { x: left, y: height - 8 }, `${c.key} — ${metric} per day (bars) and running total (line)`));
  return svg;
}
