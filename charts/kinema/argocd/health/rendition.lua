-- Argo CD health of a kinema.dev Rendition (one output of a Video, owned by it).
-- Degraded when Failed; Healthy when Ready; Progressing while pending or encoding.
local hs = {}

local function condition(conditions, kind)
  for _, c in ipairs(conditions or {}) do
    if c.type == kind then
      return c
    end
  end
  return nil
end

local status = obj.status
if status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator"
  return hs
end

local failed = condition(status.conditions, "Failed")
if status.phase == "Failed" or (failed ~= nil and failed.status == "True") then
  hs.status = "Degraded"
  hs.message = "Encoding failed"
  if failed ~= nil and failed.message ~= nil and failed.message ~= "" then
    hs.message = failed.message
  end
  return hs
end

local ready = condition(status.conditions, "Ready")
if status.phase == "Ready" or (ready ~= nil and ready.status == "True") then
  hs.status = "Healthy"
  hs.message = "Ready"
  return hs
end

hs.status = "Progressing"
hs.message = (status.phase or "Pending") .. " " .. (status.progress or 0) .. "%"
return hs
