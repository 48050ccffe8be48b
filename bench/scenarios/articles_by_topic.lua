-- GET /v1/articles?topic={slug}: the first page of a topic's articles, newest first.
-- fixtures/topics.txt: topic slugs.
local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")
local requests, next_index = {}, nil

function init(args)
  for _, slug in ipairs(common.lines(args[1] .. "/topics.txt")) do
    requests[#requests + 1] = wrk.format("GET", "/v1/articles?topic=" .. slug, {
      Host = args[2], ["Accept-Encoding"] = "gzip",
    })
  end
  next_index = common.cycle(#requests)
end

function request()
  return requests[next_index()]
end
