package main

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

const (
	rolloutGroup = "lastgood.dev"
	rolloutKind  = "Rollout"
	// unknownVersion labels requests whose backend has no release snapshot.
	unknownVersion = "unknown"
)

// snapshot is what the gateway needs of a release snapshot in Rollout.status.
type snapshot struct {
	Version   string
	Behaviour string // raw DEMO_BEHAVIOUR value, "" when absent
}

// rolloutInfo is what the gateway needs of a Rollout.
type rolloutInfo struct {
	Namespace string
	Name      string
	App       string
	Stable    *snapshot
	Canary    *snapshot
}

// backend is one entry of an HTTPRoute rule's backendRefs.
type backend struct {
	Name   string
	Weight int64
}

// routeRolloutName returns the name of the Rollout that manages an HTTPRoute: the
// name in its ownerReference of kind Rollout (group lastgood.dev), else the route's
// own name (the operator names the route after its Rollout).
func routeRolloutName(route *unstructured.Unstructured) string {
	for _, ref := range route.GetOwnerReferences() {
		if ref.Kind == rolloutKind && strings.HasPrefix(ref.APIVersion, rolloutGroup+"/") && ref.Name != "" {
			return ref.Name
		}
	}
	return route.GetName()
}

// routeBackends returns spec.rules[0].backendRefs of an HTTPRoute. A ref without
// weight has weight 1, as the Gateway API defines it.
func routeBackends(route *unstructured.Unstructured) []backend {
	rules, _, _ := unstructured.NestedSlice(route.Object, "spec", "rules")
	if len(rules) == 0 {
		return nil
	}
	rule, ok := rules[0].(map[string]interface{})
	if !ok {
		return nil
	}
	refs, _, _ := unstructured.NestedSlice(rule, "backendRefs")
	var out []backend
	for _, r := range refs {
		ref, ok := r.(map[string]interface{})
		if !ok {
			continue
		}
		name, _ := ref["name"].(string)
		w := int64(1)
		if v, present := ref["weight"]; present {
			w = toInt64(v)
		}
		out = append(out, backend{Name: name, Weight: w})
	}
	return out
}

func toInt64(v interface{}) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int:
		return int64(n)
	case int32:
		return int64(n)
	case float64:
		return int64(n)
	default:
		return 0
	}
}

// parseRollout reads the parts of a Rollout the gateway needs. The app is
// spec.application, or the Rollout's name when that is empty.
func parseRollout(obj *unstructured.Unstructured) rolloutInfo {
	info := rolloutInfo{Namespace: obj.GetNamespace(), Name: obj.GetName()}
	info.App, _, _ = unstructured.NestedString(obj.Object, "spec", "application")
	if info.App == "" {
		info.App = obj.GetName()
	}
	info.Stable = parseSnapshot(obj.Object, "stable")
	info.Canary = parseSnapshot(obj.Object, "canary")
	return info
}

func parseSnapshot(obj map[string]interface{}, field string) *snapshot {
	m, found, err := unstructured.NestedMap(obj, "status", field)
	if !found || err != nil || m == nil {
		return nil
	}
	s := &snapshot{}
	s.Version, _ = m["version"].(string)
	if s.Version == "" {
		s.Version = unknownVersion
	}
	env, _ := m["env"].([]interface{})
	for _, e := range env {
		entry, ok := e.(map[string]interface{})
		if !ok {
			continue
		}
		if name, _ := entry["name"].(string); name == behaviourEnv {
			s.Behaviour, _ = entry["value"].(string)
		}
	}
	return s
}

// role tells which release a backend of a Rollout's route sends to:
// N-stable is "stable", N-canary is "canary", anything else is its own name.
func role(rolloutName, backendName string) string {
	switch backendName {
	case rolloutName + "-stable":
		return "stable"
	case rolloutName + "-canary":
		return "canary"
	default:
		return backendName
	}
}

// resolve returns the release snapshot that a backend of a Rollout's route serves,
// or nil when there is none (no such snapshot, or a backend the contract does not know).
func resolve(ro rolloutInfo, backendName string) *snapshot {
	switch role(ro.Name, backendName) {
	case "stable":
		return ro.Stable
	case "canary":
		return ro.Canary
	default:
		return nil
	}
}

// describe renders a route's split as "ns/name stable=v1:90 canary=v2:10".
func describe(routeNS, routeName string, ro rolloutInfo, backends []backend) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s/%s", routeNS, routeName)
	for _, be := range backends {
		v := unknownVersion
		if s := resolve(ro, be.Name); s != nil {
			v = s.Version
		}
		fmt.Fprintf(&b, " %s=%s:%d", role(ro.Name, be.Name), v, be.Weight)
	}
	if len(backends) == 0 {
		b.WriteString(" (no backends)")
	}
	return b.String()
}

// describeBehaviours renders the behaviour of each backend's release, e.g.
// "stable=healthy canary=error"; an unknown DEMO_BEHAVIOUR value shows as
// "healthy(unknown value "x")".
func describeBehaviours(ro rolloutInfo, backends []backend) string {
	var parts []string
	for _, be := range backends {
		s := resolve(ro, be.Name)
		if s == nil {
			continue
		}
		b, known := normalizeBehaviour(s.Behaviour)
		if !known {
			b = fmt.Sprintf("%s(unknown value %q)", b, s.Behaviour)
		}
		parts = append(parts, role(ro.Name, be.Name)+"="+b)
	}
	return strings.Join(parts, " ")
}
