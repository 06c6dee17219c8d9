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
	{"web", []string{"canopy/domain/", "canopy/app/", "canopy/web", "github.com/google/uuid", "github.com/labstack/echo/", "github.com/prometheus/", "github.com/skip2/go-qrcode", "gopkg.in/yaml.v3"}},
	{"infra", []string{"canopy/domain/", "canopy/app/", "canopy/infra/", "canopy/migrations", "github.com/", "gorm.io/", "golang.org/x/", "gopkg.in/"}},
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
			if d.IsDir() && d.Name() == "node_modules" {
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
}
