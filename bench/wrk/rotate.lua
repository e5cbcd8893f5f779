-- wrk script for bench/http_submit.py: every request takes the next player's token and body.
-- Usage: wrk ... -s rotate.lua URL -- FILE METHOD
-- FILE: one line per player, "<token>\t<JSON body>"; METHOD: POST (bodies, a fresh
-- Idempotency-Key per request) or GET (tokens only). Each thread starts at its own player, so
-- the 32 connections spread over the 32 players.
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
  next_player = ((id or 1) - 1) * 16 % #players + 1
end

function request()
  local player = players[next_player]
  next_player = next_player % #players + 1
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
