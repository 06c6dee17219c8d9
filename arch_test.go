package canopy_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// layerRule says what the Go files under a folder may import, besides the standard library.
type layerRule struct {
	dir     string
	allowed []string // import path prefixes
}

// The dependency rule of STYLE.md: web → app → domain, infra → app, domain; nothing in domain or
// app knows gorm, echo, minio-go, casbin, infra or web.
var rules = []layerRule{
	{"domain", []string{"canopy/domain/", "github.com/google/uuid"}},
	{"app", []string{"canopy/domain/", "canopy/app/", "github.com/google/uuid"}},
	{"web", []string{"canopy/domain/", "canopy/app/", "canopy/web", "github.com/google/uuid", "github.com/labstack/echo/", "github.com/prometheus/", "github.com/skip2/go-qrcode", "gopkg.in/yaml.v3", "github.com/coder/websocket"}},
	{"infra", []string{"canopy/domain/", "canopy/app/", "canopy/infra/", "canopy/migrations", "github.com/", "gorm.io/", "golang.org/x/", "gopkg.in/"}},
	// The one rule for text (control characters, NFC, visible names, the encodings of uploaded
	// files) needs Unicode tables and decoders the standard library lacks. Only this leaf may use
	// golang.org/x/text, and it may use nothing else of Canopy but errs, so the rest of domain
	// stays free of libraries while every entity can apply the rule.
	{"domain/text", []string{"canopy/domain/errs", "canopy/domain/text", "golang.org/x/text/"}},
	// The shared HTTP plumbing knows no module: the module packages (web/org, web/scim, ...)
	// register their routes on it, and cmd/canopy wires them.
	{"web/server", []string{"canopy/domain/", "canopy/app/", "canopy/web/api", "github.com/google/uuid", "github.com/labstack/echo/", "github.com/prometheus/"}},
}

// ownRule reports whether a folder has a rule of its own, which then replaces its parent's.
func ownRule(dir string) bool {
	for _, r := range rules {
		if filepath.ToSlash(dir) == r.dir {
			return true
		}
	}
	return false
}

func violations(rule layerRule, file string, src any) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), file, src, parser.ImportsOnly)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if !strings.Contains(strings.Split(path, "/")[0], ".") && !strings.HasPrefix(path, "canopy") {
			continue // standard library
		}
		ok := false
		for _, prefix := range rule.allowed {
			if strings.HasPrefix(path, prefix) {
				ok = true
				break
			}
		}
		if !ok {
			out = append(out, file+" imports "+path)
		}
	}
	return out, nil
}

func TestDependencyRule(t *testing.T) {
	for _, rule := range rules {
		files := 0
		err := filepath.WalkDir(rule.dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "node_modules" || (path != rule.dir && ownRule(path))) {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") {
				return nil
			}
			files++
			bad, err := violations(rule, path, nil)
			for _, b := range bad {
				t.Errorf("%s breaks the dependency rule", b)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if files == 0 {
			t.Errorf("no Go files under %s", rule.dir)
		}
	}
}

// TestDependencyRuleCatchesViolations proves the check above can fail.
func TestDependencyRuleCatchesViolations(t *testing.T) {
	src := "package identity\nimport (\n\"context\"\n\"gorm.io/gorm\"\n\"canopy/infra/postgres\"\n\"canopy/domain/errs\"\n)\n"
	bad, err := violations(rules[1], "app/identity/x.go", src)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) != 2 {
		t.Fatalf("want gorm and infra flagged, got %v", bad)
	}
	// A module package of the PostgreSQL adapter may use app, domain and the adapter's shared
	// core, but not web.
	src = "package org\nimport (\n\"gorm.io/gorm\"\n\"canopy/app/org\"\n\"canopy/domain/errs\"\n\"canopy/infra/postgres\"\n\"canopy/web/server\"\n)\n"
	bad, err = violations(rules[3], "infra/postgres/org/x.go", src)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) != 1 || !strings.HasSuffix(bad[0], "canopy/web/server") {
		t.Fatalf("want only web flagged, got %v", bad)
	}
}

// TestServerKnowsNoModule proves that web/server may not import a module's handlers.
func TestServerKnowsNoModule(t *testing.T) {
	var rule layerRule
	for _, r := range rules {
		if r.dir == "web/server" {
			rule = r
		}
	}
	if !ownRule("web/server") {
		t.Fatal("web/server must be checked by its own rule")
	}
	src := "package server\nimport (\n\"canopy/app/authz\"\n\"canopy/web/api\"\n\"canopy/web/org\"\n)\n"
	if bad, err := violations(rule, "web/server/x.go", src); err != nil || len(bad) != 1 || !strings.HasSuffix(bad[0], "canopy/web/org") {
		t.Fatalf("want web/org flagged, got %v %v", bad, err)
	}
}

// TestTextLeafRule proves that only domain/text may use golang.org/x/text in domain, and that it
// stays a leaf.
func TestTextLeafRule(t *testing.T) {
	var domain, leaf layerRule
	for _, r := range rules {
		switch r.dir {
		case "domain":
			domain = r
		case "domain/text":
			leaf = r
		}
	}
	if !ownRule("domain/text") || ownRule("domain/identity") {
		t.Fatal("domain/text must be checked by its own rule, and only it")
	}
	src := "package identity\nimport (\n\"golang.org/x/text/unicode/norm\"\n\"canopy/domain/text\"\n)\n"
	if bad, err := violations(domain, "domain/identity/x.go", src); err != nil || len(bad) != 1 || !strings.HasSuffix(bad[0], "golang.org/x/text/unicode/norm") {
		t.Fatalf("want x/text flagged outside the leaf, got %v %v", bad, err)
	}
	src = "package text\nimport (\n\"golang.org/x/text/unicode/norm\"\n\"canopy/domain/errs\"\n\"canopy/domain/identity\"\n\"github.com/google/uuid\"\n)\n"
	if bad, err := violations(leaf, "domain/text/x.go", src); err != nil || len(bad) != 2 {
		t.Fatalf("want identity and uuid flagged in the leaf, got %v %v", bad, err)
	}
}
