-- Argo CD health of a kinema.dev Video.
-- Degraded when the Failed condition is True; Progressing while the operator has not
-- seen the current generation or is probing/transcoding/packaging; Healthy when Ready is
-- True for the current generation. Argo CD runs this with `obj` set to the Video.
local hs = {}

local function condition(conditions, kind)
  for _, c in ipairs(conditions) do
    if c.type == kind then
      return c
    end
  end
  return nil
end

local function observed(status, c)
  -- A condition's own observedGeneration wins over the status-wide one.
  if c ~= nil and c.observedGeneration ~= nil then
    return c.observedGeneration
  end
  return status.observedGeneration
end

local generation = obj.metadata.generation
local status = obj.status
if status == nil or status.conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to pick up the Video"
  return hs
end
local conditions = status.conditions

local failed = condition(conditions, "Failed")
if failed ~= nil and failed.status == "True" then
  hs.status = "Degraded"
  hs.message = (failed.reason or "Failed") .. ": " .. (failed.message or "")
  return hs
end

local ready = condition(conditions, "Ready")
if generation ~= nil and observed(status, ready) ~= nil and observed(status, ready) < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. generation
  return hs
end

local transcoding = condition(conditions, "Transcoding")
if transcoding ~= nil and transcoding.status == "True" then
  hs.status = "Progressing"
  hs.message = (status.phase or "Transcoding") .. " " .. (status.progress or 0) .. "%"
  if transcoding.message ~= nil and transcoding.message ~= "" then
    hs.message = hs.message .. ": " .. transcoding.message
  end
  return hs
end

if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = "Ready"
  if ready.message ~= nil and ready.message ~= "" then
    hs.message = ready.message
  end
  return hs
end

hs.status = "Progressing"
hs.message = status.phase or "Pending"
if ready ~= nil and ready.message ~= nil and ready.message ~= "" then
  hs.message = hs.message .. ": " .. ready.message
end
return hs
