// The supervisor's alert queue: open alerts across stations, live; clear, override or take the
// order over to another station with a reason code, a note and the supervisor's PIN.
'use strict';
(() => {
  const reasons = [
    ['item_set_aside', 'wrong item set aside'],
    ['replaced_with_correct_item', 'replaced with the correct item'],
    ['scanner_misread', 'scanner misread'],
    ['customer_accepts_substitute', 'customer accepts the substitute'],
    ['other', 'other (say why in the note)'],
  ];
  let alerts = [];
  let stations = []; // every station this service runs, for "take over to"
  const result = document.getElementById('result');

  function card(alert) {
    const id = alert.id.replace(/[^A-Za-z0-9_-]/g, '_');
    const reason = pv.el('select', { id: 'reason-' + id });
    for (const [value, label] of reasons) reason.append(pv.el('option', { value, text: label }));
    const note = pv.el('input', { id: 'note-' + id, autocomplete: 'off' });
    const pin = pv.el('input', { id: 'pin-' + id, type: 'password', inputmode: 'numeric', autocomplete: 'off' });
    const clear = pv.el('button', { type: 'button', class: 'primary', text: 'Clear' });
    const override = pv.el('button', { type: 'button', text: 'Override (count it)' });
    const to = pv.el('select', { id: 'to-' + id });
    for (const s of stations.filter((s) => s !== alert.station)) to.append(pv.el('option', { value: s, text: s }));
    const takeover = pv.el('button', { type: 'button', text: 'Take over' });
    if (!to.options.length) takeover.disabled = true;
    const history = pv.el('ol', { class: 'history', 'aria-label': 'scan history' },
      ...(alert.history || []).slice(0, 8).map((h) => pv.el('li', { text: h.headline + (h.details[0] ? ' — ' + h.details[0] : '') })));
    const done = { clear: 'cleared', override: 'overridden', takeover: 'taken over to station ' + to.value };
    const resolve = async (how) => {
      result.textContent = '';
      const body = { reason_code: reason.value, note: note.value, pin: pin.value };
      if (how === 'takeover') body.station = to.value;
      const reply = await pv.call('POST', '/api/v1/alerts/' + encodeURIComponent(alert.id) + '/' + how, body);
      pin.value = '';
      result.textContent = reply.ok ? 'Alert ' + alert.id + ' ' + done[how] + '.' : reply.data.error;
    };
    clear.addEventListener('click', () => resolve('clear'));
    override.addEventListener('click', () => resolve('override'));
    takeover.addEventListener('click', () => { done.takeover = 'taken over to station ' + to.value; resolve('takeover'); });
    return pv.el('article', { class: 'card', 'aria-labelledby': 'title-' + id, 'data-alert': alert.id },
      pv.el('h3', { id: 'title-' + id, text: alert.kind.replace(/_/g, ' ').toUpperCase() + ' — station ' + alert.station }),
      pv.el('dl', {},
        pv.el('dt', { text: 'Order' }), pv.el('dd', { text: alert.order_id }),
        pv.el('dt', { text: 'Picker' }), pv.el('dd', { text: alert.operator || '—' }),
        pv.el('dt', { text: 'Scanned' }), pv.el('dd', { text: alert.scanned }),
        pv.el('dt', { text: 'Expected' }), pv.el('dd', { text: alert.expected }),
        pv.el('dt', { text: 'What' }), pv.el('dd', { text: alert.message })),
      ...(alert.photo && alert.photo.annotated ? [pv.el('figure', { class: 'photo' },
        pv.el('img', { src: alert.photo.annotated, alt: 'annotated photo of the pack: what the image check found and missed' }),
        pv.el('figcaption', {}, 'What the camera found (annotated). ',
          ...(alert.photo.original ? [pv.el('a', { href: alert.photo.original, target: '_blank', rel: 'noopener', text: 'original photo' })] : [])))] : []),
      pv.el('details', {}, pv.el('summary', { text: 'Scan history' }), history),
      pv.el('div', { class: 'resolve' },
        pv.el('div', { class: 'field' }, pv.el('label', { for: 'reason-' + id, text: 'Reason' }), reason),
        pv.el('div', { class: 'field' }, pv.el('label', { for: 'pin-' + id, text: 'Your PIN' }), pin),
        pv.el('div', { class: 'field wide' }, pv.el('label', { for: 'note-' + id, text: 'Note' }), note),
        clear, override,
        pv.el('div', { class: 'field' }, pv.el('label', { for: 'to-' + id, text: 'Take over to' }), to), takeover));
  }

  function render() {
    const station = document.getElementById('filter-station').value;
    const kind = document.getElementById('filter-kind').value;
    const shown = alerts.filter((a) => (!station || a.station === station) && (!kind || a.kind === kind));
    // Keep what a supervisor is typing: rebuild only when the set of alerts changed.
    const cards = document.getElementById('cards');
    const ids = shown.map((a) => a.id).join(',');
    if (cards.dataset.ids !== ids) {
      cards.replaceChildren(...shown.map(card));
      cards.dataset.ids = ids;
    }
    document.getElementById('empty').hidden = shown.length > 0;
    document.getElementById('count').textContent = alerts.length + ' open';
    const select = document.getElementById('filter-station');
    for (const s of new Set(alerts.map((a) => a.station))) {
      if (![...select.options].some((o) => o.value === s)) select.append(pv.el('option', { value: s, text: s }));
    }
  }

  pv.signIn(['supervisor'], async () => {
    const list = await pv.call('GET', '/api/v1/stations');
    stations = list.ok ? list.data.stations.map((s) => s.station) : [];
    document.getElementById('queue').hidden = false;
    const events = new EventSource('/api/v1/alerts/events');
    events.addEventListener('alerts', (event) => { alerts = JSON.parse(event.data).alerts; render(); });
    document.getElementById('filters').addEventListener('change', render);
  });
})();
