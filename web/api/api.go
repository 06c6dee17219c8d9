// Package api holds the API contract, openapi.yaml: the server serves it, a test holds the
// registered routes to it, and the frontend's types are generated from it.
package api

import (
	_ "embed"
	"encoding/json"
	"sync"

	"gopkg.in/yaml.v3"
)

//go:embed openapi.yaml
var document []byte

var documentJSON = sync.OnceValues(func() ([]byte, error) {
	var doc any
	if err := yaml.Unmarshal(document, &doc); err != nil {
		return nil, err
	}
	return json.Marshal(doc)
})

// JSON returns the API description as JSON, converted once from the YAML source.
func JSON() ([]byte, error) { return documentJSON() }
