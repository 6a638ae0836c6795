-- Argo CD actions of a Lastgood Rollout: promote ends a pause, abort rolls the canary back.
local actions = {}
local phase = nil
local inFlight = false
if obj.status ~= nil then
  phase = obj.status.phase
  inFlight = obj.status.canary ~= nil and (phase == "Progressing" or phase == "Paused")
end
actions["promote"] = {["disabled"] = phase ~= "Paused", ["iconClass"] = "fa fa-fw fa-forward"}
actions["abort"] = {["disabled"] = not inFlight, ["iconClass"] = "fa fa-fw fa-undo"}
return actions
