-- Rolls the canary back to the last-good release: the operator acts on any new value of
-- lastgood.dev/abort.
if obj.metadata.annotations == nil then
  obj.metadata.annotations = {}
end
obj.metadata.annotations["lastgood.dev/abort"] = os.date("!%Y-%m-%dT%H:%M:%SZ")
return obj
