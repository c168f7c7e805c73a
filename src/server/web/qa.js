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
      pv.el('td', {}, row.reason, ...(row.evidence_hash
        ? [' ', pv.el('a', { href: '/api/v1/evidence/' + row.evidence_hash, target: '_blank', rel: 'noopener',
                             text: 'evidence photo' })] : [])))));
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

  // The latest signed checkpoint; "Anchor now" journals one and offers its file, to keep elsewhere
  // (pickverify audit verify --anchor FILE checks the journal against it later).
  async function anchorStatus() {
    const box = document.getElementById('anchor');
    const result = await pv.call('GET', '/api/v1/journal/anchor');
    if (!result.ok) { box.textContent = result.data.error; box.className = 'chain broken'; return; }
    const s = result.data;
    if (!s.checkpoint) {
      box.className = 'chain';
      box.textContent = 'Anchor: no signed checkpoint in the journal yet (' + s.head_seq + ' rows)';
      return;
    }
    box.className = 'chain ' + (s.signature_valid ? 'intact' : 'broken');
    box.textContent = 'Last signed checkpoint: row ' + s.checkpoint.seq + ' (' + new Date(s.checkpoint.utc_ms).toISOString()
      + ', key ' + s.checkpoint.key_id + ', signature ' + (s.signature_valid ? 'valid' : 'INVALID') + '); '
      + s.rows_since + ' row(s) journaled since';
  }

  async function anchorNow() {
    const result = await pv.call('POST', '/api/v1/journal/anchor');
    const link = document.getElementById('anchor-file');
    if (!result.ok) { document.getElementById('anchor').textContent = result.data.error; return; }
    // The anchor file exactly as the service wrote it (the bytes `pickverify audit anchor` writes), not
    // rebuilt from its parsed JSON.
    link.href = URL.createObjectURL(new Blob([result.text], { type: 'application/json' }));
    link.download = 'anchor-' + result.data.seq + '.json';
    link.textContent = 'Save the anchor file (row ' + result.data.seq + ')';
    link.hidden = false;
    anchorStatus();
  }

  // The order's evidence pack (docs/EVIDENCE.md), made now: view the summary, the PDF, or download it all.
  async function evidencePack(event) {
    event.preventDefault();
    const order = document.getElementById('pack-order').value.trim();
    const box = document.getElementById('pack');
    box.textContent = 'Making the pack for ' + order + '…';
    const result = await pv.call('GET', '/api/v1/orders/' + encodeURIComponent(order) + '/evidence-pack');
    if (!result.ok) { box.textContent = result.data.error; return; }
    const m = result.data.manifest;
    box.replaceChildren('Order ' + m.order_id + ', session ' + m.session_id + ': journal rows ' + m.first_seq + ' to '
      + m.checkpoint_seq + ' under a signed checkpoint, ' + m.files.length + ' files. ',
      pv.el('a', { href: result.data.view, target: '_blank', rel: 'noopener', text: 'View the summary' }), ' · ',
      pv.el('a', { href: result.data.pdf, target: '_blank', rel: 'noopener', text: 'PDF' }), ' · ',
      pv.el('a', { href: result.data.download, download: '', text: 'Download the pack (.tar)' }));
  }

  let chart = null;
  async function report() {
    const by = document.getElementById('chart-by').value;
    const result = await pv.call('GET', '/api/v1/reports/mismatches?by=' + encodeURIComponent(by));
    const note = document.getElementById('chart-note');
    if (!result.ok) { note.textContent = result.data.error; return; }
    const groups = result.data.groups;
    document.getElementById('chart-rows').replaceChildren(...groups.map((g) => pv.el('tr', {},
      pv.el('td', { text: g.key }), pv.el('td', { text: g.scans }), pv.el('td', { text: g.mismatches }),
      pv.el('td', { text: (100 * g.rate).toFixed(1) + ' %' }),
      pv.el('td', { text: Object.entries(g.verdicts).map(([v, n]) => v.replaceAll('_', ' ') + ' ' + n).join(', ') }))));
    const kinds = result.data.mismatch_verdicts.map((v) => v.replaceAll('_', ' ')).join(', ');
    note.textContent = groups.length ? 'Mismatches (they block packing with an alert): ' + kinds
                                       + ', as a share of scans (duplicates not counted).' : 'No scans yet.';
    if (typeof window.Chart !== 'function') { note.textContent += ' (This build has no chart library: the table has the figures.)'; return; }
    const data = { labels: groups.map((g) => g.key),
                   datasets: [{ label: 'mismatch rate (%)', data: groups.map((g) => +(100 * g.rate).toFixed(2)),
                                backgroundColor: '#b00020' }] };
    if (chart) { chart.data = data; chart.update(); return; }
    chart = new window.Chart(document.getElementById('chart'), {
      type: 'bar', data,
      options: { animation: false, responsive: true, maintainAspectRatio: false,
                 scales: { y: { beginAtZero: true, suggestedMax: 100, title: { display: true, text: '% of scans' } } } },
    });
  }

  pv.signIn(['qa', 'supervisor'], () => {
    document.getElementById('chart-by').addEventListener('change', report);
    report();
    document.getElementById('audit').hidden = false;
    document.getElementById('search').addEventListener('submit', (event) => { event.preventDefault(); search(); });
    document.getElementById('verify').addEventListener('click', verify);
    document.getElementById('anchor-now').addEventListener('click', anchorNow);
    document.getElementById('pack-form').addEventListener('submit', evidencePack);
    verify();
    anchorStatus();
    search();
  });
})();
