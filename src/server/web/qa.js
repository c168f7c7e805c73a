// QA: journal search, the hash chain's status, exports (CSV / JSON Lines, as the CLI writes them).
'use strict';
(() => {
  function query() {
    const params = new URLSearchParams();
    for (const name of ['order', 'station', 'operator', 'verdict']) {
      const value = document.getElementById('q-' + name).value.trim();
      if (value) params.set(name, value);
    }
    for (const name of ['from', 'to']) {
      const value = document.getElementById('q-' + name).value;
      if (value) params.set(name, String(Date.parse(value + 'Z')));
    }
    return params;
  }

  async function search() {
    const params = query();
    const result = await pv.call('GET', '/api/v1/journal?' + params.toString());
    const summary = document.getElementById('summary');
    if (!result.ok) { summary.textContent = result.data.error; return; }
    summary.textContent = result.data.matched + ' matching row(s), ' + result.data.shown + ' shown (newest first).';
    document.getElementById('rows').replaceChildren(...result.data.rows.map((row) => pv.el('tr', {},
      pv.el('td', { text: row.seq }), pv.el('td', { text: row.time }), pv.el('td', { text: row.type }),
      pv.el('td', { text: row.station }), pv.el('td', { text: row.operator }), pv.el('td', { text: row.order_id }),
      pv.el('td', { class: 'mono', text: row.raw }), pv.el('td', { text: row.verdict }),
      pv.el('td', { text: row.reason }))));
    const exportParams = new URLSearchParams(params);
    exportParams.delete('operator'); exportParams.delete('verdict');
    for (const format of ['csv', 'jsonl']) {
      exportParams.set('format', format);
      document.getElementById('export-' + format).href = '/api/v1/journal/export?' + exportParams.toString();
    }
  }

  async function verify() {
    const chain = document.getElementById('chain');
    const result = await pv.call('GET', '/api/v1/journal/verify');
    if (!result.ok) { chain.textContent = result.data.error; chain.className = 'chain broken'; return; }
    const report = result.data;
    chain.className = 'chain ' + (report.intact ? 'intact' : 'broken');
    chain.textContent = report.intact
      ? 'Chain intact: ' + report.event_count + ' events, head ' + report.head_hash.slice(0, 16) + '…'
      : 'Chain BROKEN at seq ' + report.first_bad_seq + ': ' + report.problem;
  }

  pv.signIn(['qa', 'supervisor'], () => {
    document.getElementById('audit').hidden = false;
    document.getElementById('search').addEventListener('submit', (event) => { event.preventDefault(); search(); });
    document.getElementById('verify').addEventListener('click', verify);
    verify();
    search();
  });
})();
