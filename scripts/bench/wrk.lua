-- One wrk script for every tongban HTTP benchmark (scripts/bench-http drives it).
-- Environment:
--   BENCH_MODE     create | act | get
--   BENCH_TOKEN    a bearer token (POST /api/v1/session with "kind": "bearer")
--   BENCH_PATH     for get: the path and query to fetch
--   BENCH_LIST     for create: prefix of per-thread files the created case numbers go to;
--                  for act: the file of case numbers to act on (one a line)
--   BENCH_THREADS  the -t given to wrk (so each thread takes its own share of the list)
-- At the end it prints one line starting with RESULT that scripts/bench-http parses.

local mode = os.getenv("BENCH_MODE") or "get"
local token = os.getenv("BENCH_TOKEN") or ""
local list = os.getenv("BENCH_LIST") or "/tmp/tongban-bench-cases"
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")

local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

-- A valid resident ID number (GB 11643 check character) with its hukou in 耒阳市 (430481).
local weights = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 }
local checks = "10X98765432"
local function resident_id()
  local first = string.format("430481%04d%02d%02d%03d", math.random(1950, 2000),
    math.random(1, 12), math.random(1, 28), math.random(0, 998))
  local sum = 0
  for i = 1, 17 do
    sum = sum + tonumber(first:sub(i, i)) * weights[i]
  end
  local m = sum % 11 + 1
  return first .. checks:sub(m, m)
end

local n = 0
local numbers = {}
local next_number = 1
local out = nil

function init(args)
  math.randomseed(os.time() * 100 + (tid or 0))
  wrk.headers["Authorization"] = "Bearer " .. token
  if mode == "create" then
    wrk.method = "POST"
    wrk.path = "/api/v1/cases"
    wrk.headers["Content-Type"] = "application/json"
    out = io.open(list .. "." .. tostring(tid), "a")
    out:setvbuf("line")
  elseif mode == "act" then
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
    local i = 0
    for line in io.lines(list) do
      if i % nthreads == tid then
        numbers[#numbers + 1] = line
      end
      i = i + 1
    end
  else
    wrk.method = "GET"
    wrk.path = os.getenv("BENCH_PATH") or "/readyz"
  end
end

function request()
  n = n + 1
  if mode == "create" then
    local body = string.format(
      '{"item":"430400-RS-0001","form":{"applicant_name":"压测%d","applicant_id":"%s",' ..
      '"mobile":"13812345678","hukou_region":"430481","contribution_grade":"300"},' ..
      '"materials":[{"material":"M-ID-CARD","paper":true}]}', n, resident_id())
    wrk.headers["Idempotency-Key"] = string.format("bench-%d-%d-%d-%d", os.time(), tid, n,
      math.random(0, 1000000000))
    return wrk.format(nil, nil, nil, body)
  elseif mode == "act" then
    local number = numbers[next_number]
    if number == nil then
      -- Every case this thread was given has been acted on: stop rather than send conflicts.
      wrk.thread:stop()
      number = numbers[1] or "none"
    end
    next_number = next_number + 1
    return wrk.format(nil, "/api/v1/cases/" .. number .. "/actions", nil,
      '{"sub_case":1,"version":1,"action":"accept"}')
  end
  return wrk.format()
end

if mode == "create" then
  function response(status, headers, body)
    if status == 201 then
      local number = body:match('"number"%s*:%s*"([^"]+)"')
      if number then
        out:write(number, "\n")
      end
    end
  end
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d sockerr=%d timeouts=%d\n",
    summary.requests, summary.requests / secs, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, e.status,
    e.connect + e.read + e.write, e.timeout))
end
