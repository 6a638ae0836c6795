package main

import (
	"bytes"
	"strings"
	"testing"
)

const rollout = `apiVersion: lastgood.dev/v1alpha1
kind: Rollout
metadata: {name: kv, namespace: shop, generation: 3}
`

func TestComputesTheVerdictOfAResourceReadFromYAML(t *testing.T) {
	cases := []struct{ name, status, want string }{
		{"status of an older generation", "status: {observedGeneration: 2}", "InProgress: Rollout generation is 3, but latest observed generation is 2"},
		{"not yet seen (the CRD default)", "status: {observedGeneration: 0}", "InProgress: Rollout generation is 3, but latest observed generation is 0"},
		{"paused", "status: {observedGeneration: 3, conditions: [{type: Reconciling, status: 'True', reason: Paused, message: step 1}]}", "InProgress: step 1"},
		{"rolled back", "status: {observedGeneration: 3, conditions: [{type: Reconciling, status: 'False'}, {type: Stalled, status: 'True', reason: RolledBack, message: rolled back}]}", "Failed: rolled back"},
		{"healthy", "status: {observedGeneration: 3, conditions: [{type: Ready, status: 'True'}, {type: Reconciling, status: 'False'}, {type: Stalled, status: 'False'}]}", "Current: Resource is Ready"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errs bytes.Buffer

			code := run([]string{"-f", "-"}, strings.NewReader(rollout+c.status), &out, &errs)

			if code != 0 || strings.TrimSpace(out.String()) != c.want {
				t.Errorf("exit %d, out %q, err %q; want %q", code, out.String(), errs.String(), c.want)
			}
		})
	}
}

func TestRefusesBadUsage(t *testing.T) {
	var out, errs bytes.Buffer

	code := run([]string{"rollouts.lastgood.dev"}, strings.NewReader(""), &out, &errs)

	if code != 2 || !strings.Contains(errs.String(), "usage") {
		t.Errorf("exit %d, err %q; want 2 and a usage line", code, errs.String())
	}
}
