package main

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/tools/cache"
)

// TestInformerWiring runs the real informers against a fake dynamic client: the
// gateway finds the route of a Rollout, sends traffic by its weights, and follows a
// weight change made through the API.
func TestInformerWiring(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	client := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(),
		map[schema.GroupVersionResource]string{
			rolloutsGVR:   "RolloutList",
			httpRoutesGVR: "HTTPRouteList",
		},
		rollout("demo", "shop", "shop-app", snap("v1", ""), snap("v2", "error")),
		route("demo", "shop", true, 90, 10),
		rollout("other", "web", "web-app", snap("v3", ""), nil),
		route("other", "web", false, 100, 0),
	)
	src, synced := startInformers(ctx, client, "demo")
	if !cache.WaitForCacheSync(ctx.Done(), synced) {
		t.Fatal("informers did not sync")
	}
	m := newMetrics(prometheus.NewRegistry())
	gw := newGateway(100, src, m, 7)
	gw.logf = t.Logf
	for i := 0; i < 100; i++ { // 10 s of simulated time: 1,000 requests
		gw.tick(100 * time.Millisecond)
	}
	count := func(ns, app, version, code string) float64 {
		return testutil.ToFloat64(m.requests.WithLabelValues(ns, app, version, code))
	}
	if got := count("demo", "shop-app", "v1", "200"); got != 900 {
		t.Errorf("stable v1 200 = %v, want 900", got)
	}
	if got := count("demo", "shop-app", "v2", "500"); got != 100 {
		t.Errorf("canary v2 500 = %v, want 100", got)
	}
	if got := count("other", "web-app", "v3", "200"); got != 0 {
		t.Errorf("route outside -namespace got traffic: %v", got)
	}

	// Shift the weights through the API and wait for the informer to see it.
	r := route("demo", "shop", true, 50, 50)
	if _, err := client.Resource(httpRoutesGVR).Namespace("demo").Update(ctx, r, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	for {
		if rs := src.routes(); len(rs) == 1 && routeBackends(rs[0])[0].Weight == 50 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("weight change not seen")
		case <-time.After(10 * time.Millisecond):
		}
	}
	s0, c0 := count("demo", "shop-app", "v1", "200"), count("demo", "shop-app", "v2", "500")
	for i := 0; i < 100; i++ {
		gw.tick(100 * time.Millisecond)
	}
	if ds, dc := count("demo", "shop-app", "v1", "200")-s0, count("demo", "shop-app", "v2", "500")-c0; ds != 500 || dc != 500 {
		t.Errorf("after 50/50: stable +%v, canary +%v; want +500 each", ds, dc)
	}
}
