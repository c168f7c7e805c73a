-- wrk script: POST /api/v1/stations/<station>/scans round-robin over the stations, each request from
-- its own terminal id (so the bounce window does not turn them into duplicates). Every one is
-- journaled (fsynced) before it is answered.
local stations = tonumber(os.getenv("STATIONS") or "8")
local token = os.getenv("TOKEN")
local codes = { "9506000001418", "9506000001692", "9506000001760", "9506000001838" }
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
request = function()
  counter = counter + 1
  local station = (counter % stations) + 1
  local body = string.format('{"data":"%s","terminal":"t%d"}', codes[(counter % #codes) + 1], counter % 997)
  return wrk.format(nil, string.format("/api/v1/stations/s%d/scans", station), nil, body)
end
