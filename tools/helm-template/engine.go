package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"github.com/ghodss/yaml"
)

// An include nested deeper than this in itself is a runaway recursion (Helm's limit).
const maxIncludeDepth = 1000

type manifest struct {
	source  string
	content string
	kind    string
}

// renderTemplates executes every template that is not a partial (`_*`) or NOTES.txt, by name.
func renderTemplates(c *chart, top map[string]interface{}) (map[string]string, error) {
	root := template.New(c.meta.Name).Option("missingkey=zero")
	root.Funcs(funcMap(root))
	names := make([]string, 0, len(c.templates))
	for name := range c.templates {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, err := root.New(name).Parse(c.templates[name]); err != nil {
			return nil, cleanError(err)
		}
	}
	out := map[string]string{}
	for _, name := range names {
		base := path.Base(name)
		if strings.HasPrefix(base, "_") || base == "NOTES.txt" {
			continue
		}
		data := map[string]interface{}{"Template": map[string]interface{}{
			"Name": name, "BasePath": c.meta.Name + "/templates",
		}}
		for key, value := range top {
			data[key] = value
		}
		var buf bytes.Buffer
		if err := root.ExecuteTemplate(&buf, name, data); err != nil {
			return nil, cleanError(err)
		}
		out[name] = strings.ReplaceAll(buf.String(), "<no value>", "")
	}
	return out, nil
}

// funcMap is sprig (without env and expandenv, as in Helm) plus Helm's functions; include and tpl run on t.
func funcMap(t *template.Template) template.FuncMap {
	includes := map[string]int{}
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	extra := template.FuncMap{
		"toYaml":        func(v interface{}) string { s, _ := toYAML(v); return s },
		"mustToYaml":    toYAML,
		"fromYaml":      func(s string) map[string]interface{} { return decodeMap(fromYAML, s) },
		"fromYamlArray": func(s string) []interface{} { return decodeList(fromYAML, s) },
		"toJson":        func(v interface{}) string { s, _ := toJSON(v); return s },
		"mustToJson":    toJSON,
		"fromJson":      func(s string) map[string]interface{} { return decodeMap(json.Unmarshal, s) },
		"fromJsonArray": func(s string) []interface{} { return decodeList(json.Unmarshal, s) },
		"required": func(message string, v interface{}) (interface{}, error) {
			if s, isString := v.(string); v == nil || isString && s == "" {
				return v, errors.New(message)
			}
			return v, nil
		},
		// Without a cluster, lookup finds nothing (as `helm template` does).
		"lookup": func(string, string, string, string) (map[string]interface{}, error) {
			return map[string]interface{}{}, nil
		},
		"include": func(name string, data interface{}) (string, error) {
			if includes[name] >= maxIncludeDepth {
				return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
			}
			includes[name]++
			defer func() { includes[name]-- }()
			var buf bytes.Buffer
			err := t.ExecuteTemplate(&buf, name, data)
			return buf.String(), err
		},
		"tpl": func(text string, data interface{}) (string, error) {
			clone := template.Must(t.Clone())
			clone.Funcs(funcMap(clone))
			parsed, err := clone.New(templateName(data)).Parse(text)
			if err != nil {
				return "", err
			}
			var buf bytes.Buffer
			if err := parsed.Execute(&buf, data); err != nil {
				return "", err
			}
			return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
		},
	}
	for name, fn := range extra {
		f[name] = fn
	}
	return f
}

// templateName is the name a tpl call reports errors under: its caller's .Template.Name.
func templateName(data interface{}) string {
	if top, ok := data.(map[string]interface{}); ok {
		if t, ok := top["Template"].(map[string]interface{}); ok {
			if name, ok := t["Name"].(string); ok {
				return name
			}
		}
	}
	return "tpl"
}

func toYAML(v interface{}) (string, error) {
	data, err := yaml.Marshal(v)
	return strings.TrimSuffix(string(data), "\n"), err
}

func fromYAML(data []byte, v interface{}) error { return yaml.Unmarshal(data, v) }

func toJSON(v interface{}) (string, error) {
	data, err := json.Marshal(v)
	return string(data), err
}

// decodeMap and decodeList report a parse error in the result's "Error" key or only item, as Helm does.
func decodeMap(decode func([]byte, interface{}) error, s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := decode([]byte(s), &m); err != nil {
		return map[string]interface{}{"Error": err.Error()}
	}
	return m
}

func decodeList(decode func([]byte, interface{}) error, s string) []interface{} {
	var l []interface{}
	if err := decode([]byte(s), &l); err != nil {
		return []interface{}{err.Error()}
	}
	return l
}

var goTemplateError = regexp.MustCompile(`^template: (\S+?): executing ".*?" at <.*?>: error calling \w+: `)

// cleanError turns Go's error into Helm's wording for failures of required and fail.
func cleanError(err error) error {
	if m := goTemplateError.FindStringSubmatch(err.Error()); m != nil {
		return fmt.Errorf("execution error at (%s): %s", m[1], err.Error()[len(m[0]):])
	}
	return err
}

var manifestSeparator = regexp.MustCompile(`(?:^|\s*\n)---\s*`)

// splitManifests cuts a rendered file into its YAML documents, without the empty ones.
func splitManifests(text string) []string {
	var docs []string
	for _, doc := range manifestSeparator.Split(strings.TrimSpace(text), -1) {
		if doc = strings.TrimSpace(doc); doc != "" {
			docs = append(docs, doc)
		}
	}
	return docs
}

// Helm's InstallOrder: the order kubectl apply must see kinds in for references to resolve.
var installOrder = []string{
	"PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
	"PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass",
	"PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleList",
	"ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList",
	"Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler",
	"StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
}

// sortManifests parses every document (a YAML error fails, naming the template) and orders them by file
// name, then stably by kind; unknown kinds go last, alphabetically.
func sortManifests(files map[string]string) ([]manifest, error) {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	var out []manifest
	for _, name := range names {
		for _, doc := range splitManifests(files[name]) {
			var head struct {
				Kind string `json:"kind"`
			}
			if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
				return nil, fmt.Errorf("YAML parse error on %s: %v", name, err)
			}
			out = append(out, manifest{source: name, content: doc, kind: head.Kind})
		}
	}
	rank := map[string]int{}
	for i, kind := range installOrder {
		rank[kind] = i
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, aKnown := rank[out[i].kind]
		b, bKnown := rank[out[j].kind]
		switch {
		case aKnown && bKnown:
			return a < b
		case !aKnown && !bKnown:
			return out[i].kind < out[j].kind
		}
		return aKnown
	})
	return out, nil
}
