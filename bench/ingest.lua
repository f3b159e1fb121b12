-- wrk script for `python -m bench.ingest`: one new rating per request, each with its own idempotency key.
-- Args: TOKEN NONCE [v4|v7]. v4: random keys; v7: time-ordered, as the kiosk sends
-- keys (UUIDv7 layout), which append to the unique index instead of touching a random page per rating.
-- Status codes are counted per thread and summed in done().
local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end

function init(args)
  token = args[1]
  math.randomseed(tonumber(args[2]) * 64 + tid)
  ordered = args[3] == "v7"
  seq = 0
  n201, n200, n4xx, n5xx, nother = 0, 0, 0, 0, 0
  wrk.method = "POST"
  wrk.path = "/api/v1/ratings"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. token
end

local function random_hex(template)
  return (string.gsub(template, "[xy]", function(c)
    return string.format("%x", c == "x" and math.random(0, 15) or math.random(8, 11))
  end))
end

local function uuid()
  if not ordered then
    return random_hex("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx")
  end
  seq = seq + 1
  local ms = os.time() * 1000 + seq % 1000
  local hi, lo = math.floor(ms / 16777216), ms % 16777216
  local ts = string.format("%06x%06x", hi, lo)
  return ts:sub(1, 8) .. "-" .. ts:sub(9, 12) .. "-" .. random_hex("7xxx-yxxx-xxxxxxxxxxxx")
end

function request()
  local body
  if math.random() < 0.1 then
    body = '{"idempotency_key":"' .. uuid() .. '","level":1,"reasons":["waiting"],' ..
      '"comment":"Phải chờ quá lâu mới đến lượt","time_to_tap_ms":' .. math.random(1500, 9000) ..
      ',"client_time":"2026-11-23T09:15:00+07:00"}'
  else
    body = '{"idempotency_key":"' .. uuid() .. '","level":' .. math.random(2, 3) ..
      ',"reasons":[],"time_to_tap_ms":' .. math.random(1500, 9000) .. ',"client_time":"2026-11-23T09:15:00+07:00"}'
  end
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status == 201 then n201 = n201 + 1
  elseif status == 200 then n200 = n200 + 1
  elseif status >= 500 then n5xx = n5xx + 1
  elseif status >= 400 then n4xx = n4xx + 1
  else nother = nother + 1 end
end

function done(summary, latency, requests)
  local t = {n201 = 0, n200 = 0, n4xx = 0, n5xx = 0, nother = 0}
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + thread:get(k) end
  end
  io.write(string.format("STATUS 201=%d 200=%d 4xx=%d 5xx=%d other=%d\n", t.n201, t.n200, t.n4xx, t.n5xx, t.nother))
end
