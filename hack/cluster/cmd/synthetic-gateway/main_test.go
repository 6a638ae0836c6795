package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestPickerSplit proves the traffic split: over 10,000 picks each backend's share is
// within 2 percentage points of its weight, and a backend of weight 0 gets nothing.
func TestPickerSplit(t *testing.T) {
	const picks = 10000
	cases := [][]int64{{90, 10}, {50, 50}, {0, 100}, {100, 0}, {33, 67}, {99, 1}, {1, 99}, {20, 30, 50}}
	for _, weights := range cases {
		p := newPicker(weights)
		counts := make([]int, len(weights))
		for i := 0; i < picks; i++ {
			idx := p.pick()
			if idx < 0 || idx >= len(weights) {
				t.Fatalf("weights %v: pick returned %d", weights, idx)
			}
			counts[idx]++
		}
		var total int64
		for _, w := range weights {
			total += w
		}
		for i, w := range weights {
			want := 100 * float64(w) / float64(total)
			got := 100 * float64(counts[i]) / picks
			if w == 0 && counts[i] != 0 {
				t.Errorf("weights %v: backend %d has weight 0 but got %d picks", weights, i, counts[i])
			}
			if math.Abs(got-want) > 2 {
				t.Errorf("weights %v: backend %d got %.2f%%, want %.2f%% ±2", weights, i, got, want)
			}
		}
		t.Logf("weights %v -> picks %v", weights, counts)
	}
}

// TestPickerExactAndSmooth checks that the round-robin is exact over every window of
// sum(weights) picks, and that a 90/10 split does not send the 10 in one burst.
func TestPickerExactAndSmooth(t *testing.T) {
	p := newPicker([]int64{90, 10})
	seq := make([]int, 0, 300)
	for i := 0; i < 300; i++ {
		seq = append(seq, p.pick())
	}
	for w := 0; w < 3; w++ {
		canary := 0
		for _, idx := range seq[w*100 : (w+1)*100] {
			canary += idx
		}
		if canary != 10 {
			t.Fatalf("window %d: canary got %d of 100 picks, want exactly 10", w, canary)
		}
	}
	// Smooth: the canary picks are spread, never two in a row.
	for i := 1; i < len(seq); i++ {
		if seq[i] == 1 && seq[i-1] == 1 {
			t.Fatalf("canary picked twice in a row at %d", i)
		}
	}
}

func TestPickerEdgeCases(t *testing.T) {
	if got := newPicker(nil).pick(); got != -1 {
		t.Errorf("no backends: pick = %d, want -1", got)
	}
	if got := newPicker([]int64{0, 0}).pick(); got != -1 {
		t.Errorf("all weights 0: pick = %d, want -1", got)
	}
	p := newPicker([]int64{-5, 3})
	for i := 0; i < 10; i++ {
		if got := p.pick(); got != 1 {
			t.Fatalf("negative weight counts as 0: pick = %d, want 1", got)
		}
	}
	if !p.sameWeights([]int64{0, 3}) || p.sameWeights([]int64{1, 3}) || p.sameWeights([]int64{3}) {
		t.Errorf("sameWeights wrong")
	}
}

func TestSimulate(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		behaviour string
		code      int
		lo, hi    time.Duration
	}{
		{"", 200, 5 * time.Millisecond, 20 * time.Millisecond},
		{"healthy", 200, 5 * time.Millisecond, 20 * time.Millisecond},
		{"HEALTHY ", 200, 5 * time.Millisecond, 20 * time.Millisecond},
		{"no-such-behaviour", 200, 5 * time.Millisecond, 20 * time.Millisecond},
		{"unauthorized", 401, 0, 20 * time.Millisecond},
		{"error", 500, 0, 20 * time.Millisecond},
		{"slow", 200, 400 * time.Millisecond, 600 * time.Millisecond},
	}
	for _, c := range cases {
		for i := 0; i < 1000; i++ {
			code, lat := simulate(c.behaviour, rng)
			if code != c.code || lat < c.lo || lat > c.hi {
				t.Fatalf("simulate(%q) = %d, %s; want %d in [%s, %s]", c.behaviour, code, lat, c.code, c.lo, c.hi)
			}
		}
	}
	if _, known := normalizeBehaviour("bogus"); known {
		t.Errorf("bogus behaviour reported as known")
	}
}

func TestLoopbackListen(t *testing.T) {
	ok := map[string]string{
		"127.0.0.1:9464": "127.0.0.1:9464",
		"127.1.2.3:80":   "127.1.2.3:80",
		"[::1]:9464":     "[::1]:9464",
		"localhost:9464": "127.0.0.1:9464",
	}
	for in, want := range ok {
		got, err := loopbackListen(in)
		if err != nil || got != want {
			t.Errorf("loopbackListen(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{":9464", "0.0.0.0:9464", "[::]:9464", "10.0.0.1:9464", "192.168.1.2:80", "example.com:80", "127.0.0.1", "127.0.0.1:"} {
		if _, err := loopbackListen(in); err == nil {
			t.Errorf("loopbackListen(%q) accepted a non-loopback or malformed address", in)
		}
	}
}

// fakeSource serves fixed objects in place of the informers.
type fakeSource struct {
	routeObjs   []*unstructured.Unstructured
	rolloutObjs map[string]*unstructured.Unstructured
}

func (f *fakeSource) routes() []*unstructured.Unstructured { return f.routeObjs }
func (f *fakeSource) rollout(ns, name string) (*unstructured.Unstructured, bool) {
	o, ok := f.rolloutObjs[ns+"/"+name]
	return o, ok
}

func route(ns, name string, owned bool, stableW, canaryW int64) *unstructured.Unstructured {
	meta := map[string]interface{}{"name": name, "namespace": ns}
	if owned {
		meta["ownerReferences"] = []interface{}{map[string]interface{}{
			"apiVersion": "lastgood.dev/v1alpha1", "kind": "Rollout", "name": name, "uid": "u1",
		}}
	}
	return &unstructured.Unstructured{Object: map[string]interface{}{
		"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": meta,
		"spec": map[string]interface{}{"rules": []interface{}{map[string]interface{}{
			"backendRefs": []interface{}{
				map[string]interface{}{"name": name + "-stable", "port": int64(8080), "weight": stableW},
				map[string]interface{}{"name": name + "-canary", "port": int64(8080), "weight": canaryW},
			},
		}}},
	}}
}

func snap(version, behaviour string) map[string]interface{} {
	s := map[string]interface{}{"releaseName": "r-" + version, "releaseNamespace": "demo", "version": version, "image": "demo:" + version}
	if behaviour != "" {
		s["env"] = []interface{}{
			map[string]interface{}{"name": "OTHER", "value": "x"},
			map[string]interface{}{"name": "DEMO_BEHAVIOUR", "value": behaviour},
		}
	}
	return s
}

func rollout(ns, name, app string, stable, canary map[string]interface{}) *unstructured.Unstructured {
	status := map[string]interface{}{}
	if stable != nil {
		status["stable"] = stable
	}
	if canary != nil {
		status["canary"] = canary
	}
	return &unstructured.Unstructured{Object: map[string]interface{}{
		"apiVersion": "lastgood.dev/v1alpha1", "kind": "Rollout",
		"metadata": map[string]interface{}{"name": name, "namespace": ns},
		"spec":     map[string]interface{}{"application": app},
		"status":   status,
	}}
}

// TestGatewayTraffic runs the generator over fake routes and Rollouts and checks the
// metrics: the split, the codes per behaviour, 503 for a missing snapshot, and that a
// route without a Rollout gets no traffic.
func TestGatewayTraffic(t *testing.T) {
	src := &fakeSource{
		routeObjs: []*unstructured.Unstructured{
			route("demo", "shop", true, 90, 10),
			route("demo", "cart", false, 50, 50),
			route("demo", "orphan", false, 100, 0),
		},
		rolloutObjs: map[string]*unstructured.Unstructured{
			"demo/shop": rollout("demo", "shop", "shop-app", snap("v1", ""), snap("v2", "unauthorized")),
			"demo/cart": rollout("demo", "cart", "cart-app", snap("v7", "slow"), nil),
		},
	}
	reg := prometheus.NewRegistry()
	m := newMetrics(reg)
	gw := newGateway(40, src, m, 42)
	gw.handled = map[string]int{}
	var logs []string
	gw.logf = func(format string, args ...interface{}) {
		logs = append(logs, strings.TrimSpace(sprintf(format, args...)))
	}
	// 250 s of simulated time in 50 ms ticks: 10,000 requests per route.
	for i := 0; i < 5000; i++ {
		gw.tick(50 * time.Millisecond)
	}
	count := func(app, version, code string) float64 {
		return testutil.ToFloat64(m.requests.WithLabelValues("demo", app, version, code))
	}
	if got := count("shop-app", "v1", "200"); got != 9000 {
		t.Errorf("shop stable v1 200 = %v, want 9000", got)
	}
	if got := count("shop-app", "v2", "401"); got != 1000 {
		t.Errorf("shop canary v2 401 = %v, want 1000", got)
	}
	if got := count("cart-app", "v7", "200"); got != 5000 {
		t.Errorf("cart stable v7 200 = %v, want 5000", got)
	}
	if got := count("cart-app", "unknown", "503"); got != 5000 {
		t.Errorf("cart canary without snapshot 503 = %v, want 5000", got)
	}
	if gw.handled["demo/orphan/stable"] != 0 {
		t.Errorf("route without a Rollout got traffic")
	}
	if got := testutil.ToFloat64(m.routes); got != 2 {
		t.Errorf("routes gauge = %v, want 2", got)
	}
	wantLogs := []string{
		"demo/cart stable=v7:50 canary=unknown:50",
		"demo/shop stable=v1:90 canary=v2:10",
	}
	for _, w := range wantLogs {
		if !contains(logs, w) {
			t.Errorf("missing log line %q in %q", w, logs)
		}
	}

	// A weight change is logged once and the new split holds.
	src.routeObjs[0] = route("demo", "shop", true, 0, 100)
	logs = nil
	before := count("shop-app", "v1", "200")
	for i := 0; i < 200; i++ {
		gw.tick(50 * time.Millisecond)
	}
	if got := count("shop-app", "v1", "200"); got != before {
		t.Errorf("stable got traffic at weight 0: %v -> %v", before, got)
	}
	if !contains(logs, "demo/shop stable=v1:0 canary=v2:100") {
		t.Errorf("weight change not logged: %q", logs)
	}
	n := 0
	for _, l := range logs {
		if strings.HasPrefix(l, "demo/shop stable=") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("weight change logged %d times, want once", n)
	}

	// The simulated latency is what the histogram observes: slow releases answer in
	// 0.4-0.6 s, healthy ones in 5-20 ms.
	meanLatency := func(app, version string) float64 {
		var d dto.Metric
		if err := m.duration.WithLabelValues("demo", app, version).(prometheus.Histogram).Write(&d); err != nil {
			t.Fatal(err)
		}
		return d.GetHistogram().GetSampleSum() / float64(d.GetHistogram().GetSampleCount())
	}
	if got := meanLatency("cart-app", "v7"); got < 0.4 || got > 0.6 {
		t.Errorf("slow release mean latency = %.3fs, want 0.4-0.6", got)
	}
	if got := meanLatency("shop-app", "v1"); got < 0.005 || got > 0.020 {
		t.Errorf("healthy release mean latency = %.3fs, want 0.005-0.020", got)
	}

	// A removed Rollout stops the traffic of its route.
	delete(src.rolloutObjs, "demo/cart")
	gw.tick(50 * time.Millisecond)
	if _, ok := gw.state["demo/cart"]; ok {
		t.Errorf("route of a removed Rollout still tracked")
	}
}

func TestRoutesOwnedByOtherName(t *testing.T) {
	r := route("demo", "web-route", false, 1, 1)
	r.SetOwnerReferences(nil)
	if got := routeRolloutName(r); got != "web-route" {
		t.Errorf("no owner: rollout name = %q", got)
	}
	r.Object["metadata"].(map[string]interface{})["ownerReferences"] = []interface{}{
		map[string]interface{}{"apiVersion": "apps/v1", "kind": "Deployment", "name": "x", "uid": "1"},
		map[string]interface{}{"apiVersion": "lastgood.dev/v1alpha1", "kind": "Rollout", "name": "web", "uid": "2"},
	}
	if got := routeRolloutName(r); got != "web" {
		t.Errorf("owner Rollout web: rollout name = %q", got)
	}
	// A backendRef without weight has weight 1.
	spec := r.Object["spec"].(map[string]interface{})
	spec["rules"] = []interface{}{map[string]interface{}{"backendRefs": []interface{}{
		map[string]interface{}{"name": "a"}, map[string]interface{}{"name": "b", "weight": float64(3)},
	}}}
	bs := routeBackends(r)
	if len(bs) != 2 || bs[0].Weight != 1 || bs[1].Weight != 3 {
		t.Errorf("backends = %+v", bs)
	}
}

func TestAllWeightsZero(t *testing.T) {
	src := &fakeSource{
		routeObjs:   []*unstructured.Unstructured{route("demo", "z", true, 0, 0)},
		rolloutObjs: map[string]*unstructured.Unstructured{"demo/z": rollout("demo", "z", "", snap("v1", ""), nil)},
	}
	m := newMetrics(prometheus.NewRegistry())
	gw := newGateway(10, src, m, 1)
	gw.logf = func(string, ...interface{}) {}
	gw.tick(time.Second)
	// Empty spec.application falls back to the Rollout's name.
	if got := testutil.ToFloat64(m.requests.WithLabelValues("demo", "z", "unknown", "500")); got != 10 {
		t.Errorf("all weights 0: 500s = %v, want 10", got)
	}
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

func sprintf(format string, args ...interface{}) string { return fmt.Sprintf(format, args...) }
