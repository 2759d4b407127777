package cluster

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// manifest is the part of a Kubernetes object the checks read.
type manifest struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name   string            `yaml:"name"`
		Labels map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Data map[string]string `yaml:"data"`
	Spec struct {
		Selector yaml.Node `yaml:"selector"`
		Template struct {
			Metadata struct {
				Labels map[string]string `yaml:"labels"`
			} `yaml:"metadata"`
			Spec struct {
				Containers []struct {
					Name           string `yaml:"name"`
					Image          string `yaml:"image"`
					ReadinessProbe *struct {
						HTTPGet *struct {
							Path string `yaml:"path"`
						} `yaml:"httpGet"`
						TCPSocket any `yaml:"tcpSocket"`
					} `yaml:"readinessProbe"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
		ServiceName string `yaml:"serviceName"`
	} `yaml:"spec"`
}

var knownKinds = map[string]string{
	"Secret": "v1", "Service": "v1", "ConfigMap": "v1",
	"Deployment": "apps/v1", "StatefulSet": "apps/v1",
}

// TestKubernetesManifests parses deploy/k8s with a YAML parser and checks
// what a typo would break: each object's kind and API version, selectors
// that match their pods, readiness on /readyz for the serve pods, and the
// nginx ConfigMap equal to what `scalebox cluster nginx-conf` writes.
func TestKubernetesManifests(t *testing.T) {
	files, err := filepath.Glob("../deploy/k8s/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in deploy/k8s (%v)", err)
	}
	var all []manifest
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for i := 0; ; i++ {
			var m manifest
			if err := dec.Decode(&m); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: document %d: %v", f, i, err)
			}
			where := f + ": " + m.Kind + " " + m.Metadata.Name
			if want, ok := knownKinds[m.Kind]; !ok || m.APIVersion != want {
				t.Errorf("%s: kind %q apiVersion %q", where, m.Kind, m.APIVersion)
			}
			if m.Metadata.Name == "" {
				t.Errorf("%s: no metadata.name", where)
			}
			all = append(all, m)
		}
	}
	workloads := 0
	for _, m := range all {
		switch m.Kind {
		case "Deployment", "StatefulSet":
			workloads++
			var sel struct {
				MatchLabels map[string]string `yaml:"matchLabels"`
			}
			if err := m.Spec.Selector.Decode(&sel); err != nil || len(sel.MatchLabels) == 0 {
				t.Errorf("%s %s: no spec.selector.matchLabels", m.Kind, m.Metadata.Name)
			}
			for k, v := range sel.MatchLabels {
				if m.Spec.Template.Metadata.Labels[k] != v {
					t.Errorf("%s %s: the selector %s=%s does not match the pod labels %v", m.Kind, m.Metadata.Name, k, v, m.Spec.Template.Metadata.Labels)
				}
			}
			for _, c := range m.Spec.Template.Spec.Containers {
				if c.Image == "" || c.ReadinessProbe == nil {
					t.Errorf("%s %s: container %s lacks an image or a readiness probe", m.Kind, m.Metadata.Name, c.Name)
				}
				if c.Name == "serve" && (c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz") {
					t.Errorf("%s %s: the serve container's readiness is not /readyz", m.Kind, m.Metadata.Name)
				}
			}
		case "Service":
			var sel map[string]string
			if err := m.Spec.Selector.Decode(&sel); err != nil || len(sel) == 0 {
				t.Errorf("Service %s: no selector", m.Metadata.Name)
				continue
			}
			matched := false
			for _, w := range all {
				if w.Kind != "Deployment" && w.Kind != "StatefulSet" {
					continue
				}
				ok := true
				for k, v := range sel {
					ok = ok && w.Spec.Template.Metadata.Labels[k] == v
				}
				matched = matched || ok
			}
			if !matched {
				t.Errorf("Service %s: its selector %v matches no pods", m.Metadata.Name, sel)
			}
		case "ConfigMap":
			conf, ok := m.Data["nginx.conf"]
			if !ok {
				t.Errorf("ConfigMap %s: no nginx.conf", m.Metadata.Name)
				continue
			}
			var nodes []Node
			for _, name := range []string{"scalebox-0", "scalebox-1", "scalebox-2"} {
				nodes = append(nodes, Node{Addr: name + ".scalebox-nodes:8080", Slots: 32})
			}
			want, err := NginxConfig(NginxOptions{Nodes: nodes, Listen: []string{"8080"}, AccessLog: "/dev/stdout", ErrorLog: "/dev/stderr"})
			if err != nil {
				t.Fatal(err)
			}
			if conf != want {
				t.Errorf("ConfigMap %s: nginx.conf is not what scalebox cluster nginx-conf writes for its nodes (regenerate it):\n%s", m.Metadata.Name, lineDiff(want, conf))
			}
		}
	}
	if workloads < 2 {
		t.Errorf("%d workloads, want the serve nodes and nginx", workloads)
	}
}

// lineDiff names the first line where got differs from want.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + strconv.Itoa(i+1) + ": want " + a + "\n got  " + b
		}
	}
	return ""
}
