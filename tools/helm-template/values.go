package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/ghodss/yaml"
)

// readValuesFile reads YAML as Helm does (through JSON: every number is a float64).
func readValuesFile(path string) (map[string]interface{}, error) {
	raw, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return map[string]interface{}{}, nil
	}
	if err != nil {
		return nil, err
	}
	values := map[string]interface{}{}
	if err := yaml.Unmarshal(raw, &values); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if values == nil {
		values = map[string]interface{}{}
	}
	return values, nil
}

// userValues merges the overrides, in order, over the chart's defaults.
func userValues(defaults map[string]interface{}, overrides []override) (map[string]interface{}, error) {
	values := defaults
	for _, o := range overrides {
		layer := map[string]interface{}{}
		var err error
		switch o.kind {
		case "file":
			layer, err = readValuesFile(o.value)
		default:
			err = parseSet(o.value, o.kind == "set", layer)
		}
		if err != nil {
			return nil, err
		}
		coalesce(values, layer)
	}
	return values, nil
}

// coalesce writes src over dst: maps merge key by key, anything else replaces, and null removes the key (how
// a user drops a default).
func coalesce(dst, src map[string]interface{}) {
	for key, value := range src {
		if value == nil {
			delete(dst, key)
			continue
		}
		srcMap, srcIsMap := value.(map[string]interface{})
		dstMap, dstIsMap := dst[key].(map[string]interface{})
		if srcIsMap && dstIsMap {
			coalesce(dstMap, srcMap)
		} else {
			dst[key] = value
		}
	}
}

// parseSet reads a --set (typed) or --set-string argument into values: `a.b=c,d[0]=e,f={g,h}`, with `\` to
// escape `,`, `.`, `=`, `[`, `{` and itself. Typed values are booleans, null and integers as in Helm.
func parseSet(expr string, typed bool, values map[string]interface{}) error {
	for _, assignment := range splitUnescaped(expr, ',', true) {
		if assignment == "" {
			continue
		}
		parts := splitUnescaped(assignment, '=', false)
		if len(parts) < 2 {
			return fmt.Errorf("key %q has no value", unescape(assignment))
		}
		key, raw := parts[0], strings.Join(parts[1:], "=")
		var value interface{}
		if strings.HasPrefix(raw, "{") && strings.HasSuffix(raw, "}") {
			list := []interface{}{}
			for _, item := range splitUnescaped(raw[1:len(raw)-1], ',', false) {
				list = append(list, scalar(unescape(item), typed))
			}
			value = list
		} else {
			value = scalar(unescape(raw), typed)
		}
		if err := setPath(values, splitUnescaped(key, '.', false), value); err != nil {
			return fmt.Errorf("--set %s: %v", assignment, err)
		}
	}
	return nil
}

func scalar(text string, typed bool) interface{} {
	if !typed {
		return text
	}
	switch strings.ToLower(text) {
	case "true":
		return true
	case "false":
		return false
	case "null":
		return nil
	case "0":
		return int64(0)
	}
	// Like Helm, a leading zero keeps the text (a version, an octal mode, a zip code).
	if text != "" && text[0] != '0' {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return n
		}
	}
	return text
}

// setPath sets value at the key path; a segment may end in [i] indexes into lists.
func setPath(values map[string]interface{}, path []string, value interface{}) error {
	name, indexes, err := segment(path[0])
	if err != nil {
		return err
	}
	last := len(path) == 1
	if len(indexes) == 0 {
		if last {
			values[name] = value
			return nil
		}
		child, ok := values[name].(map[string]interface{})
		if !ok {
			child = map[string]interface{}{}
			values[name] = child
		}
		return setPath(child, path[1:], value)
	}
	list, _ := values[name].([]interface{})
	values[name], err = setInList(list, indexes, path[1:], value)
	return err
}

func setInList(list []interface{}, indexes []int, rest []string, value interface{}) ([]interface{}, error) {
	i := indexes[0]
	for len(list) <= i {
		list = append(list, nil)
	}
	var err error
	switch {
	case len(indexes) > 1:
		inner, _ := list[i].([]interface{})
		list[i], err = setInList(inner, indexes[1:], rest, value)
	case len(rest) == 0:
		list[i] = value
	default:
		child, ok := list[i].(map[string]interface{})
		if !ok {
			child = map[string]interface{}{}
			list[i] = child
		}
		err = setPath(child, rest, value)
	}
	return list, err
}

// segment splits `name[1][2]` into the unescaped name and its indexes.
func segment(text string) (string, []int, error) {
	open := strings.Index(text, "[")
	for open > 0 && text[open-1] == '\\' {
		next := strings.Index(text[open+1:], "[")
		if next < 0 {
			open = -1
			break
		}
		open += next + 1
	}
	if open < 0 {
		return unescape(text), nil, nil
	}
	var indexes []int
	for _, part := range strings.Split(strings.TrimSuffix(text[open+1:], "]"), "][") {
		i, err := strconv.Atoi(part)
		if err != nil || i < 0 {
			return "", nil, fmt.Errorf("bad index [%s] in %q", part, text)
		}
		indexes = append(indexes, i)
	}
	return unescape(text[:open]), indexes, nil
}

// splitUnescaped splits at sep, except after a backslash and, when braces is set, inside {...}. Escapes are
// kept for unescape.
func splitUnescaped(text string, sep byte, braces bool) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c == '\\':
			i++
		case braces && c == '{':
			depth++
		case braces && c == '}' && depth > 0:
			depth--
		case c == sep && depth == 0:
			parts = append(parts, text[start:i])
			start = i + 1
		}
	}
	return append(parts, text[start:])
}

func unescape(text string) string {
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		if text[i] == '\\' && i+1 < len(text) {
			i++
		}
		b.WriteByte(text[i])
	}
	return b.String()
}
