-- GET /v1/topics/{slug}/feed.rss with If-None-Match: the poller's copy is current (304).
-- fixtures/etags.txt: slug <TAB> ETag; args[3]: an API key with feeds:read.
-- Statuses are counted, so a 200 (a validator that did not match) shows in the report.
local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")
local requests, next_index = {}, nil

function init(args)
  for _, line in ipairs(common.lines(args[1] .. "/etags.txt")) do
    local f = common.fields(line)
    requests[#requests + 1] = wrk.format("GET", "/v1/topics/" .. f[1] .. "/feed.rss", {
      Host = args[2], ["X-API-Key"] = args[3], ["Accept-Encoding"] = "gzip",
      ["If-None-Match"] = f[2],
    })
  end
  next_index = common.cycle(#requests)
end

function request()
  return requests[next_index()]
end

function response(status, headers, body)
  common.count(status)
end
