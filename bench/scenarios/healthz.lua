-- GET /healthz: the process answering, no database. Every other scenario is a ratio of this.
local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")
local request_text

function init(args)
  request_text = wrk.format("GET", "/healthz", { Host = args[2] })
end

function request()
  return request_text
end
