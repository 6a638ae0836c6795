// Command kstatus prints the kstatus verdict of one resource: what Flux, `helm --wait` and
// cli-utils compute from its status (Current, InProgress, Failed, Terminating, NotFound, ...).
//
//	kstatus --kubeconfig FILE [-n NAMESPACE] RESOURCE NAME   read it from a cluster
//	kstatus -f FILE                                           read it from YAML or JSON ("-": stdin)
//
// RESOURCE is what kubectl takes: rollouts.lastgood.dev, rollout, deployments.apps, ...
// It prints "STATUS: message" and exits 0 whatever the status; 1 when it cannot read or
// compute one, 2 on bad usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/yaml"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("kstatus", flag.ContinueOnError)
	flags.SetOutput(stderr)
	file := flags.String("f", "", "read the resource from this YAML or JSON file (- for stdin)")
	kubeconfig := flags.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the cluster to read from")
	namespace := flags.String("n", "default", "namespace of the resource")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	var (
		obj *unstructured.Unstructured
		err error
	)
	switch {
	case *file != "" && flags.NArg() == 0:
		obj, err = fromFile(*file, stdin)
	case *file == "" && flags.NArg() == 2 && *kubeconfig != "":
		obj, err = fromCluster(*kubeconfig, *namespace, flags.Arg(0), flags.Arg(1))
	default:
		fmt.Fprintln(stderr, "kstatus: usage: kstatus --kubeconfig FILE [-n NS] RESOURCE NAME | kstatus -f FILE")
		return 2
	}
	var notFound *notFoundError
	if errors.As(err, &notFound) {
		fmt.Fprintf(stdout, "%s: %s\n", status.NotFoundStatus, notFound.Error())
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "kstatus: %v\n", err)
		return 1
	}
	res, err := status.Compute(obj)
	if err != nil {
		fmt.Fprintf(stderr, "kstatus: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: %s\n", res.Status, res.Message)
	return 0
}

func fromFile(path string, stdin io.Reader) (*unstructured.Unstructured, error) {
	var (
		b   []byte
		err error
	)
	if path == "-" {
		b, err = io.ReadAll(stdin)
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	j, err := yaml.YAMLToJSON(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// Kubernetes' JSON decoding: whole numbers become int64, as kstatus expects them.
	var m map[string]any
	if err := utiljson.Unmarshal(j, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if m == nil {
		return nil, fmt.Errorf("%s: no object", path)
	}
	return &unstructured.Unstructured{Object: m}, nil
}

type notFoundError struct{ what string }

func (e *notFoundError) Error() string { return e.what + " not found" }

func fromCluster(kubeconfig, namespace, resource, name string) (*unstructured.Unstructured, error) {
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	disco, err := discovery.NewDiscoveryClientForConfig(config)
	if err != nil {
		return nil, err
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disco))
	gvr, err := mapper.ResourceFor(schema.ParseGroupResource(resource).WithVersion(""))
	if err != nil {
		return nil, fmt.Errorf("resource %q: %w", resource, err)
	}
	client, err := dynamic.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	obj, err := client.Resource(gvr).Namespace(namespace).Get(context.Background(), name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, &notFoundError{what: gvr.Resource + " " + namespace + "/" + name}
	}
	return obj, err
}
