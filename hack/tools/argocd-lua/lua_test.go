package argocdlua

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
	"sigs.k8s.io/yaml"
)

var update = flag.Bool("update", false, "rewrite config/argocd/argocd-cm.yaml from the .lua files")

const dir = "../../../config/argocd"

func TestHealth(t *testing.T) {
	cases := []struct {
		file, status, message string
	}{
		{"healthy.yaml", "Healthy", "release v1 is promoted and recorded as last-good"},
		{"healthy-stale-generation.yaml", "Progressing", "Waiting for the Lastgood operator to observe generation 4"},
		{"progressing.yaml", "Progressing", "step 0: waiting for canary pods to carry 10%"},
		{"paused.yaml", "Suspended", "step 1: paused until lastgood.dev/promote is set"},
		{"rolled-back.yaml", "Degraded", "rolled back v2 to last-good v1: error-rate 0.5 is above max 0.05"},
		{"rejected.yaml", "Degraded", "BuildRelease kv-staging/kv-v2 is for environment staging, not production"},
		{"degraded.yaml", "Degraded", "invalid spec: spec.steps[0]: setWeight must be between 0 and 100"},
		{"no-status.yaml", "Progressing", "Waiting for the Lastgood operator to report a status"},
		{"not-yet-seen.yaml", "Progressing", "Waiting for the Lastgood operator to report a status"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			hs := run(t, "health.lua", sample(t, c.file)).(map[string]any)

			if hs["status"] != c.status || hs["message"] != c.message {
				t.Errorf("got %q %q, want %q %q", hs["status"], hs["message"], c.status, c.message)
			}
		})
	}
}

func TestDiscoveryOffersPromoteOnlyWhenPausedAndAbortOnlyForACanaryInFlight(t *testing.T) {
	cases := []struct {
		file                 string
		promoteOff, abortOff bool
	}{
		{"paused.yaml", false, false},
		{"progressing.yaml", true, false},
		{"healthy.yaml", true, true},
		{"rolled-back.yaml", true, true},
		{"no-status.yaml", true, true},
		{"not-yet-seen.yaml", true, true},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			actions := run(t, "actions/discovery.lua", sample(t, c.file)).(map[string]any)

			if len(actions) != len(Actions) {
				t.Fatalf("actions %v, want exactly %v", actions, Actions)
			}
			if got := disabled(t, actions, "promote"); got != c.promoteOff {
				t.Errorf("promote disabled = %v, want %v", got, c.promoteOff)
			}
			if got := disabled(t, actions, "abort"); got != c.abortOff {
				t.Errorf("abort disabled = %v, want %v", got, c.abortOff)
			}
		})
	}
}

func TestActionsSetANewAnnotationValueAndChangeNothingElse(t *testing.T) {
	for _, file := range []string{"paused.yaml", "no-status.yaml", "healthy.yaml"} {
		for _, name := range Actions {
			t.Run(name+"/"+file, func(t *testing.T) {
				before := sample(t, file)
				key := "lastgood.dev/" + name

				after := run(t, "actions/"+name+"/action.lua", sample(t, file)).(map[string]any)

				value, _ := annotations(after)[key].(string)
				if value == "" || value == annotations(before)[key] {
					t.Fatalf("%s = %q, want a new non-empty value (was %v)", key, value, annotations(before)[key])
				}
				if withoutAnnotation(t, before, key) != withoutAnnotation(t, after, key) {
					t.Errorf("the action changed more than %s:\nbefore %v\nafter  %v", key, before, after)
				}
			})
		}
	}
}

func TestTheArgoCDConfigMapCarriesExactlyTheLuaFiles(t *testing.T) {
	want, err := Snippet(dir)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "argocd-cm.yaml")
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("%s is out of date with the .lua files: run go test ./... -update in hack/tools/argocd-lua", path)
	}

	var cm struct {
		Data map[string]string `json:"data"`
	}
	if err := yaml.Unmarshal(got, &cm); err != nil {
		t.Fatal(err)
	}
	var actions struct {
		Discovery   string `json:"discovery.lua"`
		Definitions []struct {
			Name   string `json:"name"`
			Action string `json:"action.lua"`
		} `json:"definitions"`
	}
	if err := yaml.Unmarshal([]byte(cm.Data[actionsKey]), &actions); err != nil {
		t.Fatal(err)
	}
	mustEqualFile(t, cm.Data[healthKey], "health.lua")
	mustEqualFile(t, actions.Discovery, "actions/discovery.lua")
	if len(actions.Definitions) != len(Actions) {
		t.Fatalf("definitions %v, want %v", actions.Definitions, Actions)
	}
	for i, d := range actions.Definitions {
		if d.Name != Actions[i] {
			t.Errorf("definition %d is %q, want %q", i, d.Name, Actions[i])
		}
		mustEqualFile(t, d.Action, "actions/"+d.Name+"/action.lua")
	}
}

// ---- helpers ---------------------------------------------------------------------------

// sample reads a Rollout from testdata the way Argo CD hands it to Lua: decoded from JSON.
func sample(t *testing.T, file string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	j, err := yaml.YAMLToJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := json.Unmarshal(j, &obj); err != nil {
		t.Fatal(err)
	}
	return obj
}

// run executes a script with the global obj set, as Argo CD does, and returns its result.
func run(t *testing.T, script string, obj map[string]any) any {
	t.Helper()
	src, err := Script(dir, script)
	if err != nil {
		t.Fatal(err)
	}
	L := lua.NewState()
	defer L.Close()
	L.SetGlobal("obj", toLua(L, obj))
	if err := L.DoString(src); err != nil {
		t.Fatalf("%s: %v", script, err)
	}
	return fromLua(L.Get(-1))
}

func toLua(L *lua.LState, v any) lua.LValue {
	switch v := v.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(v)
	case float64:
		return lua.LNumber(v)
	case string:
		return lua.LString(v)
	case []any:
		t := L.NewTable()
		for _, e := range v {
			t.Append(toLua(L, e))
		}
		return t
	case map[string]any:
		t := L.NewTable()
		for k, e := range v {
			t.RawSetString(k, toLua(L, e))
		}
		return t
	}
	panic("unexpected JSON value")
}

func fromLua(v lua.LValue) any {
	switch v := v.(type) {
	case *lua.LNilType:
		return nil
	case lua.LBool:
		return bool(v)
	case lua.LNumber:
		return float64(v)
	case lua.LString:
		return string(v)
	case *lua.LTable:
		if v.MaxN() > 0 {
			var list []any
			v.ForEach(func(_, e lua.LValue) { list = append(list, fromLua(e)) })
			return list
		}
		m := map[string]any{}
		v.ForEach(func(k, e lua.LValue) { m[k.String()] = fromLua(e) })
		return m
	}
	panic("unexpected Lua value " + v.Type().String())
}

func annotations(obj map[string]any) map[string]any {
	a, _ := obj["metadata"].(map[string]any)["annotations"].(map[string]any)
	return a
}

// withoutAnnotation is obj as JSON without annotation key (and without an annotations map
// left empty by that).
func withoutAnnotation(t *testing.T, obj map[string]any, key string) string {
	t.Helper()
	var c map[string]any
	j, _ := json.Marshal(obj)
	if err := json.Unmarshal(j, &c); err != nil {
		t.Fatal(err)
	}
	meta := c["metadata"].(map[string]any)
	if a, ok := meta["annotations"].(map[string]any); ok {
		delete(a, key)
		if len(a) == 0 {
			delete(meta, "annotations")
		}
	}
	out, _ := json.Marshal(c)
	return string(out)
}

func disabled(t *testing.T, actions map[string]any, name string) bool {
	t.Helper()
	a, ok := actions[name].(map[string]any)
	if !ok {
		t.Fatalf("no action %q in %v", name, actions)
	}
	d, _ := a["disabled"].(bool)
	return d
}

func mustEqualFile(t *testing.T, got, file string) {
	t.Helper()
	want, err := Script(dir, file)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimRight(got, "\n") != strings.TrimRight(want, "\n") {
		t.Errorf("argocd-cm.yaml carries a different %s", file)
	}
}
