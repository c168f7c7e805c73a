// The HTTP API's authentication and error paths against a real `pickverify serve`: every refusal
// is a clear 4xx and stores nothing (the journal's event count does not move); a handheld
// terminal's scan reaches the station like a USB scan and is journaled before the answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { startServer } from './support.mjs';

let server;
let qaCookie;
let picker; // { cookie, csrf }
let supervisor;
before(async () => {
  server = await startServer();
  picker = await login('picker', '1111');
  supervisor = await login('supervisor', '2468');
  qaCookie = (await login('qa', '1357')).cookie;
});
after(async () => { await server?.stop(); });

async function call(method, path, { body, raw, cookie, csrf, token, headers = {} } = {}) {
  const h = { ...headers };
  if (body !== undefined || raw !== undefined) h['content-type'] = 'application/json';
  if (cookie) h.cookie = cookie;
  if (csrf) h['x-csrf-token'] = csrf;
  if (token) h.authorization = 'Bearer ' + token;
  const response = await fetch(server.base + path, { method, headers: h,
                                                     body: raw !== undefined ? raw : body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: response.status, json, text, headers: response.headers };
}

async function login(user, pin) {
  const response = await call('POST', '/api/v1/login', { body: { user, pin } });
  assert.equal(response.status, 200, JSON.stringify(response.json));
  const setCookie = response.headers.get('set-cookie');
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  return { cookie: setCookie.split(';')[0], csrf: response.json.csrf };
}

async function eventCount() {
  const response = await call('GET', '/api/v1/journal/verify', { cookie: qaCookie });
  assert.equal(response.status, 200);
  assert.equal(response.json.intact, true);
  return response.json.event_count;
}

// A raw request, for what fetch will not send (a path with '..', a huge body without reading it).
function rawRequest(method, path, body) {
  return new Promise((resolve, reject) => {
    const url = new URL(server.base);
    const req = httpRequest({ host: url.hostname, port: url.port, method, path,
                              headers: { 'content-type': 'application/json', cookie: picker.cookie,
                                         'x-csrf-token': picker.csrf } }, (res) => {
      let data = '';
      res.on('data', (chunk) => { data += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, text: data }));
    });
    req.on('error', (error) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? resolve({ status: -1, text: error.code }) : reject(error)));
    if (body) req.write(body);
    req.end();
  });
}

test('health, readiness, metrics and the OpenAPI document need no sign-in', async () => {
  assert.equal((await call('GET', '/healthz')).text, 'ok\n');
  assert.equal((await call('GET', '/readyz')).status, 200);
  const metrics = await call('GET', '/metrics');
  assert.match(metrics.text, /^pickverify_scans_total\{verdict="accepted"\} \d+$/m);
  assert.match(metrics.text, /^pickverify_alerts_open \d+$/m);
  assert.match(metrics.text, /^pickverify_scan_journal_seconds_bucket\{le="\+Inf"\} \d+$/m);
  const openapi = await call('GET', '/api/v1/openapi.json');
  assert.equal(openapi.json.openapi, '3.0.3');
});

test('state changes need authentication, the CSRF token and the right role', async () => {
  const before = await eventCount();
  const start = { order_id: 'ORD-2025-00145' };
  assert.equal((await call('POST', '/api/v1/stations/station-1/session', { body: start })).status, 401);
  assert.equal((await call('POST', '/api/v1/stations/station-1/session', { body: start, cookie: picker.cookie })).status, 403,
               'a cookie without the CSRF header is refused');
  assert.equal((await call('POST', '/api/v1/stations/station-1/session',
                           { body: start, cookie: picker.cookie, csrf: 'f'.repeat(64) })).status, 403);
  assert.equal((await call('POST', '/api/v1/stations/station-1/session', { body: start, token: 'not-a-token' })).status, 401);
  assert.equal((await call('POST', '/api/v1/stations/station-1/session', { body: start, token: server.wmsToken })).status, 403,
               'a WMS token cannot work a station');
  assert.equal((await call('GET', '/api/v1/journal', { cookie: picker.cookie })).status, 403, 'a picker cannot read the journal');
  assert.equal((await call('POST', '/api/v1/login', { body: { user: 'supervisor', pin: '9999' } })).status, 401);
  assert.equal(await eventCount(), before, 'nothing was journaled');
});

test('bad requests get a clear 4xx and store nothing', async () => {
  const before = await eventCount();
  const auth = { cookie: picker.cookie, csrf: picker.csrf };
  let r = await call('POST', '/api/v1/stations/station-1/scans', { ...auth, raw: '{"data": "9506000001487"' });
  assert.equal(r.status, 400); assert.match(r.json.error, /not valid JSON/);
  r = await call('POST', '/api/v1/stations/station-1/scans', { ...auth, body: { data: '9506000001487', colour: 'red' } });
  assert.equal(r.status, 400); assert.match(r.json.error, /unknown field "colour"/);
  r = await call('POST', '/api/v1/stations/station-1/scans', { ...auth, body: { data: '<script>alert(1)</script>' } });
  assert.equal(r.status, 400); assert.match(r.json.error, /markup/);
  r = await call('POST', '/api/v1/stations/station-1/scans', { ...auth, body: { data: 42 } });
  assert.equal(r.status, 400); assert.match(r.json.error, /must be a string/);
  r = await call('POST', '/api/v1/stations/station-1/scans', { ...auth, body: { data: '9506000001487', aim: 'E0' } });
  assert.equal(r.status, 400); assert.match(r.json.error, /AIM/);
  r = await rawRequest('POST', '/api/v1/stations/station-1/scans', JSON.stringify({ data: 'x'.repeat(300 * 1024) }));
  assert.equal(r.status, 413);
  r = await rawRequest('GET', '/assets/../../etc/passwd');
  assert.equal(r.status, 400);
  r = await rawRequest('GET', '/assets/%2e%2e/%2e%2e/etc/passwd');
  assert.equal(r.status, 400);
  r = await call('GET', '/assets/nothing-here.js');
  assert.equal(r.status, 404);
  r = await call('POST', '/api/v1/stations/no-such-station/scans', { ...auth, body: { data: '9506000001487' } });
  assert.equal(r.status, 404);
  r = await call('DELETE', '/api/v1/alerts', { ...auth });
  assert.equal(r.status, 405);
  r = await call('POST', '/api/v1/orders', { token: server.wmsToken, raw: '{"orders": [{"id": "ORD-X", "lines": [{"sku": "NO-SUCH-SKU", "quantity": 1}]}]}' });
  assert.equal(r.status, 400, JSON.stringify(r.json));
  assert.equal((await call('GET', '/api/v1/orders/ORD-X', { token: server.wmsToken })).status, 404, 'the bad order was not stored');
  assert.equal(await eventCount(), before, 'nothing was journaled');
});

test('a WMS upserts orders, idempotent by id', async () => {
  const existing = await call('GET', '/api/v1/orders/ORD-2025-00145', { token: server.wmsToken });
  assert.equal(existing.status, 200);
  const order = {
    id: 'ORD-2025-90001', value: '12.00', currency: 'USD', customer: 'API test',
    lines: [{ line: 1, sku: existing.json.lines[1].sku, quantity: 1 }],
  };
  const first = await call('POST', '/api/v1/orders', { token: server.wmsToken, body: { orders: [order] } });
  assert.equal(first.status, 200, JSON.stringify(first.json));
  const second = await call('POST', '/api/v1/orders', { token: server.wmsToken, body: { orders: [order] } });
  assert.equal(second.status, 200);
  assert.deepEqual(second.json, first.json);
  const stored = await call('GET', '/api/v1/orders/ORD-2025-90001', { token: server.wmsToken });
  assert.equal(stored.json.lines.length, 1);
  assert.equal(stored.json.value, '$12.00');
});

test('a handheld terminal scans over HTTP like a USB scanner; a picker cannot clear a wrong variant', async () => {
  const token = server.pickerToken; // bound to station-1
  let r = await call('POST', '/api/v1/stations/station-1/session', { token, body: { order_id: 'ORD-2025-00145' } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  r = await call('POST', '/api/v1/stations/station-1/scans', { token, body: { data: '9506000001487', aim: ']E0', terminal: 'handheld-1' } });
  assert.equal(r.status, 200);
  assert.equal(r.json.verdict, 'wrong_variant');
  assert.equal(r.json.state, 'blocked');
  const seq = r.json.journal_seq;
  // Journaled before the answer: the row is there, from the terminal, with the AIM id.
  const rows = await call('GET', '/api/v1/journal?order=ORD-2025-00145&type=scan', { cookie: qaCookie });
  const row = rows.json.rows.find((x) => x.seq === seq - 1 || x.seq === seq);
  assert.ok(row, 'the scan is in the journal');
  assert.equal(row.raw, '9506000001487');
  assert.equal(row.verdict, 'wrong_variant');
  const alert = (await call('GET', '/api/v1/alerts?station=station-1', { token })).json.alerts[0];
  assert.equal(alert.id, 'station-1.1');
  r = await call('POST', '/api/v1/alerts/station-1.1/clear', { token, body: { reason_code: 'item_set_aside' } });
  assert.equal(r.status, 403); assert.match(r.json.error, /picker may not clear/);
  r = await call('POST', '/api/v1/alerts/station-1.1/override', { token, body: { reason_code: 'x' } });
  assert.equal(r.status, 403);
  r = await call('POST', '/api/v1/stations/station-2/scans', { token, body: { data: '9506000001487' } });
  assert.equal(r.status, 404);
  r = await call('POST', '/api/v1/alerts/station-1.1/clear',
                 { cookie: supervisor.cookie, csrf: supervisor.csrf, body: { reason_code: 'item_set_aside', note: 'api', pin: '1111' } });
  assert.equal(r.status, 403); assert.match(r.json.error, /PIN/);
  r = await call('POST', '/api/v1/alerts/station-1.1/clear',
                 { cookie: supervisor.cookie, csrf: supervisor.csrf, body: { reason_code: 'item_set_aside', note: 'api', pin: '2468' } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(r.json.state, 'active');
  r = await call('POST', '/api/v1/stations/station-1/pack', { token });
  assert.equal(r.status, 200);
  assert.match(r.json.headline, /REFUSED/);
  assert.ok(r.json.station.missing.length > 0, 'a refused pack names what is missing');
  r = await call('POST', '/api/v1/stations/station-1/abandon', { token, body: { reason: 'api test done' } });
  assert.equal(r.status, 200);
});

test('the journal exports as CSV and JSON Lines', async () => {
  const csv = await call('GET', '/api/v1/journal/export?format=csv', { cookie: qaCookie });
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /text\/csv/);
  const jsonl = await call('GET', '/api/v1/journal/export?format=jsonl', { cookie: qaCookie });
  const lines = jsonl.text.trim().split('\n').map((line) => JSON.parse(line));
  assert.equal(lines.length, await eventCount());
  assert.equal((await call('GET', '/api/v1/journal/export?format=xml', { cookie: qaCookie })).status, 400);
});

test('reports: mismatch rate by group; bad parameters are refused', async () => {
  const byStation = await call('GET', '/api/v1/reports/mismatches?by=station', { cookie: qaCookie });
  assert.equal(byStation.status, 200);
  const station = byStation.json.groups.find((g) => g.key === 'station-1');
  assert.ok(station && station.mismatches >= 1 && station.scans >= station.mismatches, JSON.stringify(byStation.json));
  assert.equal(station.rate, station.mismatches / station.scans);
  const bySku = await call('GET', '/api/v1/reports/mismatches?by=sku', { cookie: qaCookie });
  assert.ok(bySku.json.groups.some((g) => g.key === 'TR-RUN-10-D' && g.mismatches >= 1), JSON.stringify(bySku.json));
  assert.equal((await call('GET', '/api/v1/reports/mismatches?by=colour', { cookie: qaCookie })).status, 400);
  assert.equal((await call('GET', '/api/v1/reports/mismatches', { token: server.pickerToken })).status, 403);
});

test('evidence: only a SHA-256 names a photo', async () => {
  assert.equal((await call('GET', '/api/v1/evidence/' + 'a'.repeat(64), { cookie: qaCookie })).status, 404);
  assert.equal((await call('GET', '/api/v1/evidence/' + 'A'.repeat(64), { cookie: qaCookie })).status, 400);
  assert.equal((await call('GET', '/api/v1/evidence/..%2f..%2fusers.json', { cookie: qaCookie })).status, 400);
  assert.equal((await rawRequest('GET', '/api/v1/evidence/../../users.json')).status, 400);
  assert.equal((await call('GET', '/api/v1/evidence/' + 'a'.repeat(64))).status, 401);
});
