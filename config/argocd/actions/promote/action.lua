-- Ends a pause without duration: the operator acts on any new value of lastgood.dev/promote.
if obj.metadata.annotations == nil then
  obj.metadata.annotations = {}
end
obj.metadata.annotations["lastgood.dev/promote"] = os.date("!%Y-%m-%dT%H:%M:%SZ")
return obj
