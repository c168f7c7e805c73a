'use strict';
(async () => {
  const result = await pv.call('GET', '/api/v1/stations');
  if (!result.ok) return;
  const list = document.getElementById('stations');
  list.replaceChildren();
  for (const station of result.data.stations) {
    list.append(pv.el('li', {}, pv.el('a', { href: '/station/' + encodeURIComponent(station.station) },
      'Station ' + station.station + ' — ' + station.state)));
  }
})();
