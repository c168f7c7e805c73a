// The ORD-2025-00145 incident in two browser pages, as a picker and a supervisor would live it:
// the size-10 box is refused in red, the alert appears on the supervisor's page, is cleared with
// the PIN, the right items pass, the photo passes, the pack is released. Then QA searches the
// journal, checks the chain and exports it. Screenshots go to artefacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { startServer, launchBrowser, signIn, seriousViolations, artefacts, binary } from './support.mjs';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

async function scan(page, text) {
  await page.fill('#scan', text);
  await page.press('#scan', 'Enter');
}

async function expectHeadline(page, pattern) {
  await page.waitForFunction((source) => new RegExp(source).test(document.getElementById('verdict-headline').textContent),
                             pattern.source, { timeout: 15000 });
}

test('the incident: picker and supervisor in two pages', async () => {
  const pickerContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const supervisorContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const picker = await pickerContext.newPage();
  const supervisor = await supervisorContext.newPage();
  const problems = [];
  for (const page of [picker, supervisor]) page.on('pageerror', (error) => problems.push(String(error)));

  await picker.goto(server.base + '/station/station-1');
  await signIn(picker, 'picker', '1111');
  await picker.waitForSelector('#screen:not([hidden])');
  assert.equal(await picker.evaluate(() => document.activeElement.id), 'scan', 'the scan field has the focus');

  await scan(picker, 'ORD-2025-00145');
  await expectHeadline(picker, /ORDER ORD-2025-00145/);
  await picker.waitForSelector('#lines li >> nth=4');

  // The size-10 box: refused, in red, with the difference named.
  await scan(picker, '9506000001487');
  await expectHeadline(picker, /WRONG SIZE/);
  const details = await picker.textContent('#verdict-details');
  assert.match(details, /size: scanned 10, order needs 9/);
  const red = await picker.evaluate(() => getComputedStyle(document.getElementById('verdict')).backgroundColor);
  assert.equal(red, 'rgb(176, 0, 32)', 'a refusal is red');
  assert.match(await picker.textContent('#state'), /blocked/);
  await picker.screenshot({ path: join(artefacts, '1-station-wrong-size-refused.png') });

  // The supervisor sees it live, named, and clears it with the PIN (a wrong PIN changes nothing).
  await supervisor.goto(server.base + '/supervisor');
  await signIn(supervisor, 'supervisor', '2468');
  const card = supervisor.locator('article.card[data-alert="station-1.1"]');
  await card.waitFor({ timeout: 15000 });
  const cardText = await card.textContent();
  assert.match(cardText, /Trail runner, size 10/);
  assert.match(cardText, /line 1: Trail runner, size 9/);
  assert.match(cardText, /ORD-2025-00145/);
  assert.match(cardText, /picker/);
  await supervisor.screenshot({ path: join(artefacts, '2-supervisor-alert.png') });
  assert.deepEqual(await seriousViolations(supervisor), [], 'supervisor page: no serious axe violation');

  // The kind filter knows every alert kind: another kind hides the card, "all kinds" shows it again.
  await supervisor.selectOption('#filter-kind', 'serial_packed');
  await supervisor.waitForSelector('#empty:not([hidden])');
  await supervisor.selectOption('#filter-kind', '');
  await card.waitFor();
  await card.locator('select[id^=reason-]').selectOption('item_set_aside');
  await card.locator('input[id^=note-]').fill('size 10 box back to the shelf');
  await card.locator('input[type=password]').fill('0000');
  await card.locator('button', { hasText: 'Clear' }).click();
  await supervisor.waitForFunction(() => /PIN does not match/.test(document.getElementById('result').textContent));
  await card.locator('input[type=password]').fill('2468');
  await card.locator('button', { hasText: 'Clear' }).click();
  await supervisor.waitForSelector('#empty:not([hidden])', { timeout: 15000 });
  await supervisor.screenshot({ path: join(artefacts, '3-supervisor-cleared.png') });

  // Back at the station: the alert is gone without a reload; the correct items pass.
  await picker.waitForFunction(() => !/blocked/.test(document.getElementById('state').textContent), null, { timeout: 15000 });
  await scan(picker, '9506000001418');
  await expectHeadline(picker, /ACCEPTED/);
  const green = await picker.evaluate(() => getComputedStyle(document.getElementById('verdict')).backgroundColor);
  assert.equal(green, 'rgb(11, 110, 47)', 'an accepted scan is green');
  for (const code of ['9506000001692', '9506000001838', '9506000001760', '0109506000001906' + '10LOT42']) {
    const before = await picker.textContent('#lines');
    await scan(picker, code);
    await picker.waitForFunction((text) => document.getElementById('lines').textContent !== text, before, { timeout: 15000 });
    await expectHeadline(picker, /ACCEPTED|COMPLETE|ALL|VERIFIED/);
  }
  // Every line done; the pack waits for the photo.
  await picker.click('#pack');
  await expectHeadline(picker, /PHOTO|IMAGE|REFUSED|CHECK/);
  await picker.screenshot({ path: join(artefacts, '4-station-before-photo.png') });
  await picker.click('#photo');
  await picker.waitForFunction(() => /released/.test(document.getElementById('state').textContent), null, { timeout: 60000 });
  await picker.screenshot({ path: join(artefacts, '5-station-released.png') });
  assert.deepEqual(await seriousViolations(picker), [], 'station screen: no serious axe violation');

  // QA: the journal holds it all, the chain is intact, the export downloads.
  const qaContext = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  const qa = await qaContext.newPage();
  qa.on('pageerror', (error) => problems.push(String(error)));
  await qa.goto(server.base + '/qa');
  await signIn(qa, 'qa', '1357');
  await qa.waitForFunction(() => /Chain intact/.test(document.getElementById('chain').textContent), null, { timeout: 15000 });
  await qa.fill('#q-order', 'ORD-2025-00145');
  await qa.selectOption('#q-verdict', 'wrong_variant');
  await qa.click('#search button[type=submit]');
  await qa.waitForFunction(() => /[1-9][0-9]* matching/.test(document.getElementById('summary').textContent) && /9506000001487/.test(document.getElementById('rows').textContent), null, { timeout: 15000 });
  assert.match(await qa.textContent('#rows'), /9506000001487/);
  await qa.selectOption('#q-verdict', '');
  await qa.click('#search button[type=submit]');
  await qa.waitForFunction(() => /pack_released/.test(document.getElementById('rows').textContent), null, { timeout: 15000 });
  // The service's station signs checkpoints as `run` does: the release is covered by a signed one.
  const audit = execFileSync(binary, ['--data-dir', server.dataDir, 'audit', 'verify'], { encoding: 'utf8' });
  assert.match(audit, /journal intact/);
  assert.match(audit, /checkpoints: [1-9][0-9]* signed by key/);
  // "Anchor now": the file saved is the service's response byte for byte, in the CLI's format, and
  // the CLI's verify path accepts it.
  const anchorResponse = qa.waitForResponse((r) => r.url().endsWith('/api/v1/journal/anchor') && r.request().method() === 'POST');
  await qa.click('#anchor-now');
  const anchorBytes = await (await anchorResponse).body();
  await qa.waitForSelector('#anchor-file:not([hidden])', { timeout: 15000 });
  const anchorDownload = qa.waitForEvent('download');
  await qa.click('#anchor-file');
  const anchorFile = join(server.dataDir, 'anchor-from-qa.json');
  await (await anchorDownload).saveAs(anchorFile);
  const saved = readFileSync(anchorFile);
  assert.ok(saved.equals(anchorBytes), 'the saved anchor file is the bytes the service sent');
  const anchorShape = /^\{"station":"[^"]+","seq":\d+,"hash":"[0-9a-f]{64}","utc_ms":\d+,"key_id":"[^"]+","public_key":"[0-9a-f]+","signature":"[0-9a-f]{128}"\}\n$/;
  assert.match(saved.toString('utf8'), anchorShape);
  const checked = execFileSync(binary, ['--data-dir', server.dataDir, 'audit', 'verify', '--anchor', anchorFile], { encoding: 'utf8' });
  assert.match(checked, /anchors: 1 checked/);
  // The CLI's own anchor file of the same journal, with the same key: the same bytes but for its row.
  const cliFile = join(server.dataDir, 'anchor-from-cli.json');
  execFileSync(binary, ['--data-dir', server.dataDir, 'audit', 'anchor', '-o', cliFile], { stdio: 'ignore' });
  const cli = readFileSync(cliFile, 'utf8');
  assert.match(cli, anchorShape);
  const fixed = (text) => { const j = JSON.parse(text); return JSON.stringify([j.station, j.key_id, j.public_key]); };
  assert.equal(fixed(cli), fixed(saved.toString('utf8')), 'signed by the same station key');
  const relabel = (text) => text.replace(/"seq":\d+,"hash":"[0-9a-f]{64}","utc_ms":\d+/, 'ROW').replace(/"signature":"[0-9a-f]{128}"/, 'SIG');
  assert.equal(relabel(cli), relabel(saved.toString('utf8')), 'the QA page\'s file is in the CLI\'s format byte for byte');
  await qa.screenshot({ path: join(artefacts, '6-qa-journal.png'), fullPage: true });
  // The photo that released the pack is the order's evidence: its link serves the JPEG, hash-checked.
  const photo = await qa.getAttribute('#rows a[href^="/api/v1/evidence/"]', 'href');
  assert.ok(photo, 'the image_check row links its evidence photo');
  const image = await qa.evaluate(async (href) => {
    const response = await fetch(href);
    return { status: response.status, type: response.headers.get('content-type'), size: (await response.arrayBuffer()).byteLength };
  }, photo);
  assert.equal(image.status, 200);
  assert.equal(image.type, 'image/jpeg');
  assert.ok(image.size > 1000);
  // The chart (Chart.js, embedded at build time) and its table: one wrong variant among the scans of today.
  assert.equal(await qa.evaluate(() => typeof window.Chart), 'function', 'the chart library is embedded');
  await qa.selectOption('#chart-by', 'sku');
  await qa.waitForFunction(() => /TR-RUN-10-D/.test(document.getElementById('chart-rows').textContent), null, { timeout: 15000 });
  assert.match(await qa.textContent('#chart-rows'), /TR-RUN-10-D\s*1\s*1\s*100\.0 %/);
  assert.match(await qa.textContent('#chart-rows'), /100\.0 %wrong variant 1/);
  await qa.locator('#chart').scrollIntoViewIfNeeded();
  await qa.screenshot({ path: join(artefacts, '7-qa-mismatch-chart.png') });
  const download = qa.waitForEvent('download');
  await qa.click('#export-csv');
  const csv = readFileSync(await (await download).path(), 'utf8');
  assert.match(csv.split('\n')[0], /seq/);
  assert.match(csv, /alert_cleared/);
  assert.match(csv, /supervisor/);
  assert.deepEqual(await seriousViolations(qa), [], 'QA page: no serious axe violation');

  // The order's evidence pack, made from the page: its summary opens with the photos.
  await qa.fill('#pack-order', 'ORD-2025-00145');
  await qa.click('#pack-form button[type=submit]');
  await qa.waitForSelector('#pack a[href$="/summary.html"]', { timeout: 30000 });
  const [summary] = await Promise.all([qaContext.waitForEvent('page'), qa.click('#pack a[href$="/summary.html"]')]);
  await summary.waitForLoadState();
  assert.match(await summary.textContent('body'), /ORD-2025-00145/);
  assert.ok(await summary.evaluate(() => [...document.images].every((img) => img.complete && img.naturalWidth > 0)),
            'the summary\'s photos load');
  await summary.screenshot({ path: join(artefacts, '8-qa-evidence-pack.png'), fullPage: true });

  assert.deepEqual(problems, [], 'no script errors in the pages');
});
