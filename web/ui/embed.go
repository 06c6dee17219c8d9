// Package ui embeds the production build of the web frontend (the employee app and the admin
// console) so that the canopy binary serves it without any files beside it.
package ui

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built frontend: index.html at its root and hashed assets under assets/.
// Before `npm run build` it holds only a placeholder, and the server answers with a note
// saying the UI was not built.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embed pattern above guarantees the folder exists
	}
	return sub
}
