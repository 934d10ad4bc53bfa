-- REST shaping around the gRPC-JSON transcoder (see envoy.yaml). Native gRPC calls pass untouched.
--
-- Request:  GET .../batch/{id}/results?format=csv|excel or ?download=true is the same resource as a
--           file, which only ExportResults (google.api.HttpBody) can return: rewrite to .../download.
-- Response: errors from the service carry the contract's envelope and HTTP status as trailing
--           metadata (x-rest-envelope, x-rest-status; server/api/status.py): make them the body and
--           status. A successful submit is 202 Accepted, as the contract says. Watch streams are
--           server-sent events: label them text/event-stream. gRPC framing headers are dropped.

local RESULTS = "^/api/v1/company/batch/([^/?]+)/results%?(.*)$"

local function wants_file(query)
  for key, value in string.gmatch(query, "([^&=]+)=([^&]*)") do
    if key == "format" and (value == "csv" or value == "excel") then return true end
    if key == "download" and (value == "true" or value == "1") then return true end
  end
  return false
end

function envoy_on_request(handle)
  local headers = handle:headers()
  local content_type = headers:get("content-type") or ""
  if string.find(content_type, "application/grpc", 1, true) == 1 then
    return
  end
  local meta = handle:streamInfo():dynamicMetadata()
  meta:set("company_batch", "rest", "true")
  local path = headers:get(":path") or ""
  if string.find(path, "^/api/v1/company/batch/submit") then
    meta:set("company_batch", "accepted", "true")
  end
  if string.find(path, "^/api/v1/company/batch/[^/?]+/watch") then
    meta:set("company_batch", "sse", "true")
  end
  local batch_id, query = string.match(path, RESULTS)
  if batch_id ~= nil and wants_file(query) then
    headers:replace(":path", "/api/v1/company/batch/" .. batch_id .. "/download?" .. query)
  end
end

function envoy_on_response(handle)
  local meta = handle:streamInfo():dynamicMetadata():get("company_batch")
  if meta == nil or meta["rest"] ~= "true" then
    return
  end
  local headers = handle:headers()
  headers:remove("grpc-accept-encoding")
  headers:remove("grpc-status")
  headers:remove("grpc-message")
  local envelope = headers:get("x-rest-envelope")
  if envelope ~= nil then
    local status = headers:get("x-rest-status") or "500"
    headers:remove("x-rest-envelope")
    headers:remove("x-rest-status")
    headers:remove("grpc-status-details-bin")
    headers:replace(":status", status)
    headers:replace("content-type", "application/json")
    handle:body(true):setBytes(envelope)
    return
  end
  if meta["accepted"] == "true" and headers:get(":status") == "200" then
    headers:replace(":status", "202")
  end
  if meta["sse"] == "true" and headers:get(":status") == "200" then
    headers:replace("content-type", "text/event-stream")
    headers:replace("cache-control", "no-cache")
  end
end
