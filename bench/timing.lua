-- wrk script for bench/http.sh: collects the server's own time of every response (the
-- `Server-Timing: app;dur=<ms>` header) and counts answers other than 200, then prints one line
--   RESULT requests=… rps=… server_p50=… server_p99=… latency_p50=… latency_p99=… non200=… untimed=… …
-- (times in milliseconds) for the shell script to read, after wrk's own summary.
--
-- Each wrk thread runs its own Lua state; done() gathers the threads' lists with thread:get().

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  durations = {}
  non200 = 0
  untimed = 0
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
  end
  local timing = headers["Server-Timing"] or headers["server-timing"]
  local ms = timing and tonumber(string.match(timing, "app;dur=([%d%.]+)"))
  if ms then
    durations[#durations + 1] = ms
  else
    untimed = untimed + 1
  end
end

-- "nan" when nothing was answered in time
local function percentile(sorted, p)
  if #sorted == 0 then
    return "nan"
  end
  return string.format("%.3f", sorted[math.max(1, math.ceil(#sorted * p / 100))])
end

function done(summary, latency, requests)
  local all = {}
  local non200_total, untimed_total = 0, 0
  for _, thread in ipairs(threads) do
    for _, ms in ipairs(thread:get("durations")) do
      all[#all + 1] = ms
    end
    non200_total = non200_total + thread:get("non200")
    untimed_total = untimed_total + thread:get("untimed")
  end
  table.sort(all)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d rps=%.1f server_p50=%s server_p99=%s latency_p50=%.3f latency_p99=%.3f "
      .. "non200=%d untimed=%d wrk_status_errors=%d socket_errors=%d\n",
    summary.requests,
    summary.requests / (summary.duration / 1e6),
    percentile(all, 50),
    percentile(all, 99),
    latency:percentile(50) / 1000,
    latency:percentile(99) / 1000,
    non200_total,
    untimed_total,
    e.status,
    e.connect + e.read + e.write + e.timeout
  ))
end
