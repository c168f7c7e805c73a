// The HTTP API's authentication and error paths against a real `pickverify serve`: every refusal
// is a clear 4xx and stores nothing (the journal's event count does not move); a handheld
// terminal's scan reaches the station like a USB scan and is journaled before the answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, binary } from './support.mjs';

let server;
let qa; // { cookie, csrf }
let qaCookie;
let picker; // { cookie, csrf }
let supervisor;
// The demo camera's photo for ORD-2025-00145 is the one with the insoles left out: its image check fails.
const demoDir = mkdtempSync(join(tmpdir(), 'pickverify-demo-'));
mkdirSync(join(demoDir, 'camera', 'ORD-2025-00145'), { recursive: true });
copyFileSync(new URL('../../demo/camera/ORD-2025-00145-missing-accessory/packed.jpg', import.meta.url).pathname,
             join(demoDir, 'camera', 'ORD-2025-00145', 'packed.jpg'));
before(async () => {
  server = await startServer({ stations: ['station-1', 'station-2'], env: { PICKVERIFY_DEMO_DIR: demoDir } });
  picker = await login('picker', '1111');
  supervisor = await login('supervisor', '2468');
  qa = await login('qa', '1357');
  qaCookie = qa.cookie;
});
after(async () => { await server?.stop(); rmSync(demoDir, { recursive: true, force: true }); });

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
  assert.equal(alert.photo, null, 'a scan alert has no photo');
  r = await call('POST', '/api/v1/alerts/station-1.1/clear', { token, body: { reason_code: 'item_set_aside' } });
  assert.equal(r.status, 403); assert.match(r.json.error, /picker may not clear/);
  r = await call('POST', '/api/v1/alerts/station-1.1/override', { token, body: { reason_code: 'x' } });
  assert.equal(r.status, 403);
  r = await call('POST', '/api/v1/stations/station-2/scans', { token, body: { data: '9506000001487' } });
  assert.equal(r.status, 403, 'a token bound to station-1 cannot scan at station-2');
  assert.match(r.json.error, /for station station-1, not station-2/);
  r = await call('POST', '/api/v1/stations/station-9/scans', { token, body: { data: '9506000001487' } });
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
  // Mismatches are the verdicts that open an alert (serial_packed among them); every refusal is counted by verdict.
  assert.ok(byStation.json.mismatch_verdicts.includes('serial_packed'), JSON.stringify(byStation.json));
  assert.ok(!byStation.json.mismatch_verdicts.includes('malformed'));
  assert.ok(station.verdicts.wrong_variant >= 1, JSON.stringify(station));
  const alerting = Object.entries(station.verdicts).filter(([verdict]) => byStation.json.mismatch_verdicts.includes(verdict));
  assert.equal(alerting.reduce((sum, [, n]) => sum + n, 0), station.mismatches);
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

test('catalog: any signed-in caller reads it, by SKU, style or GTIN; bad filters are refused', async () => {
  assert.equal((await call('GET', '/api/v1/catalog')).status, 401);
  const all = await call('GET', '/api/v1/catalog', { token: server.pickerToken });
  assert.equal(all.status, 200);
  assert.ok(all.json.items.some((i) => i.sku === 'TR-RUN-09-D' && i.attributes.size === '9' && i.value === '$189.00'));
  assert.ok(all.json.kits.some((k) => k.sku === 'KIT-CARE' && k.components.length === 2));
  const trail = all.json.kits.find((k) => k.sku === 'KIT-TRAIL');
  assert.ok(trail, 'the kit whose runner follows the order');
  assert.deepEqual(trail.components[0], { quantity: 1, style: 'TR-RUN', attributes: { colour: 'black' }, from_order: ['size', 'width'] });
  let r = await call('GET', '/api/v1/catalog?gtin=9506000001487', { token: server.wmsToken });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.items.map((i) => i.sku), ['TR-RUN-10-D']);
  r = await call('GET', '/api/v1/catalog?gtin=19506000001972', { cookie: qaCookie }); // a case of socks
  assert.deepEqual(r.json.items.map((i) => i.sku), ['SOCK-RUN-M']);
  assert.equal((await call('GET', '/api/v1/catalog?style=TR-RUN', { cookie: qaCookie })).json.items.length, 5);
  r = await call('GET', '/api/v1/catalog?gtin=9506000001488', { cookie: qaCookie });
  assert.equal(r.status, 400); assert.match(r.json.error, /gtin=/);
  r = await call('GET', '/api/v1/catalog?sku=NO-SUCH-SKU', { cookie: qaCookie });
  assert.equal(r.status, 404); assert.match(r.json.error, /NO-SUCH-SKU/);
  r = await call('GET', '/api/v1/catalog?colour=red', { cookie: qaCookie });
  assert.equal(r.status, 400); assert.match(r.json.error, /unknown query parameter "colour"/);
});

test('journal anchor: QA or a supervisor journals a signed checkpoint; the status shows it; others may not', async () => {
  assert.equal((await call('GET', '/api/v1/journal/anchor')).status, 401);
  assert.equal((await call('GET', '/api/v1/journal/anchor', { token: server.pickerToken })).status, 403);
  assert.equal((await call('POST', '/api/v1/journal/anchor', { token: server.wmsToken })).status, 403);
  assert.equal((await call('POST', '/api/v1/journal/anchor', { cookie: qa.cookie })).status, 403, 'no CSRF header');
  const before = await eventCount();
  assert.equal((await call('POST', '/api/v1/journal/anchor', { cookie: qa.cookie, csrf: qa.csrf, body: { x: 1 } })).status, 400);
  assert.equal(await eventCount(), before, 'a refused anchor journals nothing');
  const anchor = await call('POST', '/api/v1/journal/anchor', { cookie: qa.cookie, csrf: qa.csrf });
  assert.equal(anchor.status, 200, anchor.text);
  assert.match(anchor.headers.get('content-disposition'), /attachment; filename="anchor-\d+\.json"/);
  assert.equal(anchor.json.seq, before, 'the checkpoint covers the head as it was');
  assert.match(anchor.json.signature, /^[0-9a-f]{128}$/);
  assert.match(anchor.json.hash, /^[0-9a-f]{64}$/);
  assert.equal(await eventCount(), before + 1, 'the checkpoint row itself');
  const status = await call('GET', '/api/v1/journal/anchor', { cookie: supervisor.cookie });
  assert.equal(status.status, 200);
  assert.equal(status.json.signing, true);
  assert.equal(status.json.checkpoint.seq, anchor.json.seq);
  assert.equal(status.json.checkpoint.signature, anchor.json.signature);
  assert.equal(status.json.signature_valid, true);
  assert.equal(status.json.rows_since, status.json.head_seq - status.json.checkpoint_row);
});

test('takeover: a supervisor moves an alert\'s order to another station with their PIN', async () => {
  const token = server.pickerToken; // bound to station-1
  let r = await call('POST', '/api/v1/stations/station-1/session', { token, body: { order_id: 'ORD-2025-00146' } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  r = await call('POST', '/api/v1/stations/station-1/scans', { token, body: { data: '9506000001418' } });
  assert.equal(r.json.verdict, 'wrong_item');
  const alert = (await call('GET', '/api/v1/alerts?station=station-1', { token })).json.alerts[0];
  assert.ok(alert, 'the wrong item opened an alert');
  const path = '/api/v1/alerts/' + alert.id + '/takeover';
  const sup = { cookie: supervisor.cookie, csrf: supervisor.csrf };
  const good = { station: 'station-2', reason_code: 'other', note: 'picker on break', pin: '2468' };
  const before = await eventCount();
  assert.equal((await call('POST', path, { body: good })).status, 401);
  assert.equal((await call('POST', path, { token, body: good })).status, 403, 'a picker cannot take over');
  assert.equal((await call('POST', path, { cookie: supervisor.cookie, body: good })).status, 403, 'no CSRF header');
  r = await call('POST', path, { ...sup, body: { ...good, pin: undefined } });
  assert.equal(r.status, 400); assert.match(r.json.error, /"pin" is required/);
  r = await call('POST', path, { ...sup, body: { ...good, pin: '1111' } });
  assert.equal(r.status, 403); assert.match(r.json.error, /PIN/);
  r = await call('POST', path, { ...sup, body: { ...good, colour: 'red' } });
  assert.equal(r.status, 400); assert.match(r.json.error, /unknown field "colour"/);
  assert.equal((await call('POST', path, { ...sup, body: { ...good, station: 'station-9' } })).status, 404);
  r = await call('POST', path, { ...sup, body: { ...good, station: 'station-1' } });
  assert.equal(r.status, 409); assert.match(r.json.error, /already at station station-1/);
  assert.equal((await call('POST', '/api/v1/alerts/station-1.99/takeover', { ...sup, body: good })).status, 404);
  assert.equal((await call('POST', '/api/v1/alerts/nowhere.1/takeover', { ...sup, body: good })).status, 404);
  assert.equal(await eventCount(), before, 'the refusals journaled nothing');

  r = await call('POST', path, { ...sup, body: good });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.match(r.json.headline, /ORDER ORD-2025-00146 TAKEN OVER/);
  assert.equal(r.json.station.station, 'station-2');
  assert.equal(r.json.station.order.id, 'ORD-2025-00146');
  assert.equal(r.json.station.state, 'active');
  const left = await call('GET', '/api/v1/stations/station-1', { token });
  assert.equal(left.json.state, 'abandoned', 'the station the order left closed its session');
  assert.equal((await call('GET', '/api/v1/alerts?station=station-1', { token })).json.alerts.length, 0);
  const rows = (await call('GET', '/api/v1/journal?order=ORD-2025-00146&type=takeover', { cookie: qaCookie })).json.rows;
  assert.equal(rows.length, 1);
  assert.equal(rows[0].station, 'station-2');
  assert.equal(rows[0].operator, 'supervisor');
  assert.match(rows[0].reason, new RegExp(alert.id.replace('.', '\\.') + ' \\(wrong_item\\): other — picker on break'));
  r = await call('POST', '/api/v1/stations/station-2/abandon', { ...sup, body: { reason: 'api test done' } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
});

test('evidence pack: QA makes, views and downloads an order\'s pack; it verifies without the database', async () => {
  const order = 'ORD-2025-00145'; // has a session (the handheld test above)
  const path = '/api/v1/orders/' + order + '/evidence-pack';
  assert.equal((await call('GET', path)).status, 401);
  assert.equal((await call('GET', path, { token: server.pickerToken })).status, 403);
  assert.equal((await call('GET', path, { token: server.wmsToken })).status, 403);
  let r = await call('GET', '/api/v1/orders/ORD-NOPE/evidence-pack', { cookie: qaCookie });
  assert.equal(r.status, 404); assert.match(r.json.error, /ORD-NOPE/);
  assert.equal((await call('GET', path + '?format=zip', { cookie: qaCookie })).status, 400);
  assert.equal((await call('GET', path + '?colour=red', { cookie: qaCookie })).status, 400);

  r = await call('GET', path, { cookie: qaCookie });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.order_id, order);
  assert.ok(r.json.manifest.files.some((f) => f.path === 'summary.pdf'), JSON.stringify(r.json.manifest));
  const view = await call('GET', r.json.view, { cookie: qaCookie });
  assert.equal(view.status, 200);
  assert.match(view.headers.get('content-type'), /text\/html/);
  assert.match(view.text, /ORD-2025-00145/);
  assert.match(view.headers.get('content-security-policy'), /default-src 'none'/);
  const pdf = await call('GET', r.json.pdf, { cookie: supervisor.cookie });
  assert.equal(pdf.status, 200);
  assert.match(pdf.text, /^%PDF-/);
  for (const bad of ['passwd', '..%2f..%2fusers.json', 'photos']) {
    assert.equal((await call('GET', path + '/' + bad, { cookie: qaCookie })).status, bad.includes('..') ? 400 : 404, bad);
  }
  assert.equal((await call('GET', path + '/photos/' + 'A'.repeat(64) + '.jpg', { cookie: qaCookie })).status, 404);
  assert.equal((await call('GET', path + '/photos/' + 'a'.repeat(64) + '.jpg', { cookie: qaCookie })).status, 404);

  // The download is one tar archive of the pack; unpacked, `pickverify evidence verify` holds it.
  const response = await fetch(server.base + r.json.download, { headers: { cookie: qaCookie } });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type'), /application\/x-tar/);
  assert.match(response.headers.get('content-disposition'), /filename="ORD-2025-00145-evidence\.tar"/);
  const bytes = Buffer.from(await response.arrayBuffer());
  assert.equal(bytes.length % 512, 0);
  const dir = mkdtempSync(join(tmpdir(), 'pickverify-pack-'));
  try {
    writeFileSync(join(dir, 'pack.tar'), bytes);
    execFileSync('tar', ['-xf', join(dir, 'pack.tar'), '-C', dir]);
    const check = execFileSync(binary, ['evidence', 'verify', join(dir, 'evidence-pack'),
                                        '--public-key', join(server.dataDir, 'keys', 'station-1.key.pub')],
                               { encoding: 'utf8' });
    assert.match(check, /holds/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failed image check\'s alert carries the annotated photo for the supervisor\'s card', async () => {
  const token = server.pickerToken;
  let r = await call('POST', '/api/v1/stations/station-1/session', { token, body: { order_id: 'ORD-2025-00145' } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  for (const [data, aim] of [['9506000001418'], ['9506000001692'], ['9506000001838'], ['9506000001760'],
                             ['0109506000001906' + '10LOT42', ']d2']]) {
    r = await call('POST', '/api/v1/stations/station-1/scans', { token, body: aim ? { data, aim } : { data } });
    assert.equal(r.json.verdict, 'accepted', JSON.stringify(r.json));
  }
  r = await call('POST', '/api/v1/stations/station-1/image-check', { token });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.match(r.json.headline, /IMAGE CHECK FAILED/);
  const alert = (await call('GET', '/api/v1/alerts?station=station-1&kind=image_check', { cookie: supervisor.cookie })).json.alerts[0];
  assert.ok(alert, 'the failed check opened an alert');
  assert.match(alert.photo.annotated, /^\/api\/v1\/evidence\/[0-9a-f]{64}$/);
  assert.match(alert.photo.original, /^\/api\/v1\/evidence\/[0-9a-f]{64}$/);
  assert.notEqual(alert.photo.annotated, alert.photo.original);
  const photo = await fetch(server.base + alert.photo.annotated, { headers: { cookie: supervisor.cookie } });
  assert.equal(photo.status, 200);
  assert.equal(photo.headers.get('content-type'), 'image/jpeg');
  assert.ok((await photo.arrayBuffer()).byteLength > 1000);
  r = await call('POST', '/api/v1/stations/station-1/abandon', { token, body: { reason: 'api test done' } });
  assert.equal(r.status, 200);
});
