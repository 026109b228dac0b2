-- Write load for wrk: cycles through POSTs prepared by bench/run.py, one a line of the file given as the
-- script's first argument: path, Cookie header and csrf token, separated by tabs. Each wrk thread starts
-- `stride` lines further (second argument), so that the requests in flight are distinct members'.
-- Success is a 302 back to the page (not to /login, which would mean the session was lost). wrk itself
-- counts the answers outside 2xx and 3xx; any other answer that is not such a 302 is counted here and
-- printed as "bad writes: N" at the end.
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local requests = {}
local counter = 0
bad = 0

function init(args)
  for line in io.lines(args[1]) do
    local path, cookie, token = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)$")
    requests[#requests + 1] = wrk.format("POST", path, {
      ["Cookie"] = cookie, ["Content-Type"] = "application/x-www-form-urlencoded",
    }, "csrf_token=" .. token)
  end
  counter = (id * tonumber(args[2])) % #requests
end

function request()
  counter = counter % #requests + 1
  return requests[counter]
end

function response(status, headers, body)
  local location = headers["Location"] or headers["location"] or ""
  if status >= 200 and status < 400 and (status ~= 302 or location:find("/login", 1, true)) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("bad")
  end
  io.write(string.format("bad writes: %d\n", total))
end
