// Command synthetic-gateway stands in for real traffic through a gateway in the local
// demo cluster.
//
// It watches HTTPRoutes and Rollouts (lastgood.dev/v1alpha1). For every HTTPRoute that
// belongs to a Rollout (an ownerReference of kind Rollout, or simply the same name in the
// same namespace) it generates -rps synthetic requests per second, splits them over the
// route's spec.rules[0].backendRefs by their weights with a smooth weighted round-robin
// (exact over time), maps backend N-stable to the Rollout's status.stable release and
// N-canary to status.canary, and answers each request in-process as that release's
// DEMO_BEHAVIOUR env entry says (healthy, unauthorized, error, slow). No request is sent
// anywhere. The outcome is exposed as Prometheus metrics on -listen (loopback only):
//
//	http_requests_total{namespace,app,version,code}
//	http_request_duration_seconds{namespace,app,version}
//
// It stops by itself after -max-duration.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
)

var (
	rolloutsGVR   = schema.GroupVersionResource{Group: "lastgood.dev", Version: "v1alpha1", Resource: "rollouts"}
	httpRoutesGVR = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "httproutes"}
)

// tickInterval is how often the generator answers the requests due.
const tickInterval = 50 * time.Millisecond

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the cluster (required)")
	namespace := flag.String("namespace", metav1.NamespaceAll, "namespace to watch (default: all namespaces)")
	listen := flag.String("listen", "127.0.0.1:9464", "loopback address of the /metrics endpoint")
	rps := flag.Float64("rps", 40, "synthetic requests per second per route")
	maxDuration := flag.Duration("max-duration", 2*time.Hour, "exit after this long")
	flag.Parse()

	bindAddr, err := validateFlags(*kubeconfig, *listen, *rps, *maxDuration)
	if err != nil {
		fmt.Fprintf(os.Stderr, "synthetic-gateway: %v\n", err)
		flag.Usage()
		os.Exit(2)
	}
	log.SetFlags(log.LstdFlags)
	log.SetPrefix("synthetic-gateway: ")

	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		log.Fatalf("kubeconfig: %v", err)
	}
	cfg.UserAgent = "lastgood-synthetic-gateway"
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		log.Fatalf("client: %v", err)
	}

	// Bind before anything else so that a port in use fails fast.
	ln, err := net.Listen("tcp", bindAddr)
	if err != nil {
		log.Fatalf("listen: %v", err)
	}

	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, *maxDuration)
	defer cancelTimeout()

	src, synced := startInformers(ctx, client, *namespace)
	go reportSync(ctx, synced, *namespace)

	reg := prometheus.NewRegistry()
	gw := newGateway(*rps, src, newMetrics(reg), uint64(time.Now().UnixNano()))
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	serveFailed := make(chan struct{})
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Printf("metrics server: %v", err)
			close(serveFailed)
			cancel()
		}
	}()
	log.Printf("metrics on http://%s/metrics, %g requests/s per route, stopping after %s",
		ln.Addr(), *rps, *maxDuration)

	ticker := time.NewTicker(tickInterval)
	defer ticker.Stop()
	last := time.Now()
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case now := <-ticker.C:
			gw.tick(now.Sub(last))
			last = now
		}
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		log.Printf("max duration %s reached, stopping", *maxDuration)
	} else {
		log.Printf("stopping")
	}
	shutdownCtx, done := context.WithTimeout(context.Background(), 5*time.Second)
	_ = srv.Shutdown(shutdownCtx)
	done()
	select {
	case <-serveFailed:
		os.Exit(1)
	default:
	}
}

func displayNamespace(ns string) string {
	if ns == "" {
		return "all"
	}
	return ns
}

// validateFlags checks the flags and returns the address to bind.
func validateFlags(kubeconfig, listen string, rps float64, maxDuration time.Duration) (string, error) {
	if kubeconfig == "" {
		return "", errors.New("-kubeconfig is required")
	}
	bindAddr, err := loopbackListen(listen)
	if err != nil {
		return "", err
	}
	if !(rps > 0 && rps <= 10000) {
		return "", fmt.Errorf("-rps %g: must be > 0 and <= 10000", rps)
	}
	if maxDuration <= 0 {
		return "", fmt.Errorf("-max-duration %s: must be positive", maxDuration)
	}
	return bindAddr, nil
}

// loopbackListen accepts only a loopback host: an IP literal in 127.0.0.0/8 or ::1,
// or "localhost" (bound as 127.0.0.1, never resolved). An empty host (":9464") would
// bind every interface and is refused. It returns the address to bind.
func loopbackListen(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("-listen %q: %v", addr, err)
	}
	if port == "" {
		return "", fmt.Errorf("-listen %q: no port", addr)
	}
	if strings.EqualFold(host, "localhost") {
		return net.JoinHostPort("127.0.0.1", port), nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return "", fmt.Errorf("-listen %q: only a loopback address (127.0.0.1, ::1, localhost) is allowed", addr)
	}
	return net.JoinHostPort(ip.String(), port), nil
}

// startInformers starts the informers on HTTPRoutes and Rollouts of the namespace
// ("" for all) until ctx ends, and returns their caches as a source, with a function
// telling whether both have synced.
func startInformers(ctx context.Context, client dynamic.Interface, namespace string) (*listerSource, cache.InformerSynced) {
	factory := dynamicinformer.NewFilteredDynamicSharedInformerFactory(client, 10*time.Minute, namespace, nil)
	routeInf := factory.ForResource(httpRoutesGVR)
	rolloutInf := factory.ForResource(rolloutsGVR)
	src := &listerSource{routeLister: routeInf.Lister(), rolloutLister: rolloutInf.Lister()}
	for gvr, inf := range map[schema.GroupVersionResource]cache.SharedIndexInformer{
		httpRoutesGVR: routeInf.Informer(), rolloutsGVR: rolloutInf.Informer(),
	} {
		_ = inf.SetWatchErrorHandler(watchErrorLogger(gvr))
	}
	factory.Start(ctx.Done())
	synced := func() bool { return routeInf.Informer().HasSynced() && rolloutInf.Informer().HasSynced() }
	return src, synced
}

// reportSync logs when the informers have synced, and every 30 s until then: an
// unreachable cluster is retried silently by client-go, and the generator simply sees
// no routes meanwhile.
func reportSync(ctx context.Context, synced cache.InformerSynced, namespace string) {
	start := time.Now()
	poll := time.NewTicker(200 * time.Millisecond)
	defer poll.Stop()
	nextWarning := start.Add(30 * time.Second)
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-poll.C:
			if synced() {
				log.Printf("watching httproutes and rollouts (namespace %s)", displayNamespace(namespace))
				return
			}
			if now.After(nextWarning) {
				log.Printf("httproutes and rollouts not listed yet after %s: is the cluster up, and are the HTTPRoute and Rollout CRDs installed? (retrying)",
					now.Sub(start).Round(time.Second))
				nextWarning = now.Add(30 * time.Second)
			}
		}
	}
}

// watchErrorLogger logs the list/watch errors of an informer (a wrong kubeconfig, a
// cluster that is down, a CRD not installed yet), at most once per 30 s unless the error
// changes. The informer keeps retrying by itself.
func watchErrorLogger(gvr schema.GroupVersionResource) cache.WatchErrorHandler {
	var mu sync.Mutex
	var last string
	var at time.Time
	return func(_ *cache.Reflector, err error) {
		if errors.Is(err, io.EOF) {
			return // a watch closed normally
		}
		mu.Lock()
		defer mu.Unlock()
		if msg := err.Error(); msg != last || time.Since(at) > 30*time.Second {
			log.Printf("watching %s: %v (retrying)", gvr.GroupResource(), err)
			last, at = msg, time.Now()
		}
	}
}

// listerSource reads routes and Rollouts from the informers' caches.
type listerSource struct {
	routeLister   cache.GenericLister
	rolloutLister cache.GenericLister
}

func (s *listerSource) routes() []*unstructured.Unstructured {
	objs, err := s.routeLister.List(labels.Everything())
	if err != nil {
		return nil
	}
	out := make([]*unstructured.Unstructured, 0, len(objs))
	for _, o := range objs {
		if u, ok := o.(*unstructured.Unstructured); ok {
			out = append(out, u)
		}
	}
	return out
}

func (s *listerSource) rollout(namespace, name string) (*unstructured.Unstructured, bool) {
	o, err := s.rolloutLister.ByNamespace(namespace).Get(name)
	if err != nil {
		return nil, false
	}
	u, ok := o.(*unstructured.Unstructured)
	return u, ok
}
