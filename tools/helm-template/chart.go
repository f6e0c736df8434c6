package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/Masterminds/sprig"
	"github.com/ghodss/yaml"
)

// defaultKubeVersion is what `helm template` assumes without a cluster or --kube-version.
const defaultKubeVersion = "v1.31.0"

// metadata is Chart.yaml, as .Chart shows it (the field names of Helm's chart.Metadata).
type metadata struct {
	APIVersion  string            `json:"apiVersion"`
	Name        string            `json:"name"`
	Version     string            `json:"version"`
	AppVersion  string            `json:"appVersion"`
	KubeVersion string            `json:"kubeVersion"`
	Description string            `json:"description"`
	Type        string            `json:"type"`
	Home        string            `json:"home"`
	Icon        string            `json:"icon"`
	Sources     []string          `json:"sources"`
	Keywords    []string          `json:"keywords"`
	Annotations map[string]string `json:"annotations"`
}

type chart struct {
	meta     *metadata
	defaults map[string]interface{}
	// Template text by name ("<chart>/templates/<path>"), as Helm names them.
	templates map[string]string
	crds      []manifest
}

func loadChart(dir string) (*chart, error) {
	c := &chart{meta: &metadata{}, templates: map[string]string{}}
	raw, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, err
	}
	if err := yaml.Unmarshal(raw, c.meta); err != nil {
		return nil, fmt.Errorf("Chart.yaml: %v", err)
	}
	if c.meta.Name == "" || c.meta.Version == "" {
		return nil, fmt.Errorf("Chart.yaml: name and version are required")
	}
	if c.defaults, err = readValuesFile(filepath.Join(dir, "values.yaml")); err != nil {
		return nil, err
	}
	err = filepath.Walk(filepath.Join(dir, "templates"), func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		text, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		c.templates[c.meta.Name+"/"+filepath.ToSlash(rel)] = string(text)
		return err
	})
	if err != nil {
		return nil, err
	}
	crdFiles, _ := filepath.Glob(filepath.Join(dir, "crds", "*.yaml"))
	sort.Strings(crdFiles)
	for _, path := range crdFiles {
		text, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		source := c.meta.Name + "/crds/" + filepath.Base(path)
		for _, doc := range splitManifests(string(text)) {
			c.crds = append(c.crds, manifest{source: source, content: doc})
		}
	}
	return c, nil
}

func checkKubeVersion(constraint, version string) error {
	if constraint == "" {
		return nil
	}
	compare := sprig.GenericFuncMap()["semverCompare"].(func(string, string) (bool, error))
	ok, err := compare(constraint, version)
	if err != nil {
		return fmt.Errorf("Chart.yaml kubeVersion: %v", err)
	}
	if !ok {
		return fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", constraint, version)
	}
	return nil
}

// kubeVersion is .Capabilities.KubeVersion.
type kubeVersion struct {
	Version string
	Major   string
	Minor   string
}

func (k kubeVersion) String() string     { return k.Version }
func (k kubeVersion) GitVersion() string { return k.Version }

// versionSet is .Capabilities.APIVersions.
type versionSet []string

// Has is true for a listed "group/version", and for "group/version/Kind" when its group/version is listed
// (Helm lists every kind; this keeps the list short).
func (v versionSet) Has(apiVersion string) bool {
	for _, listed := range v {
		if listed == apiVersion || strings.HasPrefix(apiVersion, listed+"/") && strings.Count(apiVersion, "/") == strings.Count(listed, "/")+1 {
			return true
		}
	}
	return false
}

type capabilities struct {
	KubeVersion kubeVersion
	APIVersions versionSet
	HelmVersion map[string]string
}

// The built-in API versions Helm assumes without a cluster; -a/--api-versions adds to them.
var defaultAPIVersions = []string{
	"v1", "admissionregistration.k8s.io/v1", "apiextensions.k8s.io/v1", "apiregistration.k8s.io/v1",
	"apps/v1", "authentication.k8s.io/v1", "authorization.k8s.io/v1", "autoscaling/v1", "autoscaling/v2",
	"batch/v1", "certificates.k8s.io/v1", "coordination.k8s.io/v1", "discovery.k8s.io/v1", "events.k8s.io/v1",
	"networking.k8s.io/v1", "node.k8s.io/v1", "policy/v1", "rbac.authorization.k8s.io/v1", "scheduling.k8s.io/v1",
	"storage.k8s.io/v1",
}

func newCapabilities(version string, extraAPIVersions []string) (*capabilities, error) {
	v := strings.TrimPrefix(version, "v")
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return nil, fmt.Errorf("invalid kube version %q: expected MAJOR.MINOR[.PATCH]", version)
	}
	if len(parts) == 2 {
		v += ".0"
	}
	return &capabilities{
		KubeVersion: kubeVersion{Version: "v" + v, Major: parts[0], Minor: parts[1]},
		APIVersions: append(append(versionSet{}, defaultAPIVersions...), extraAPIVersions...),
		HelmVersion: map[string]string{"Version": "v3", "GoVersion": "go1"},
	}, nil
}
