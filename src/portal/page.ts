import { CATEGORY_LABELS } from '../billing/build-invoice.js';

/**
 * The portal's web page: one HTML document with its script, no build step. A customer signs in
 * with a token (kept in the tab's session storage), picks a month, sees the calls by category with
 * totals, filters, pages and downloads CSV. Everything it shows comes from the JSON API.
 */
export const PAGE = `<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mijn gesprekken</title>
<style>
  body { font-family: "DejaVu Sans", Arial, sans-serif; color: #1d2733; margin: 0; background: #f4f6f8; font-size: 14px; }
  header { background: #1d2733; color: #fff; padding: .8em 1.5em; display: flex; justify-content: space-between; align-items: center; }
  header h1 { font-size: 1.2em; margin: 0; }
  main { max-width: 64em; margin: 1.5em auto; padding: 0 1em; }
  section { background: #fff; border-radius: 6px; padding: 1em 1.2em; margin-bottom: 1.2em; box-shadow: 0 1px 2px rgba(0,0,0,.06); }
  label { margin-right: 1em; color: #5a6775; } input, select, button { font: inherit; padding: .3em .5em; }
  button { background: #2f6fb2; color: #fff; border: 0; border-radius: 4px; cursor: pointer; } button:disabled { background: #9aa8b6; cursor: default; }
  table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .35em .5em; } thead th { background: #eef2f6; }
  tbody tr:nth-child(even) { background: #f8fafb; } .n { text-align: right; white-space: nowrap; } tfoot td { font-weight: bold; border-top: 2px solid #1d2733; } td.empty { color: #5b6775; font-style: italic; padding: 1em 0.5em; }
  .error { color: #b3261e; } .muted { color: #5a6775; } .pager { display: flex; gap: .5em; align-items: center; margin-top: .8em; }
  #signin { max-width: 30em; margin: 4em auto; }
</style>
</head>
<body>
<header><h1>Mijn gesprekken</h1><span id="who" class="muted"></span></header>
<main>
  <section id="signin">
    <h2>Inloggen</h2>
    <p class="muted">Vul de toegangscode in die u van ons kreeg.</p>
    <form id="signin-form"><input id="token" type="password" autocomplete="off" size="40" aria-label="toegangscode"> <button type="submit">Inloggen</button></form>
    <p id="signin-error" class="error"></p>
  </section>
  <div id="app" hidden>
    <section>
      <form id="filters">
        <label>Klant <select id="account"></select></label>
        <label>Maand <input id="period" type="month"></label>
        <label>Soort <select id="category"><option value="">alle</option></select></label>
        <label>Richting <select id="direction"><option value="">alle</option><option value="outgoing">uitgaand</option><option value="incoming">inkomend</option></select></label>
        <label>Nummer bevat <input id="number" size="12" inputmode="numeric"></label>
        <button type="submit">Toon</button>
      </form>
    </section>
    <section>
      <h2>Totaal per soort gesprek</h2>
      <table id="totals"><thead><tr><th>Soort</th><th class="n">Gesprekken</th><th class="n">Duur</th><th class="n">Kosten</th></tr></thead><tbody></tbody><tfoot></tfoot></table>
    </section>
    <section>
      <h2>Gesprekken <a id="csv" href="#" style="font-size:.8em; margin-left:1em">download CSV</a></h2>
      <table id="calls"><thead><tr><th>Datum</th><th>Tijd</th><th>Van</th><th>Naar</th><th class="n">Duur</th><th>Soort</th><th class="n">Kosten</th><th></th></tr></thead><tbody></tbody></table>
      <div class="pager"><button id="prev" type="button">Vorige</button><button id="next" type="button">Volgende</button><span id="page" class="muted"></span></div>
    </section>
  </div>
</main>
<script>
const CATEGORIES = ${JSON.stringify(CATEGORY_LABELS)};
const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem('cdrbill-token');
let cursors = [undefined];
const euro = (a) => '€ ' + Number(a).toFixed(2).replace('.', ',');
const cell = (text, numeric) => { const td = document.createElement('td'); td.textContent = text; if (numeric) td.className = 'n'; return td; };
for (const [k, v] of Object.entries(CATEGORIES)) { const o = document.createElement('option'); o.value = k; o.textContent = v; $('category').append(o); }
$('period').value = new Date().toISOString().slice(0, 7);

async function api(path) {
  const response = await fetch(path, { headers: { authorization: 'Bearer ' + token } });
  if (response.status === 401) { signOut('Deze toegangscode is niet (meer) geldig.'); throw new Error('401'); }
  if (!response.ok) throw new Error((await response.json()).error);
  return response;
}
function signOut(message) { sessionStorage.removeItem('cdrbill-token'); token = null; $('app').hidden = true; $('signin').hidden = false; $('signin-error').textContent = message || ''; }
function query(cursor) {
  const q = new URLSearchParams({ period: $('period').value });
  for (const id of ['category', 'direction', 'number']) if ($(id).value) q.set(id, $(id).value);
  if (cursor) q.set('cursor', cursor);
  return q;
}
async function show(pageIndex) {
  const account = $('account').value;
  const q = query(cursors[pageIndex]); q.set('limit', '50');
  const data = await (await api('/api/accounts/' + encodeURIComponent(account) + '/calls?' + q)).json();
  const totals = $('totals');
  totals.tBodies[0].replaceChildren(...data.totals.map((t) => { const tr = document.createElement('tr'); tr.append(cell(t.label), cell(String(t.calls), true), cell(t.duration, true), cell(euro(t.charged), true)); return tr; }));
  const sum = data.totals.reduce((s, t) => ({ calls: s.calls + t.calls, charged: s.charged + Math.round(Number(t.charged) * 100) }), { calls: 0, charged: 0 });
  const foot = document.createElement('tr'); foot.append(cell('Totaal'), cell(String(sum.calls), true), cell(''), cell(euro(sum.charged / 100), true));
  totals.tFoot.replaceChildren(foot);
  $('calls').tBodies[0].replaceChildren(...data.calls.map((c) => { const tr = document.createElement('tr');
    const note = [c.answered ? '' : 'niet beantwoord', c.forwarded ? 'doorgeschakeld' : '', c.allowance === 'unlimited' ? 'onbeperkt' : c.allowance ? 'bundel' : ''].filter(Boolean).join(', ');
    tr.append(cell(c.date), cell(c.time), cell(c.from), cell(c.to), cell(c.duration, true), cell(c.categoryLabel), cell(euro(c.charged), true), cell(note)); return tr; }));
  if (data.calls.length === 0) { const td = cell('Geen gesprekken in deze periode' + (q.size > 2 ? ' met deze selectie' : '') + '.'); td.colSpan = 8; td.className = 'empty'; const tr = document.createElement('tr'); tr.append(td); $('calls').tBodies[0].append(tr); }
  cursors[pageIndex + 1] = data.nextCursor || undefined;
  $('prev').disabled = pageIndex === 0; $('next').disabled = !data.nextCursor;
  $('page').textContent = 'pagina ' + (pageIndex + 1);
  $('next').onclick = () => show(pageIndex + 1); $('prev').onclick = () => show(pageIndex - 1);
}
async function start() {
  const me = await (await api('/api/me')).json();
  $('signin').hidden = true; $('app').hidden = false;
  $('who').textContent = me.scope === 'operator' ? 'beheerder' : me.id;
  const accounts = me.accounts || [];
  $('account').replaceChildren(...accounts.map((a) => { const o = document.createElement('option'); o.value = a; o.textContent = a; return o; }));
  if (me.scope === 'operator') { const input = document.createElement('input'); input.id = 'account'; input.size = 10; $('account').replaceWith(input); }
  cursors = [undefined]; await show(0);
}
$('signin-form').onsubmit = async (e) => { e.preventDefault(); token = $('token').value.trim(); sessionStorage.setItem('cdrbill-token', token); try { await start(); } catch (err) { if (err.message !== '401') $('signin-error').textContent = err.message; } };
$('filters').onsubmit = async (e) => { e.preventDefault(); cursors = [undefined]; await show(0); };
$('csv').onclick = async (e) => { e.preventDefault();
  const blob = await (await api('/api/accounts/' + encodeURIComponent($('account').value) + '/calls.csv?' + query())).blob();
  const a = document.createElement('a'); a.href = URL.createObjectURL(blob); a.download = 'gesprekken-' + $('period').value + '.csv'; a.click(); };
if (token) start().catch(() => {});
</script>
</body>
</html>
`;
