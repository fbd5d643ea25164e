package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/lcwh/lcwh/internal/atomicfile"
)

// Set writes key=value into the file at path (under profiles.<profile> when
// profile is not empty), keeping every other key, profile and comment.
func Set(path, profile, key, value string) error {
	if err := Validate(key, value); err != nil {
		return err
	}
	k, _ := Lookup(key)
	return edit(path, func(root *yaml.Node) error {
		m, err := section(root, profile, true)
		if err != nil {
			return err
		}
		setScalar(m, key, value, k.Kind)
		return nil
	})
}

// Unset removes key from the file (from the profile when one is named).
// Removing a key that is not there is not an error.
func Unset(path, profile, key string) error {
	if _, ok := Lookup(key); !ok {
		return &UnknownKeyError{Name: key}
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return edit(path, func(root *yaml.Node) error {
		m, err := section(root, profile, false)
		if err != nil || m == nil {
			return err
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key {
				m.Content = append(m.Content[:i], m.Content[i+2:]...)
				return nil
			}
		}
		return nil
	})
}

// ProfileNames lists the profiles defined in the file at path, for completion.
func ProfileNames(path string) []string {
	doc, err := readFile(path)
	if err != nil {
		return nil
	}
	var names []string
	for n := range doc.profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func edit(path string, fn func(root *yaml.Node) error) error {
	b, err := readConfig(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	var doc yaml.Node
	if len(bytes.TrimSpace(b)) > 0 {
		if err := yaml.Unmarshal(b, &doc); err != nil {
			return &FileError{Path: path, Err: err}
		}
	}
	if doc.Kind == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return &FileError{Path: path, Err: errors.New("the top level must be a mapping of keys to values")}
	}
	if err := fn(root); err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return atomicfile.WriteFile(path, buf.Bytes(), 0o600)
}

// section returns the mapping node keys go in: root, or profiles.<profile>.
func section(root *yaml.Node, profile string, create bool) (*yaml.Node, error) {
	if profile == "" {
		return root, nil
	}
	profs, err := child(root, "profiles", create)
	if err != nil || profs == nil {
		return nil, err
	}
	return child(profs, profile, create)
}

func child(m *yaml.Node, key string, create bool) (*yaml.Node, error) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v := m.Content[i+1]
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				v.Kind, v.Tag, v.Value = yaml.MappingNode, "!!map", ""
			}
			if v.Kind != yaml.MappingNode {
				return nil, fmt.Errorf("%s in the config file is not a mapping", key)
			}
			return v, nil
		}
	}
	if !create {
		return nil, nil
	}
	v := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
	return v, nil
}

func setScalar(m *yaml.Node, key, value string, kind Kind) {
	tag := "!!str"
	if kind == KindPort {
		if _, err := strconv.Atoi(value); err == nil {
			tag = "!!int"
		}
	}
	val := &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			val.HeadComment, val.LineComment = m.Content[i+1].HeadComment, m.Content[i+1].LineComment
			m.Content[i+1] = val
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, val)
}
