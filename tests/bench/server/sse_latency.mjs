// 200 open station screens: N raw SSE connections to one station's event stream, then scans at a
// steady rate over HTTP; for each scan, the time from sending it to each screen receiving the event
// with its journal seq (the fsync included). Prints p50/p99/max and the server's memory.
//   node sse_latency.mjs BASE TOKEN STATION STREAMS SCANS PID
import { request } from 'node:http';
import { readFileSync } from 'node:fs';

const [base, token, station, streams = '200', scans = '100', pid] = process.argv.slice(2);
const url = new URL(base);
const sentAt = new Map(); // journal seq → send time
const pending = [];       // [{seq, at}] for events that arrive before the reply
const latencies = [];
let delivered = 0;

function rss(p) {
  const status = readFileSync(`/proc/${p}/status`, 'utf8');
  return Number(status.match(/VmRSS:\s+(\d+)/)[1]);
}

function open() {
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: `/api/v1/stations/${station}/events`,
                          headers: { authorization: 'Bearer ' + token, accept: 'text/event-stream' } }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        const now = performance.now();
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const match = event.match(/"journal_seq":(\d+),"state"/);
          if (!match) continue;
          const seq = Number(match[1]);
          if (sentAt.has(seq)) { latencies.push(now - sentAt.get(seq)); delivered++; }
          else pending.push({ seq, at: now });
        }
      });
      resolve(res);
    });
    req.on('error', reject);
    req.end();
  });
}

function post(path, body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request({ host: url.hostname, port: url.port, method: 'POST', path,
                          headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json',
                                     'content-length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve(JSON.parse(text)));
    });
    req.on('error', reject);
    req.end(data);
  });
}

const rssBefore = pid ? rss(pid) : 0;
const connections = [];
for (let i = 0; i < Number(streams); i++) connections.push(await open());
await new Promise((r) => setTimeout(r, 1000));
const rssOpen = pid ? rss(pid) : 0;
const codes = ['9506000001418', '9506000001692', '9506000001760', '9506000001838'];
for (let i = 0; i < Number(scans); i++) {
  const start = performance.now();
  const reply = await post(`/api/v1/stations/${station}/scans`, { data: codes[i % 4], terminal: 'sse' + i });
  // The station's event for this scan carries the last journal row it wrote.
  sentAt.set(reply.journal_seq, start);
  for (let j = pending.length - 1; j >= 0; j--) {
    if (pending[j].seq === reply.journal_seq) { latencies.push(pending[j].at - start); delivered++; pending.splice(j, 1); }
  }
  await new Promise((r) => setTimeout(r, 20));
}
await new Promise((r) => setTimeout(r, 1000));
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * (latencies.length - 1)))].toFixed(2);
console.log(`streams ${streams} scans ${scans} events delivered ${delivered}/${Number(streams) * Number(scans)} ` +
            `latency p50 ${pct(0.5)} ms p99 ${pct(0.99)} ms max ${pct(1)} ms; ` +
            `server RSS ${rssBefore} KiB before, ${rssOpen} KiB with the streams open, ${pid ? rss(pid) : 0} KiB after`);
for (const c of connections) c.destroy();
process.exit(0);
