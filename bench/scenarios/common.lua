-- Shared by every scenario: request lists from the harness, per-thread rotation, and the
-- JSON line the harness reads back. Arguments (after `--`): the fixtures directory, the
-- Host header, then scenario-specific ones.

local common = {}

local threads = {}
local thread_count = 0

-- Globals, so that done() can read them from each thread with thread:get().
statuses = {}
units = 0
thread_number = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
  threads[#threads + 1] = thread
end

function common.lines(path)
  local list = {}
  for line in io.lines(path) do
    if line ~= "" then list[#list + 1] = line end
  end
  assert(#list > 0, "no lines in " .. path)
  return list
end

function common.fields(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do fields[#fields + 1] = field end
  return fields
end

-- A cycling index over n items; each thread starts at its own offset.
function common.cycle(n)
  local index = ((thread_number - 1) * 7919) % n
  return function()
    index = index % n + 1
    return index
  end
end

function common.count(status)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  local total_units = 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses") or {}) do
      total[status] = (total[status] or 0) + n
    end
    total_units = total_units + (thread:get("units") or 0)
  end
  local parts = {}
  for status, n in pairs(total) do parts[#parts + 1] = string.format('"%d":%d', status, n) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d},' ..
    '"units":%d,"statuses":{%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, total_units, table.concat(parts, ",")))
end

return common
