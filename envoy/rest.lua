-- REST shaping around the gRPC-JSON transcoder (see envoy.yaml). Native gRPC calls pass untouched,
-- except that a malformed grpc-timeout or frame is answered here: a bad grpc-timeout poisons the shared
-- upstream connection (grpc's HPACK parser fails every later call that reuses the indexed header).
--
-- Request:  native gRPC bodies must be one well-formed frame (see "Native gRPC" below).
--           GET .../batch/{id}/results?format=csv|excel or ?download=true is the same resource as a
--           file, which only ExportResults (google.api.HttpBody) can return: rewrite to .../download.
--           A JSON body is scanned (never decoded) for its top-level keys and the JSON kind of each
--           value, sent to the server as x-rest-body-shape: the transcoder drops unknown fields and
--           takes "a string" for ["a string"], so the server checks the shape against the request
--           type (server/api/body_shape.py). REST calls may not set gRPC transport headers.
-- Response: errors from the service carry the contract's envelope and HTTP status as trailing
--           metadata (x-rest-envelope, x-rest-status; server/api/status.py): make them the body and
--           status. Any other error (Envoy's own, the transcoder's) is rebuilt as the envelope with a
--           field name and a bounded message. A successful submit is 202 Accepted, as the contract
--           says (a retry too: it queues work). Watch streams are server-sent events: label them text/event-stream.

local RESULTS = "^/api/v1/company/batch/([^/?]+)/results%?(.*)$"
local SHAPE_HEADER = "x-rest-body-shape"
local MAX_SHAPE_KEYS = 32      -- keys listed in the shape header; more are counted
local MAX_KEY_BYTES = 64       -- of each key; a longer one is cut (it is unknown anyway)
local MAX_DEPTH = 64           -- deeper JSON is left to the transcoder, which rejects it
local MAX_MESSAGE_BYTES = 200  -- of an error message quoted into a rebuilt envelope
local GRPC_TIMEOUT = "^%d%d?%d?%d?%d?%d?%d?%d?[HMSmun]$"  -- 1-8 digits and a unit (gRPC spec)

local function wants_file(query)
  for key, value in string.gmatch(query, "([^&=]+)=([^&]*)") do
    if key == "format" and (value == "csv" or value == "excel") then return true end
    if key == "download" and (value == "true" or value == "1") then return true end
  end
  return false
end

-- Native gRPC is application/grpc or application/grpc+proto etc.; application/grpc-web is not.
local function is_native_grpc(content_type)
  return content_type == "application/grpc"
    or string.find(content_type, "^application/grpc[+;]") ~= nil
end

local function is_json(content_type)
  local mime = string.lower(string.match(content_type, "^%s*([^;%s]*)") or "")
  return mime == "application/json" or string.find(mime, "^[%w.-]+/[%w.+-]+%+json$") ~= nil
end

-- The first query parameter given twice (the transcoder would keep the last silently), or nil.
local function repeated_query_key(path)
  local query = string.match(path, "%?(.*)$")
  if query == nil then return nil end
  local seen = {}
  for key in string.gmatch(query, "([^&=]+)=?[^&]*") do
    if seen[key] then return string.sub(key, 1, MAX_KEY_BYTES) end
    seen[key] = true
  end
  return nil
end

-- JSON scanning --------------------------------------------------------------------------------
-- Each scanner takes the text and a 1-based position and returns the kind of the value there and
-- the position after it, or nil when the text is not JSON (the transcoder then explains why).

local scan_value

local function skip_ws(s, i)
  return string.find(s, "[^ \t\r\n]", i) or (#s + 1)
end

local VALID_ESCAPE = {['"'] = true, ["\\"] = true, ["/"] = true, b = true, f = true, n = true, r = true, t = true}

local function scan_string(s, i)  -- s[i] is the opening quote; returns the raw text and the next index
  local j = i + 1
  while true do
    local k = string.find(s, '[%z\1-\31"\\]', j)
    if k == nil then return nil end
    local b = string.byte(s, k)
    if b < 32 then return nil end  -- raw control characters are not JSON
    if b == 92 then  -- backslash: the escape must be one JSON knows
      local e = string.sub(s, k + 1, k + 1)
      if e == "u" then
        if string.find(s, "^%x%x%x%x", k + 2) == nil then return nil end
        j = k + 6
      elseif VALID_ESCAPE[e] then
        j = k + 2
      else
        return nil
      end
    else
      return string.sub(s, i + 1, k - 1), k + 1
    end
  end
end

local function scan_container(s, i, depth, close, keyed)
  -- Returns the kind ("object"/"array" with ":string" when every member is a string) and the next index.
  local all_strings, members = true, 0
  i = skip_ws(s, i + 1)
  if string.sub(s, i, i) == close then return (keyed and "object:" or "array:"), i + 1 end
  while true do
    if keyed then
      if string.sub(s, i, i) ~= '"' then return nil end
      local _, after = scan_string(s, i)
      if after == nil then return nil end
      i = skip_ws(s, after)
      if string.sub(s, i, i) ~= ":" then return nil end
      i = skip_ws(s, i + 1)
    end
    local kind, after = scan_value(s, i, depth + 1)
    if kind == nil then return nil end
    members = members + 1
    if kind ~= "string" then all_strings = false end
    i = skip_ws(s, after)
    local c = string.sub(s, i, i)
    if c == close then
      local base = keyed and "object:" or "array:"
      return base .. (all_strings and "string" or "mixed"), i + 1
    end
    if c ~= "," then return nil end
    i = skip_ws(s, i + 1)
  end
end

scan_value = function(s, i, depth)
  if depth > MAX_DEPTH then return nil end
  local c = string.sub(s, i, i)
  if c == '"' then
    local _, after = scan_string(s, i)
    if after == nil then return nil end
    return "string", after
  elseif c == "{" then
    return scan_container(s, i, depth, "}", true)
  elseif c == "[" then
    return scan_container(s, i, depth, "]", false)
  elseif string.sub(s, i, i + 3) == "true" then
    return "bool", i + 4
  elseif string.sub(s, i, i + 4) == "false" then
    return "bool", i + 5
  elseif string.sub(s, i, i + 3) == "null" then
    return "null", i + 4
  end
  local _, last = string.find(s, "^-?%d+%.?%d*[eE]?[-+]?%d*", i)
  if last == nil then return nil end
  return "number", last + 1
end

local function percent_encode(text)
  return (string.gsub(text, "[^%w_.~-]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

-- The shape of a JSON object body: "key=kind,key=kind[,*=N more]"; nil when the body is not an
-- object or not JSON (the transcoder rejects those itself).
local function body_shape(s)
  local i = skip_ws(s, 1)
  if string.sub(s, i, i) ~= "{" then return nil end
  local entries, extra = {}, 0
  i = skip_ws(s, i + 1)
  if string.sub(s, i, i) == "}" then
    if skip_ws(s, i + 1) <= #s then return nil end
    return ""
  end
  while true do
    if string.sub(s, i, i) ~= '"' then return nil end
    local key, after = scan_string(s, i)
    if after == nil then return nil end
    i = skip_ws(s, after)
    if string.sub(s, i, i) ~= ":" then return nil end
    local kind, next_i = scan_value(s, skip_ws(s, i + 1), 1)
    if kind == nil then return nil end
    if #entries < MAX_SHAPE_KEYS then
      entries[#entries + 1] = percent_encode(string.sub(key, 1, MAX_KEY_BYTES)) .. "=" .. kind
    else
      extra = extra + 1
    end
    i = skip_ws(s, next_i)
    local c = string.sub(s, i, i)
    if c == "}" then break end
    if c ~= "," then return nil end
    i = skip_ws(s, i + 1)
  end
  if skip_ws(s, i + 1) <= #s then return nil end  -- text after the object
  if extra > 0 then entries[#entries + 1] = "*=" .. extra end
  return table.concat(entries, ",")
end

-- Envelopes ------------------------------------------------------------------------------------

local ERROR_KINDS = {
  [400] = {"ValidationError", "INVALID_ARGUMENT"},
  [404] = {"NotFound", "NOT_FOUND"},
  [405] = {"MethodNotAllowed", "INVALID_ARGUMENT"},
  [408] = {"Timeout", "DEADLINE_EXCEEDED"},
  [409] = {"Conflict", "FAILED_PRECONDITION"},
  [411] = {"ValidationError", "INVALID_ARGUMENT"},
  [413] = {"PayloadTooLarge", "INVALID_ARGUMENT"},
  [415] = {"UnsupportedMediaType", "INVALID_ARGUMENT"},
  [429] = {"RateLimited", "RESOURCE_EXHAUSTED"},
  [431] = {"HeadersTooLarge", "INVALID_ARGUMENT"},
}

local function json_string(text)
  return '"' .. string.gsub(text, '[%c"\\\128-\255]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end) .. '"'
end

-- The raw (still JSON-escaped) value of "key":"..." in a JSON text, or nil.
local function string_member(text, key)
  local start = string.find(text, '"' .. key .. '":"', 1, true)
  if start == nil then return nil end
  local raw = scan_string(text, start + #key + 3)
  return raw
end

local function unescape(raw)
  raw = string.gsub(raw, "\\u(%x%x%x%x)", function(hex)
    local code = tonumber(hex, 16)
    return code < 128 and string.char(code) or "?"
  end)
  return (string.gsub(raw, "\\(.)", {n = " ", t = " ", r = " ", b = "", f = "", ["\""] = "\"", ["\\"] = "\\", ["/"] = "/"}))
end

-- Which request field an error from Envoy or the transcoder is about.
local function field_of(message, status, method)
  local named = string.match(message, "^([%a_][%w_%.%[%]]*): ")
    or string.match(message, "field ['\"]?([%a_][%w_]*)")
  if named ~= nil and status == 400 then return string.sub(named, 1, MAX_KEY_BYTES) end
  if status == 404 then return "path" end
  if status == 405 then return "method" end
  if status == 431 then return "headers" end
  if status == 400 and method == "GET" then return "query" end
  return "body"
end

local function envelope(status, message, field, trace_id)
  local kind = ERROR_KINDS[status] or (status >= 500 and {"Unavailable", "UNAVAILABLE"}) or {"HttpError", "UNKNOWN"}
  if #message > MAX_MESSAGE_BYTES then message = string.sub(message, 1, MAX_MESSAGE_BYTES) .. "..." end
  local violations = "[]"
  if status < 500 then
    violations = '[{"field":' .. json_string(field) .. ',"description":' .. json_string(message) .. "}]"
  end
  return '{"success":false,"error":{"type":' .. json_string(kind[1])
    .. ',"message":' .. json_string(message)
    .. ',"details":' .. json_string("rejected before reaching the service")
    .. ',"field_violations":' .. violations
    .. ',"code":' .. json_string(kind[2])
    .. '},"metadata":{"trace_id":' .. json_string(trace_id)
    .. ',"timestamp":' .. json_string(os.date("!%Y-%m-%dT%H:%M:%SZ")) .. "}}"
end

local function reject(handle, status, field, message, trace_id)
  -- envoy.yaml's first local-reply mapper passes bodies marked so through unchanged.
  handle:streamInfo():dynamicMetadata():set("company_batch", "own_reply", "true")
  handle:respond({[":status"] = tostring(status), ["content-type"] = "application/json"},
    envelope(status, message, field, trace_id))
end

-- Native gRPC ------------------------------------------------------------------------------------
-- grpc answers a malformed frame (a length prefix longer than the body, a compressed bit without an
-- encoding, no frame at all) with INTERNAL or by waiting forever for the rest. Every company.v1 method
-- takes one request message, so its body is buffered here and must be exactly one frame; anything else
-- is INVALID_ARGUMENT with the same rich details the server sends (google.rpc.Status, hand-encoded).

local MAX_GRPC_MESSAGE = 1048576  -- server/api/wire.py MAX_REQUEST_BYTES

local function varint(n)
  local out = {}
  repeat
    local byte = n % 128
    n = math.floor(n / 128)
    if n > 0 then byte = byte + 128 end
    out[#out + 1] = string.char(byte)
  until n == 0
  return table.concat(out)
end

local function pb_bytes(number, bytes)
  return varint(number * 8 + 2) .. varint(#bytes) .. bytes
end

local function pb_any(type_name, bytes)
  return pb_bytes(1, "type.googleapis.com/" .. type_name) .. pb_bytes(2, bytes)
end

local function grpc_reject(handle, field, description)
  local message = field .. ": " .. description
  local info = pb_bytes(1, "INVALID_REQUEST") .. pb_bytes(2, "company-batch")
  local bad_request = pb_bytes(1, pb_bytes(1, field) .. pb_bytes(2, description))
  local status = varint(8) .. varint(3) .. pb_bytes(2, message)
    .. pb_bytes(3, pb_any("google.rpc.ErrorInfo", info)) .. pb_bytes(3, pb_any("google.rpc.BadRequest", bad_request))
  -- Envoy makes a gRPC local reply's body its grpc-message; envoy.yaml passes marked bodies through.
  handle:streamInfo():dynamicMetadata():set("company_batch", "own_reply", "true")
  handle:respond({[":status"] = "200", ["content-type"] = "application/grpc", ["grpc-status"] = "3",
    ["grpc-status-details-bin"] = handle:base64Escape(status)}, message)
end

local function check_native_grpc(handle, headers, timeout)
  if timeout ~= nil and string.find(timeout, GRPC_TIMEOUT) == nil then
    grpc_reject(handle, "grpc-timeout", "must be 1-8 digits and a unit H, M, S, m, u or n")
    return
  end
  if string.find(headers:get(":path") or "", "^/company%.v1%.") == nil then return end
  local encoding = headers:get("grpc-encoding")
  local compressed_ok = encoding ~= nil and encoding ~= "identity"
  local body = handle:body()
  local size = body ~= nil and body:length() or 0
  if size > MAX_GRPC_MESSAGE + 5 then
    grpc_reject(handle, "request", "is " .. (size - 5) .. " bytes; at most " .. MAX_GRPC_MESSAGE .. " are accepted")
    return
  end
  if size < 5 then
    grpc_reject(handle, "request", "is not one gRPC message (no 5-byte length prefix)")
    return
  end
  local flag, b1, b2, b3, b4 = string.byte(body:getBytes(0, 5), 1, 5)
  local length = ((b1 * 256 + b2) * 256 + b3) * 256 + b4
  if length ~= size - 5 then
    grpc_reject(handle, "request", "is not one gRPC message (its prefix says " .. length .. " bytes, " .. (size - 5) .. " came)")
  elseif flag > 1 or (flag == 1 and not compressed_ok) then
    grpc_reject(handle, "request", "has an invalid compressed flag (" .. flag .. ") for its grpc-encoding")
  end
end

-- Filter entry points ----------------------------------------------------------------------------

function envoy_on_request(handle)
  local headers = handle:headers()
  local content_type = headers:get("content-type") or ""
  local timeout = headers:get("grpc-timeout")
  if is_native_grpc(content_type) then
    check_native_grpc(handle, headers, timeout)
    return
  end
  headers:remove(SHAPE_HEADER)
  local trace_id = headers:get("x-request-id") or ""
  local meta = handle:streamInfo():dynamicMetadata()
  meta:set("company_batch", "rest", "true")
  meta:set("company_batch", "trace_id", trace_id)
  meta:set("company_batch", "method", headers:get(":method") or "")
  if timeout ~= nil or headers:get("grpc-encoding") ~= nil then
    reject(handle, 400, timeout ~= nil and "grpc-timeout" or "grpc-encoding",
      "is a gRPC transport header; REST requests cannot set it", trace_id)
    return
  end
  local path = headers:get(":path") or ""
  if string.find(path, "^/api/v1/company/batch/submit") or string.find(path, "^/api/v1/company/batch/[^/?]+/retry") then
    meta:set("company_batch", "accepted", "true")
  end
  if string.find(path, "^/api/v1/company/batch/[^/?]+/watch") then
    meta:set("company_batch", "sse", "true")
  end
  local batch_id, query = string.match(path, RESULTS)
  if batch_id ~= nil and wants_file(query) then
    headers:replace(":path", "/api/v1/company/batch/" .. batch_id .. "/download?" .. query)
  end
  local method = headers:get(":method")
  if method == "GET" then
    local key = repeated_query_key(path)
    if key ~= nil then
      reject(handle, 400, key, "is given more than once", trace_id)
    end
    return
  end
  local encoding = headers:get("content-encoding")
  if method ~= "POST" and method ~= "PUT" and method ~= "PATCH" then return end
  local body = handle:body()
  if body == nil or body:length() == 0 then return end
  if not is_json(content_type) then
    reject(handle, 415, "content-type", "must be application/json", trace_id)
    return
  end
  if encoding ~= nil and string.lower(encoding) ~= "identity" then
    reject(handle, 415, "content-encoding", "is not supported; send the JSON uncompressed", trace_id)
    return
  end
  local shape = body_shape(body:getBytes(0, body:length()))
  if shape == nil then
    reject(handle, 400, "body", "must be one JSON object (UTF-8, at most 64 levels deep)", trace_id)
    return
  end
  -- Waiting for the body ends the scope of the headers object read before it.
  handle:headers():add(SHAPE_HEADER, shape)
end

function envoy_on_response(handle)
  local meta = handle:streamInfo():dynamicMetadata():get("company_batch")
  if meta == nil or meta["rest"] ~= "true" or meta["own_reply"] == "true" then
    return
  end
  local headers = handle:headers()
  headers:remove("grpc-accept-encoding")
  headers:remove("grpc-status")
  headers:remove("grpc-message")
  local envelope_header = headers:get("x-rest-envelope")
  if envelope_header ~= nil then
    local status = headers:get("x-rest-status") or "500"
    headers:remove("x-rest-envelope")
    headers:remove("x-rest-status")
    headers:remove("grpc-status-details-bin")
    headers:replace(":status", status)
    headers:replace("content-type", "application/json")
    handle:body(true):setBytes(envelope_header)
    return
  end
  local status = tonumber(headers:get(":status")) or 500
  if status >= 400 then
    -- Envoy's or the transcoder's own error: rebuild it as the envelope, message cut, field named.
    headers:remove("grpc-status-details-bin")
    local body = handle:body(true)
    local text = body:getBytes(0, body:length())
    local message = string_member(text, "message")
    if message ~= nil then
      message = unescape(message)
    elseif #text > 0 and string.sub(text, 1, 1) ~= "{" then
      message = text
    else
      message = "request rejected"
    end
    local field = field_of(message, status, meta["method"])
    handle:headers():replace("content-type", "application/json")
    body:setBytes(envelope(status, message, field, meta["trace_id"] or ""))
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
