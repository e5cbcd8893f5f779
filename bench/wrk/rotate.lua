-- wrk script for bench/http_submit.py: each connection is one player, with its token and body.
-- Usage: wrk -tN -cN ... -s rotate.lua URL -- FILE METHOD   (one connection per thread)
-- FILE: one line per player, "<token>\t<JSON body>"; METHOD: POST (the body and a fresh
-- Idempotency-Key per request) or GET (the token only). wrk's Lua knows threads, not
-- connections, so the bench runs one connection per thread and thread i plays player i: a
-- player's requests come one after another over one keep-alive connection, as a client's do.
local players, method, next_player, sent = {}, "POST", 1, 0
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  method = args[2] or "POST"
  for line in io.lines(args[1]) do
    local token, body = line:match("^([^\t]+)\t(.*)$")
    table.insert(players, {auth = "Bearer " .. token, body = body})
  end
  next_player = ((id or 1) - 1) % #players + 1
end

function request()
  local player = players[next_player]
  sent = sent + 1
  local headers = {["Authorization"] = player.auth}
  if method == "POST" then
    headers["Content-Type"] = "application/json"
    headers["Idempotency-Key"] = string.format("bench-%d-%d-%d", os.time(), id or 0, sent)
    return wrk.format("POST", nil, headers, player.body)
  end
  return wrk.format("GET", nil, headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT {\"requests\": %d, \"duration_us\": %d, \"p50_us\": %d, \"p99_us\": %d, " ..
    "\"non2xx\": %d, \"socket_errors\": %d}\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
