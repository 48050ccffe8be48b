-- POST /v1/me/events: batches of reading events from random readers, each event new.
-- fixtures/tokens.txt, fixtures/articles.txt (recent article ids); args[3]: events per batch,
-- args[4]: occurred_at (RFC 3339), args[5]: a nonce that keeps event ids unique across runs.
-- units = events the API accepted (202 bodies' "accepted").
local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")
local tokens, articles, host, size, occurred, nonce
local next_token, sent = nil, 0
-- A reading session's mix: mostly impressions, some opens and reads, a few reactions.
local kinds = {
  "impression", "impression", "impression", "impression", "impression", "impression",
  "open", "open", "read", "like", "share", "dislike",
}

function init(args)
  tokens = common.lines(args[1] .. "/tokens.txt")
  articles = common.lines(args[1] .. "/articles.txt")
  host, size, occurred, nonce = args[2], tonumber(args[3]), args[4], args[5]
  next_token = common.cycle(#tokens)
  math.randomseed(thread_number * 1000003)
end

function request()
  sent = sent + 1
  local events = {}
  for i = 1, size do
    local kind = kinds[math.random(#kinds)]
    local dwell = kind == "read" and tostring(math.random(20000, 300000)) or "null"
    events[i] = string.format(
      '{"id":"%s-%d-%d-%d","type":"%s","article_id":"%s","occurred_at":"%s","dwell_ms":%s}',
      nonce, thread_number, sent, i, kind, articles[math.random(#articles)], occurred, dwell)
  end
  return wrk.format("POST", "/v1/me/events", {
    Host = host, Authorization = "Bearer " .. tokens[next_token()],
    ["Content-Type"] = "application/json",
  }, '{"events":[' .. table.concat(events, ",") .. "]}")
end

function response(status, headers, body)
  common.count(status)
  if status == 202 then
    units = units + (tonumber(body:match('"accepted":(%d+)')) or 0)
  end
end
