-- GET /v1/me/feed without a cursor: a fresh ranking (and snapshot) for a random reader.
-- fixtures/tokens.txt: one access token per line.
local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")
local requests, next_index = {}, nil

function init(args)
  for _, token in ipairs(common.lines(args[1] .. "/tokens.txt")) do
    requests[#requests + 1] = wrk.format("GET", "/v1/me/feed", {
      Host = args[2], Authorization = "Bearer " .. token, ["Accept-Encoding"] = "gzip",
    })
  end
  next_index = common.cycle(#requests)
end

function request()
  return requests[next_index()]
end
