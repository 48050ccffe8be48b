-- GET /v1/me/feed?cursor=...: the second page of a reader's ranked feed (its snapshot).
-- fixtures/cursors.txt: token <TAB> next_cursor of that reader's first page.
local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")
local requests, next_index = {}, nil

function init(args)
  for _, line in ipairs(common.lines(args[1] .. "/cursors.txt")) do
    local f = common.fields(line)
    requests[#requests + 1] = wrk.format("GET", "/v1/me/feed?cursor=" .. f[2], {
      Host = args[2], Authorization = "Bearer " .. f[1], ["Accept-Encoding"] = "gzip",
    })
  end
  next_index = common.cycle(#requests)
end

function request()
  return requests[next_index()]
end
