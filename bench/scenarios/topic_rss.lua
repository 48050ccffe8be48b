-- GET /v1/topics/{slug}/feed.rss as a partner's poller: every topic in turn, no validator.
-- fixtures/topics.txt: topic slugs; args[3]: an API key with feeds:read.
local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")
local requests, next_index = {}, nil

function init(args)
  for _, slug in ipairs(common.lines(args[1] .. "/topics.txt")) do
    requests[#requests + 1] = wrk.format("GET", "/v1/topics/" .. slug .. "/feed.rss", {
      Host = args[2], ["X-API-Key"] = args[3], ["Accept-Encoding"] = "gzip",
    })
  end
  next_index = common.cycle(#requests)
end

function request()
  return requests[next_index()]
end
