-- wrk script for `python -m bench.ingest`: the bodies real clients send, from bench/clients.py's templates.
-- Args: TOKEN NONCE TEMPLATES DOSSIER_OFFSET DOSSIER_CODE_FORMAT THREADS.
-- Each request takes the next template, puts a fresh time-ordered key (UUIDv7, as the kiosk makes them)
-- for @KEY@ and the next registered, unrated dossier code for @DOSSIER@. Status codes and the dossier
-- codes used are counted per thread and summed in done().
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
  templates = {}
  for line in io.lines(args[3]) do table.insert(templates, line) end
  offset = tonumber(args[4])
  code_format = args[5]
  nthreads = tonumber(args[6])
  seq, used = 0, 0
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

local function uuid7()
  local ms = os.time() * 1000 + seq % 1000
  local hi, lo = math.floor(ms / 16777216), ms % 16777216
  local ts = string.format("%06x%06x", hi, lo)
  return ts:sub(1, 8) .. "-" .. ts:sub(9, 12) .. "-" .. random_hex("7xxx-yxxx-xxxxxxxxxxxx")
end

function request()
  seq = seq + 1
  local body = templates[(seq - 1) % #templates + 1]
  body = (body:gsub("@KEY@", uuid7(), 1))
  if body:find("@DOSSIER@", 1, true) then
    local code = string.format(code_format, offset + used * nthreads + tid - 1)
    used = used + 1
    body = (body:gsub("@DOSSIER@", code, 1))
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
  local most = 0
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + thread:get(k) end
    most = math.max(most, thread:get("used"))
  end
  io.write(string.format("STATUS 201=%d 200=%d 4xx=%d 5xx=%d other=%d\n", t.n201, t.n200, t.n4xx, t.n5xx, t.nother))
  io.write(string.format("DOSSIERS %d\n", most * #threads))  -- codes past the offset, used or skipped
end
