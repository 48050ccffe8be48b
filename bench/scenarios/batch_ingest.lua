-- POST /v1/articles/batch: the CMS filing new articles in batches, each article new.
-- fixtures/batch_items.txt: article JSON objects with __UID__ where a unique id goes;
-- args[3]: an API key with articles:write, args[4]: articles per batch, args[5]: a nonce.
-- units = articles the API created.
local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")
local templates, host, key, size, nonce
local sent = 0

function init(args)
  templates = common.lines(args[1] .. "/batch_items.txt")
  host, key, size, nonce = args[2], args[3], tonumber(args[4]), args[5]
  math.randomseed(thread_number * 1000003)
end

function request()
  sent = sent + 1
  local items = {}
  for i = 1, size do
    local uid = string.format("%s-%d-%d-%d", nonce, thread_number, sent, i)
    items[i] = templates[math.random(#templates)]:gsub("__UID__", uid)
  end
  return wrk.format("POST", "/v1/articles/batch", {
    Host = host, ["X-API-Key"] = key, ["Content-Type"] = "application/json",
  }, '{"articles":[' .. table.concat(items, ",") .. "]}")
end

function response(status, headers, body)
  common.count(status)
  if status == 200 then
    local _, created = body:gsub('"status":"created"', "")
    units = units + created
  end
end
