#!/usr/bin/env bash
# The service under load on loopback (docs/PERFORMANCE.md, "Service"):
#   1. wrk on the trivial endpoint (/healthz) and on the scan endpoint, same server, same run;
#   2. 200 open station screens (SSE) while scans arrive: event latency p99, server memory.
# usage: [STATIONS=8] tests/bench/server/run_http_bench.sh [build/src/app/pickverify] [seconds=15] [connections=32]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=${1:-$here/../../../build/src/app/pickverify}
seconds=${2:-15}
connections=${3:-32}
stations=${STATIONS:-8}
data=${PICKVERIFY_BENCH_DIR:-$PWD/bench-service-data}
rm -rf "$data"; mkdir -p "$data"
port=18090
base=http://127.0.0.1:$port
token=$("$bin" --data-dir "$data" token create --name bench --role supervisor 2>/dev/null)
ids=$(seq -f 's%g' -s, 1 $stations)
"$bin" --data-dir "$data" serve --listen 127.0.0.1:$port --stations "$ids" > "$data/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf $base/healthz >/dev/null && break; sleep 0.2; done
# One order per station, each line needing far more units than the bench scans.
orders='{"orders":['
for i in $(seq 1 $stations); do
  orders+="{\"id\":\"BENCH-$i\",\"value\":\"10.00\",\"currency\":\"USD\",\"lines\":["
  orders+='{"line":1,"sku":"ACC-INSOLE-M","quantity":100000},{"line":2,"sku":"ACC-LACES-BLK","quantity":100000},'
  orders+='{"line":3,"sku":"CARE-BRUSH","quantity":100000},{"line":4,"sku":"TR-RUN-09-D","quantity":100000}]}'
  [ $i -lt $stations ] && orders+=','
done
orders+=']}'
curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$orders" $base/api/v1/orders >/dev/null
for i in $(seq 1 $stations); do
  curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "{\"order_id\":\"BENCH-$i\"}" \
    $base/api/v1/stations/s$i/session >/dev/null
done
echo "== trivial endpoint: GET /healthz ($connections connections, ${seconds}s)"
wrk -t2 -c"$connections" -d"${seconds}s" --latency $base/healthz | grep -E "Requests/sec|Latency|50%|90%|99%"
echo "== scan endpoint: POST /api/v1/stations/sN/scans over $stations stations ($connections connections, ${seconds}s)"
STATIONS=$stations TOKEN=$token wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$here/scan.lua" $base | \
  grep -E "Requests/sec|Latency|50%|90%|99%|Non-2xx"
echo "== journal after the run"
curl -sf -H "Authorization: Bearer $token" $base/api/v1/journal/verify; echo
curl -sf $base/metrics | grep -E '^pickverify_scans_total|scan_journal_seconds_(count|sum)'
echo "== 200 open station screens (SSE) on s1, 100 scans 20 ms apart"
node "$here/sse_latency.mjs" $base "$token" s1 200 100 $pid
