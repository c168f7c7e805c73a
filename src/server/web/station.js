// The station screen: the order's lines, a verdict readable from a metre (colour + sound), what is
// missing when the pack is refused; live through server-sent events. The scan field keeps focus so
// a keyboard-wedge scanner types into it.
'use strict';
(() => {
  const stationId = decodeURIComponent(location.pathname.split('/')[2] || '');
  document.getElementById('station-id').textContent = stationId;
  const base = '/api/v1/stations/' + encodeURIComponent(stationId);
  const scan = document.getElementById('scan');
  let lastSeq = -1;
  let audio = null;

  function beep(tone) {
    try {
      audio = audio || new AudioContext();
      const pattern = tone === 'ok' ? [[1200, 0.08]] : tone === 'warning' ? [[700, 0.15], [700, 0.15]]
                                                                             : [[260, 0.35], [200, 0.45]];
      let at = audio.currentTime;
      for (const [frequency, length] of pattern) {
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        osc.frequency.value = frequency; osc.type = tone === 'ok' ? 'sine' : 'square';
        gain.gain.value = 0.2;
        osc.connect(gain).connect(audio.destination);
        osc.start(at); osc.stop(at + length);
        at += length + 0.06;
      }
    } catch (e) { /* no audio device: the colour still says it */ }
  }

  function showVerdict(reply) {
    const box = document.getElementById('verdict');
    box.className = 'verdict ' + (reply ? reply.tone : '');
    document.getElementById('verdict-headline').textContent = reply ? reply.headline : 'SCAN AN ORDER';
    const details = document.getElementById('verdict-details');
    details.replaceChildren(...(reply ? reply.details : ["Scan the order's barcode to start."])
      .map((line) => pv.el('div', { text: line })));
  }

  function showProblem(message) {
    showVerdict({ tone: 'error', headline: 'NOT DONE', details: [message] });
    beep('error');
  }

  function render(station) {
    document.getElementById('state').textContent = station.state.replace(/_/g, ' ');
    document.getElementById('order-id').textContent = station.order ? station.order.id : '—';
    document.getElementById('order-value').textContent = station.order
      ? station.order.value + (station.order.needs_image_check ? ' · photo check required' : '') : '';
    const lines = document.getElementById('lines');
    lines.replaceChildren(...station.lines.map((line) => {
      const bar = pv.el('progress', { max: String(line.quantity), value: String(line.verified),
                                      'aria-label': 'line ' + line.line_no + ' progress' });
      return pv.el('li', { class: line.done ? 'done' : 'todo' },
        pv.el('span', { class: 'count', text: line.verified + ' / ' + line.quantity }),
        'Line ' + line.line_no + ': ' + line.description, bar);
    }));
    const missing = document.getElementById('missing');
    const showMissing = station.order && station.missing.length > 0 && station.last && station.last.tone !== 'ok';
    document.getElementById('missing-box').hidden = !showMissing;
    missing.replaceChildren(...station.missing.map((text) => pv.el('li', { text })));
    const alerts = document.getElementById('alerts');
    alerts.replaceChildren(...station.alerts.map((alert) =>
      pv.el('li', {}, pv.el('strong', { text: alert.kind.replace(/_/g, ' ') + ': ' }), alert.message,
        pv.el('div', { class: 'hint', text: alert.picker_may_clear ? 'You may clear this one.'
                                                                  : 'Set the item aside; a supervisor clears it.' }))));
    document.getElementById('no-alerts').hidden = station.alerts.length > 0;
    if (station.last && station.last.journal_seq !== lastSeq) {
      const fresh = lastSeq !== -1 || station.last.utc_ms > Date.now() - 5000;
      lastSeq = station.last.journal_seq;
      showVerdict(station.last);
      if (fresh) beep(station.last.tone);
    } else if (!station.last) {
      showVerdict(null);
    }
  }

  async function act(path, body) {
    const result = await pv.call('POST', base + path, body);
    if (!result.ok) { showProblem(result.data.error); return; }
    render(result.data.station);
    scan.focus();
  }

  function listen() {
    const events = new EventSource(base + '/events');
    events.addEventListener('station', (event) => render(JSON.parse(event.data)));
    events.onerror = () => { document.getElementById('state').textContent = 'reconnecting…'; };
  }

  pv.signIn(['picker', 'supervisor'], () => {
    document.getElementById('screen').hidden = false;
    listen();
    document.getElementById('scan-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const data = scan.value;
      scan.value = '';
      if (!data) return;
      const current = await pv.call('GET', base);
      // With no open order, a scan starts one; everything else goes to the station as it is.
      const open = current.ok && current.data.order && !['packed', 'abandoned'].includes(current.data.state);
      if (!open && /^[A-Za-z]+-[0-9-]+$/.test(data)) return act('/session', { order_id: data });
      return act('/scans', { data, terminal: 'screen' });
    });
    document.getElementById('pack').addEventListener('click', () => act('/pack'));
    document.getElementById('photo').addEventListener('click', () => act('/image-check'));
    document.getElementById('packed').addEventListener('click', () => act('/packed'));
    scan.focus();
    // Keep the scan field focused for keyboard-wedge scanners, unless the picker is using a button.
    document.addEventListener('focusout', () => setTimeout(() => {
      if (!document.activeElement || document.activeElement === document.body) scan.focus();
    }, 50));
  });
})();
