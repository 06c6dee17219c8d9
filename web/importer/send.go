package importer

import (
	"github.com/labstack/echo/v4"

	appimport "canopy/app/importer"
)

// Send writes a download as this package's exports do (send): for the exports other packages
// serve, such as the people export of a selection.
func Send(c echo.Context, d appimport.Download) error { return send(c, d) }
