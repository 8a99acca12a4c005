-- wrk script: every request creates a payment for a different bill of the load-test customer,
-- with its own Idempotency-Key, so each one reserves a bill and opens a hosted checkout.
-- Run by `cargo xtask bench-server`; TOKEN comes from the environment.

local threads = {}
local token = os.getenv("TOKEN")

function setup(thread)
  thread:set("offset", #threads * 1000000)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
end

function request()
  counter = counter + 1
  local n = offset + counter
  local headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = "bench-" .. n,
  }
  -- Bills are bill_load_0 … bill_load_(N-1); thread 2 starts at bill_load_1000000, so the
  -- load-test customer needs bills in both ranges: see BILLS_PER_THREAD in the xtask.
  local bill = (n - offset) + (offset / 1000000) * 100000
  return wrk.format("POST", "/v1/payments", headers, '{"bill_ids":["bill_load_' .. bill .. '"]}')
end

function done(summary, latency, requests)
  local created = summary.requests - summary.errors.status
  io.write(string.format("created %d payments, %d non-2xx answers\n", created, summary.errors.status))
end
