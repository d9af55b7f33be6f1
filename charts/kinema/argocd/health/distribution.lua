-- Argo CD health of a kinema.dev Distribution, from its conditions.
-- A Distribution is Ready once its CDN serves; CloudFront deploying (status.deployment
-- InProgress) is Progressing, not Degraded.
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
local ready = nil
if status ~= nil then
  ready = condition(status.conditions, "Ready")
end
if ready == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator"
  return hs
end

local seen = ready.observedGeneration or status.observedGeneration
if obj.metadata.generation ~= nil and seen ~= nil and seen < obj.metadata.generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. obj.metadata.generation
  return hs
end

local message = ready.message or ""
if ready.reason ~= nil and ready.reason ~= "" then
  message = ready.reason .. (message ~= "" and (": " .. message) or "")
end
if ready.status == "True" then
  hs.status = "Healthy"
elseif ready.status == "False" and status.deployment ~= "InProgress" then
  hs.status = "Degraded"
else
  hs.status = "Progressing"
end
hs.message = message
return hs
