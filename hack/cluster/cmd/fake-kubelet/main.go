// Command fake-kubelet simulates the nodes of the local cluster.
//
// There is no container runtime here, so this agent stands in for the kubelet: it
// registers Node objects, keeps their leases fresh so the node lifecycle controller never
// taints them, marks every pod bound to them Running and Ready, and finishes the deletion
// of terminating pods. That is enough for Deployments to roll out and scale for real.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"
)

type agent struct {
	client kubernetes.Interface
	nodes  []string
	mu     sync.Mutex
	nextIP int
	podIPs map[string]string
}

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the cluster")
	count := flag.Int("nodes", 3, "number of simulated nodes")
	prefix := flag.String("prefix", "sim-node", "node name prefix")
	flag.Parse()

	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		log.Fatalf("kubeconfig: %v", err)
	}
	cfg.QPS, cfg.Burst = 200, 400
	a := &agent{client: kubernetes.NewForConfigOrDie(cfg), podIPs: map[string]string{}}
	for i := 0; i < *count; i++ {
		a.nodes = append(a.nodes, fmt.Sprintf("%s-%d", *prefix, i))
	}

	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	for _, n := range a.nodes {
		a.registerNode(ctx, n)
	}
	go a.heartbeat(ctx)
	a.watchPods(ctx)
	log.Printf("simulating nodes %s", strings.Join(a.nodes, ", "))
	<-ctx.Done()
	os.Exit(0)
}

func (a *agent) registerNode(ctx context.Context, name string) {
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
			"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "type": "simulated",
		}},
	}
	_, err := a.client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		log.Fatalf("register node %s: %v", name, err)
	}
	a.updateNodeStatus(ctx, name)
}

func (a *agent) updateNodeStatus(ctx context.Context, name string) {
	node, err := a.client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		log.Printf("get node %s: %v", name, err)
		return
	}
	now := metav1.Now()
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("64"),
		corev1.ResourceMemory: resource.MustParse("256Gi"),
		corev1.ResourcePods:   resource.MustParse("2000"),
	}
	node.Status.Capacity = capacity
	node.Status.Allocatable = capacity
	node.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "127.0.0.1"}}
	node.Status.Conditions = []corev1.NodeCondition{{
		Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "SimulatedReady",
		Message: "simulated node", LastHeartbeatTime: now, LastTransitionTime: now,
	}}
	node.Status.NodeInfo.KubeletVersion = "v1.37.2-simulated"
	if _, err := a.client.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{}); err != nil {
		log.Printf("update node %s: %v", name, err)
	}
}

// heartbeat renews each node's lease often and its status now and then, as a kubelet does.
func (a *agent) heartbeat(ctx context.Context) {
	tick := time.NewTicker(10 * time.Second)
	defer tick.Stop()
	for round := 0; ; round++ {
		for _, n := range a.nodes {
			a.renewLease(ctx, n)
			if round%4 == 0 {
				a.updateNodeStatus(ctx, n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (a *agent) renewLease(ctx context.Context, node string) {
	leases := a.client.CoordinationV1().Leases(corev1.NamespaceNodeLease)
	now := metav1.NewMicroTime(time.Now())
	lease, err := leases.Get(ctx, node, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		lease = &coordinationv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Name: node},
			Spec: coordinationv1.LeaseSpec{
				HolderIdentity: ptr.To(node), LeaseDurationSeconds: ptr.To[int32](40), RenewTime: &now,
			},
		}
		_, err = leases.Create(ctx, lease, metav1.CreateOptions{})
	} else if err == nil {
		lease.Spec.RenewTime = &now
		_, err = leases.Update(ctx, lease, metav1.UpdateOptions{})
	}
	if err != nil && ctx.Err() == nil {
		log.Printf("lease %s: %v", node, err)
	}
}

func (a *agent) watchPods(ctx context.Context) {
	factory := informers.NewSharedInformerFactory(a.client, 0)
	inf := factory.Core().V1().Pods().Informer()
	handle := func(obj interface{}) {
		if pod, ok := obj.(*corev1.Pod); ok && a.owns(pod) {
			a.sync(ctx, pod)
		}
	}
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    handle,
		UpdateFunc: func(_, obj interface{}) { handle(obj) },
	})
	factory.Start(ctx.Done())
	factory.WaitForCacheSync(ctx.Done())
}

func (a *agent) owns(pod *corev1.Pod) bool {
	for _, n := range a.nodes {
		if pod.Spec.NodeName == n {
			return true
		}
	}
	return false
}

func (a *agent) sync(ctx context.Context, pod *corev1.Pod) {
	pods := a.client.CoreV1().Pods(pod.Namespace)
	if pod.DeletionTimestamp != nil {
		// A real kubelet stops the containers, then removes the pod for good.
		err := pods.Delete(ctx, pod.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)})
		if err != nil && !apierrors.IsNotFound(err) {
			log.Printf("delete %s/%s: %v", pod.Namespace, pod.Name, err)
		}
		return
	}
	if pod.Status.Phase == corev1.PodRunning && isReady(pod) {
		return
	}
	updated := pod.DeepCopy()
	a.markRunning(updated)
	if _, err := pods.UpdateStatus(ctx, updated, metav1.UpdateOptions{}); err != nil &&
		!apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		log.Printf("status %s/%s: %v", pod.Namespace, pod.Name, err)
	}
}

func (a *agent) markRunning(pod *corev1.Pod) {
	now := metav1.Now()
	pod.Status.Phase = corev1.PodRunning
	pod.Status.HostIP = "127.0.0.1"
	pod.Status.PodIP = a.ipFor(string(pod.UID))
	pod.Status.PodIPs = []corev1.PodIP{{IP: pod.Status.PodIP}}
	pod.Status.StartTime = &now
	pod.Status.Conditions = nil
	for _, t := range []corev1.PodConditionType{
		corev1.PodScheduled, corev1.PodInitialized, corev1.ContainersReady, corev1.PodReady,
	} {
		pod.Status.Conditions = append(pod.Status.Conditions, corev1.PodCondition{
			Type: t, Status: corev1.ConditionTrue, LastTransitionTime: now,
		})
	}
	pod.Status.ContainerStatuses = nil
	for _, c := range pod.Spec.Containers {
		pod.Status.ContainerStatuses = append(pod.Status.ContainerStatuses, corev1.ContainerStatus{
			Name: c.Name, Image: c.Image, ImageID: c.Image, Ready: true, Started: ptr.To(true),
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}},
		})
	}
}

func (a *agent) ipFor(uid string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if ip, ok := a.podIPs[uid]; ok {
		return ip
	}
	a.nextIP++
	ip := fmt.Sprintf("10.244.%d.%d", (a.nextIP/250)%250, a.nextIP%250+1)
	a.podIPs[uid] = ip
	return ip
}

func isReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
