package main

import (
	"log"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// maxTick bounds the time one tick may account for, so that a stalled process does
// not answer a burst of catch-up requests.
const maxTick = time.Second

// metrics are the series the gateway exposes.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	routes   prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "Synthetic requests answered through the gateway, by release version and status code.",
		}, []string{"namespace", "app", "version", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "http_request_duration_seconds",
			Help: "Simulated latency of the synthetic requests.",
			Buckets: []float64{0.001, 0.0025, 0.005, 0.01, 0.015, 0.02, 0.025, 0.05, 0.1,
				0.2, 0.3, 0.4, 0.5, 0.6, 0.75, 1, 2.5, 5},
		}, []string{"namespace", "app", "version"}),
		routes: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "synthetic_gateway_routes",
			Help: "HTTPRoutes of Rollouts the gateway is sending synthetic traffic through.",
		}),
	}
	reg.MustRegister(m.requests, m.duration, m.routes)
	return m
}

// source gives the gateway the current HTTPRoutes and Rollouts (informer listers in
// the program, plain slices in tests).
type source interface {
	routes() []*unstructured.Unstructured
	rollout(namespace, name string) (*unstructured.Unstructured, bool)
}

// routeState is what the gateway keeps per route between ticks.
type routeState struct {
	picker     *picker
	carry      float64 // fraction of a request owed to the next tick
	line       string  // last logged split
	behaviours string  // last logged behaviours
}

// gateway generates the synthetic traffic. It is driven by tick from one goroutine.
type gateway struct {
	rps     float64
	src     source
	m       *metrics
	rng     *rand.Rand
	state   map[string]*routeState
	logf    func(format string, args ...interface{})
	handled map[string]int // requests per "ns/name/role", for tests
}

func newGateway(rps float64, src source, m *metrics, seed uint64) *gateway {
	return &gateway{
		rps:   rps,
		src:   src,
		m:     m,
		rng:   rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		state: map[string]*routeState{},
		logf:  log.Printf,
	}
}

// tick answers the requests that are due for the elapsed time dt on every route.
func (g *gateway) tick(dt time.Duration) {
	if dt > maxTick {
		dt = maxTick
	}
	if dt < 0 {
		dt = 0
	}
	seen := map[string]bool{}
	// Sorted for a stable order; a copy, as the source's slice is not ours to reorder.
	routes := append([]*unstructured.Unstructured(nil), g.src.routes()...)
	sort.Slice(routes, func(i, j int) bool { return key(routes[i]) < key(routes[j]) })
	for _, route := range routes {
		obj, ok := g.src.rollout(route.GetNamespace(), routeRolloutName(route))
		if !ok {
			continue
		}
		k := key(route)
		seen[k] = true
		g.serveRoute(k, route, parseRollout(obj), dt)
	}
	for k := range g.state {
		if !seen[k] {
			g.logf("%s removed: no more traffic", k)
			delete(g.state, k)
		}
	}
	g.m.routes.Set(float64(len(g.state)))
}

func key(route *unstructured.Unstructured) string {
	return route.GetNamespace() + "/" + route.GetName()
}

func (g *gateway) serveRoute(k string, route *unstructured.Unstructured, ro rolloutInfo, dt time.Duration) {
	backends := routeBackends(route)
	weights := make([]int64, len(backends))
	for i, b := range backends {
		weights[i] = b.Weight
	}
	st := g.state[k]
	if st == nil {
		st = &routeState{}
		g.state[k] = st
	}
	if st.picker == nil || !st.picker.sameWeights(weights) {
		st.picker = newPicker(weights)
	}
	if line := describe(route.GetNamespace(), route.GetName(), ro, backends); line != st.line {
		g.logf("%s", line)
		st.line = line
	}
	if bs := describeBehaviours(ro, backends); bs != st.behaviours {
		g.logf("%s behaviour %s", k, bs)
		st.behaviours = bs
	}

	st.carry += g.rps * dt.Seconds()
	n := int(st.carry)
	st.carry -= float64(n)
	for i := 0; i < n; i++ {
		idx := st.picker.pick()
		var snap *snapshot
		r := "none"
		if idx >= 0 {
			snap = resolve(ro, backends[idx].Name)
			r = role(ro.Name, backends[idx].Name)
		}
		code, latency, version := g.answer(idx, snap)
		g.m.requests.WithLabelValues(ro.Namespace, ro.App, version, strconv.Itoa(code)).Inc()
		g.m.duration.WithLabelValues(ro.Namespace, ro.App, version).Observe(latency.Seconds())
		if g.handled != nil {
			g.handled[k+"/"+r]++
		}
	}
}

// answer simulates one request sent to the backend picked (idx -1: none, as every
// weight is 0) whose release snapshot is snap.
func (g *gateway) answer(idx int, snap *snapshot) (code int, latency time.Duration, version string) {
	switch {
	case idx < 0:
		// The Gateway API answers 500 when every backendRef has weight 0.
		return 500, between(g.rng, 200*time.Microsecond, time.Millisecond), unknownVersion
	case snap == nil:
		// Nothing serves this backend: the gateway finds no endpoint.
		return 503, between(g.rng, 200*time.Microsecond, time.Millisecond), unknownVersion
	default:
		code, latency = simulate(snap.Behaviour, g.rng)
		return code, latency, snap.Version
	}
}
