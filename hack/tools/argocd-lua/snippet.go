// Package argocdlua checks Lastgood's Argo CD resource customizations (config/argocd) in
// gopher-lua, the Lua runtime Argo CD embeds, and renders them as an argocd-cm snippet.
package argocdlua

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Actions are the custom actions, in the order Argo CD lists them.
var Actions = []string{"promote", "abort"}

const (
	healthKey  = "resource.customizations.health.lastgood.dev_Rollout"
	actionsKey = "resource.customizations.actions.lastgood.dev_Rollout"
)

// Script reads one Lua file under dir (config/argocd).
func Script(dir, path string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, path))
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// Snippet renders the argocd-cm ConfigMap that carries the scripts under dir.
func Snippet(dir string) (string, error) {
	health, err := Script(dir, "health.lua")
	if err != nil {
		return "", err
	}
	discovery, err := Script(dir, "actions/discovery.lua")
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(`# Lastgood's resource customizations for Argo CD: health of a Rollout, and the actions
# promote and abort. Merge the two data keys into the argocd-cm ConfigMap of your Argo CD
# (kubectl -n argocd patch configmap argocd-cm --patch-file config/argocd/argocd-cm.yaml).
# Generated from config/argocd/*.lua by hack/tools/argocd-lua (go test ./... -update).
apiVersion: v1
kind: ConfigMap
metadata:
  name: argocd-cm
  labels:
    app.kubernetes.io/name: argocd-cm
    app.kubernetes.io/part-of: argocd
data:
`)
	fmt.Fprintf(&b, "  %s: |\n%s", healthKey, indent(health, 4))
	fmt.Fprintf(&b, "  %s: |\n    discovery.lua: |\n%s    definitions:\n", actionsKey, indent(discovery, 6))
	for _, name := range Actions {
		action, err := Script(dir, "actions/"+name+"/action.lua")
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "      - name: %s\n        action.lua: |\n%s", name, indent(action, 10))
	}
	return b.String(), nil
}

func indent(text string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pad + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
}
