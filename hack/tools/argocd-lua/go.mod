// Runs Lastgood's Argo CD Lua health check and actions in gopher-lua, the runtime Argo CD embeds.
module lastgood.dev/hack/tools/argocd-lua

go 1.26.0

require (
	github.com/yuin/gopher-lua v1.1.2
	sigs.k8s.io/yaml v1.4.0
)
