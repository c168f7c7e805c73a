// Starts `pickverify serve` on a free loopback port with its own data folder, and Debian's chromium.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const binary = process.env.PICKVERIFY_BIN || new URL('../../build/src/app/pickverify', import.meta.url).pathname;
export const artefacts = process.env.PICKVERIFY_E2E_ARTEFACTS || join(process.cwd(), 'artefacts');
mkdirSync(artefacts, { recursive: true });

// stations: the station ids serve runs (default: the configured one, station-1); env: more
// environment for serve (PICKVERIFY_DEMO_DIR: another folder of demo photos).
export async function startServer({ stations, env } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'pickverify-e2e-'));
  const wmsToken = execFileSync(binary, ['--data-dir', dataDir, 'token', 'create', '--name', 'wms-test', '--role', 'wms'],
                                { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const pickerToken = execFileSync(binary, ['--data-dir', dataDir, 'token', 'create', '--name', 'handheld-1',
                                            '--role', 'picker', '--station', 'station-1'],
                                   { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const child = spawn(binary, ['--data-dir', dataDir, 'serve', '--listen', '127.0.0.1:0',
                               ...(stations ? ['--stations', stations.join(',')] : [])],
                      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...(env || {}) } });
  let output = '';
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('serve did not start in 20 s:\n' + output)), 20000);
    const onData = (chunk) => {
      output += chunk;
      const match = output.match(/station screen\s+(http:\/\/127\.0\.0\.1:\d+)\//);
      if (match) { clearTimeout(timer); resolve(match[1]); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('exit', (code) => reject(new Error('serve exited with ' + code + ':\n' + output)));
  });
  return {
    base, dataDir, wmsToken, pickerToken, child,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => { if (child.exitCode !== null) resolve(); else child.on('exit', resolve); });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// The flags Debian's chromium needs here (/work/.library/env/machines/cpp.md); Playwright gives
// every launch a fresh, empty profile of its own.
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
  });
}

export async function signIn(page, user, pin) {
  await page.fill('#login-user', user);
  await page.fill('#login-pin', pin);
  await page.click('#login-form button[type=submit]');
}

// axe-core inside the page (evaluate is not subject to the page's CSP); serious and critical only.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
export async function seriousViolations(page) {
  const violations = await page.evaluate(async (source) => {
    // eslint-disable-next-line no-eval
    (0, eval)(source);
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                                           nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  }, axeSource);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
