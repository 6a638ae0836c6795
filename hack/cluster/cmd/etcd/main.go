// Command etcd runs a single-member etcd on loopback for the local control plane.
//
// It wraps etcd's embed package instead of building etcd's own main module so that the
// whole control plane builds from one Go module whose etcd version matches the one the
// Kubernetes release was tested with.
//
// It understands the flags of the real etcd that a single-member test setup uses
// (-name, -data-dir, -wal-dir, -listen-client-urls, -advertise-client-urls,
// -listen-peer-urls, -initial-advertise-peer-urls, -initial-cluster, -log-level), so it can
// stand in for etcd where other tools start it, such as Fabric8 kube-api-test, which
// hack/local-cluster.sh provides it to. The singular -listen-client-url and -listen-peer-url
// are kept as aliases.
package main

import (
	"flag"
	"log"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"go.etcd.io/etcd/server/v3/embed"
)

// urlList is a comma-separated list of URLs, as etcd's own flags take them.
type urlList []url.URL

func (l *urlList) String() string {
	if l == nil {
		return ""
	}
	s := make([]string, len(*l))
	for i, u := range *l {
		s[i] = u.String()
	}
	return strings.Join(s, ",")
}

func (l *urlList) Set(raw string) error {
	var out urlList
	for _, part := range strings.Split(raw, ",") {
		u, err := url.Parse(strings.TrimSpace(part))
		if err != nil {
			return err
		}
		out = append(out, *u)
	}
	*l = out
	return nil
}

func main() {
	name := flag.String("name", "default", "member name")
	dataDir := flag.String("data-dir", "etcd-data", "directory for etcd's data")
	walDir := flag.String("wal-dir", "", "dedicated directory for the write-ahead log (default: inside -data-dir)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn, error, panic or fatal")
	initialCluster := flag.String("initial-cluster", "", "name=peerURL,... (default: this member at its advertised peer URLs)")
	clients := urlList{mustParse("http://127.0.0.1:2379")}
	peers := urlList{mustParse("http://127.0.0.1:2380")}
	var advertiseClients, advertisePeers urlList
	flag.Var(&clients, "listen-client-urls", "URLs to listen on for clients")
	flag.Var(&clients, "listen-client-url", "alias of -listen-client-urls")
	flag.Var(&advertiseClients, "advertise-client-urls", "client URLs to advertise (default: -listen-client-urls)")
	flag.Var(&peers, "listen-peer-urls", "URLs to listen on for peers")
	flag.Var(&peers, "listen-peer-url", "alias of -listen-peer-urls")
	flag.Var(&advertisePeers, "initial-advertise-peer-urls", "peer URLs to advertise (default: -listen-peer-urls)")
	flag.Parse()
	if flag.NArg() > 0 {
		log.Fatalf("etcd: unexpected arguments %q", flag.Args())
	}
	if len(advertiseClients) == 0 {
		advertiseClients = clients
	}
	if len(advertisePeers) == 0 {
		advertisePeers = peers
	}

	cfg := embed.NewConfig()
	cfg.Name = *name
	cfg.Dir = *dataDir
	cfg.WalDir = *walDir
	cfg.ListenClientUrls = clients
	cfg.AdvertiseClientUrls = advertiseClients
	cfg.ListenPeerUrls = peers
	cfg.AdvertisePeerUrls = advertisePeers
	if *initialCluster != "" {
		cfg.InitialCluster = *initialCluster
	} else {
		cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	}
	// No metrics listener on extra ports: the local cluster opens only what it needs.
	cfg.LogLevel = *logLevel

	server, err := embed.StartEtcd(cfg)
	if err != nil {
		log.Fatalf("etcd: %v", err)
	}
	defer server.Close()
	<-server.Server.ReadyNotify()
	log.Printf("etcd ready on %s", clients.String())

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	select {
	case <-stop:
	case err := <-server.Err():
		log.Fatalf("etcd: %v", err)
	}
}

func mustParse(raw string) url.URL {
	u, err := url.Parse(raw)
	if err != nil {
		log.Fatalf("bad URL %q: %v", raw, err)
	}
	return *u
}
