-- Argo CD health of a Lastgood Rollout (lastgood.dev/v1alpha1).
-- The phase is only trusted once the operator has seen the current spec: until then a new
-- release would still show the verdict on the previous one.
local hs = {}
if obj.status == nil or obj.status.phase == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the Lastgood operator to report a status"
  return hs
end
local generation = obj.metadata.generation
if generation ~= nil and obj.status.observedGeneration ~= generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the Lastgood operator to observe generation " .. tostring(generation)
  return hs
end
local phase = obj.status.phase
local message = obj.status.message
if message == nil or message == "" then
  message = phase
end
hs.message = message
if phase == "Healthy" then
  hs.status = "Healthy"
elseif phase == "Paused" then
  hs.status = "Suspended"
elseif phase == "Progressing" then
  hs.status = "Progressing"
elseif phase == "RolledBack" or phase == "Rejected" or phase == "Degraded" then
  hs.status = "Degraded"
else
  hs.status = "Unknown"
  hs.message = "Unknown phase " .. tostring(phase) .. ": " .. message
end
return hs
