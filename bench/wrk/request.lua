-- One fixed request, replayed by every connection: wrk builds it once (no request()
-- function, so wrk keeps its static-request fast path) from these environment variables,
-- set by bench/load.py:
--   WRK_METHOD        GET, POST, PUT, PATCH...
--   WRK_BODY_FILE     a file holding the body (absent: no body)
--   WRK_HEADERS_FILE  a file of "Name: value" lines
-- done() prints one machine-readable line that bench/load.py prefers to wrk's text.

local function read_file(path)
  if path == nil or path == "" then
    return nil
  end
  local file = assert(io.open(path, "rb"))
  local data = file:read("*a")
  file:close()
  return data
end

wrk.method = os.getenv("WRK_METHOD") or "GET"

local body = read_file(os.getenv("WRK_BODY_FILE"))
if body ~= nil then
  wrk.body = body
end

local header_text = read_file(os.getenv("WRK_HEADERS_FILE"))
if header_text ~= nil then
  for line in header_text:gmatch("[^\r\n]+") do
    local name, value = line:match("^([^:]+):%s*(.*)$")
    if name ~= nil then
      wrk.headers[name] = value
    end
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "BENCH_RESULT {\"requests\": %d, \"duration_us\": %d, \"bytes\": %d, " ..
    "\"connect\": %d, \"read\": %d, \"write\": %d, \"timeout\": %d, \"status\": %d, " ..
    "\"mean_us\": %.1f, \"p50_us\": %d, \"p90_us\": %d, \"p99_us\": %d, \"max_us\": %d}\n",
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.timeout, errors.status,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max))
end
