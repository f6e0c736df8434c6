// Command helm-template renders a Helm chart the way `helm template` does, for machines without a helm
// binary: Go templates with sprig and Helm's own functions, values.yaml deep-merged with -f files and --set,
// .Release/.Chart/.Capabilities, and the manifests in Helm's install order with `# Source:` comments.
// It covers what the charts in deploy/charts use; it has no cluster access, hooks, subcharts or schemas.
//
//	helm-template [template] [NAME] CHART [-f values.yaml]... [--set a.b=c]... [--set-string a=b]... [-n NAMESPACE]
//	              [--kube-version 1.20.2] [-a group/version]... [--include-crds]
package main

import (
	"fmt"
	"os"
	"strings"
)

type options struct {
	release     string
	chartDir    string
	namespace   string
	kubeVersion string
	apiVersions []string
	includeCRDs bool
	// Values in the order given: -f files, --set and --set-string, later ones win.
	overrides []override
}

type override struct {
	kind  string // "file", "set" or "set-string"
	value string
}

func main() {
	opts, err := parseArgs(os.Args[1:])
	if err == nil {
		var out string
		out, err = run(opts)
		fmt.Print(out)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "Error: %v\n", err)
		os.Exit(1)
	}
}

func parseArgs(args []string) (options, error) {
	opts := options{release: "release-name", namespace: "default", kubeVersion: defaultKubeVersion}
	var positional []string
	// `helm template ...` and `helm-template ...` take the same arguments.
	if len(args) > 0 && args[0] == "template" {
		args = args[1:]
	}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if !strings.HasPrefix(arg, "-") || arg == "-" {
			positional = append(positional, arg)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if name == "include-crds" {
			opts.includeCRDs = true
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return opts, fmt.Errorf("flag needs an argument: %s", arg)
			}
			i++
			value = args[i]
		}
		switch name {
		case "f", "values":
			// Like Helm's string-slice flags, one -f may name several files separated by commas.
			for _, file := range strings.Split(value, ",") {
				opts.overrides = append(opts.overrides, override{"file", file})
			}
		case "set", "set-string":
			opts.overrides = append(opts.overrides, override{name, value})
		case "n", "namespace":
			opts.namespace = value
		case "kube-version":
			opts.kubeVersion = value
		case "a", "api-versions":
			opts.apiVersions = append(opts.apiVersions, strings.Split(value, ",")...)
		default:
			return opts, fmt.Errorf("unknown flag: %s", arg)
		}
	}
	switch len(positional) {
	case 1:
		opts.chartDir = positional[0]
	case 2:
		opts.release, opts.chartDir = positional[0], positional[1]
	default:
		return opts, fmt.Errorf("expected [NAME] CHART, got %q", positional)
	}
	return opts, nil
}

func run(opts options) (string, error) {
	chart, err := loadChart(opts.chartDir)
	if err != nil {
		return "", err
	}
	values, err := userValues(chart.defaults, opts.overrides)
	if err != nil {
		return "", err
	}
	caps, err := newCapabilities(opts.kubeVersion, opts.apiVersions)
	if err != nil {
		return "", err
	}
	if err := checkKubeVersion(chart.meta.KubeVersion, caps.KubeVersion.Version); err != nil {
		return "", err
	}
	top := map[string]interface{}{
		"Values": values,
		"Chart":  chart.meta,
		"Release": map[string]interface{}{
			"Name": opts.release, "Namespace": opts.namespace, "Service": "Helm",
			"IsInstall": true, "IsUpgrade": false, "Revision": 1,
		},
		"Capabilities": caps,
	}
	rendered, err := renderTemplates(chart, top)
	if err != nil {
		return "", err
	}
	manifests, err := sortManifests(rendered)
	if err != nil {
		return "", err
	}
	if opts.includeCRDs {
		manifests = append(chart.crds, manifests...)
	}
	var b strings.Builder
	for _, m := range manifests {
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", m.source, m.content)
	}
	return strings.TrimSpace(b.String()) + "\n", nil
}
