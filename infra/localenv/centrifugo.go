package localenv

import (
	"context"
)

// CentrifugoVersion is the Centrifugo server built into .bin for `make bench`, which runs the
// same event load against it as against Canopy's own gateway, as the peer figure beside ours.
const CentrifugoVersion = "github.com/centrifugal/centrifugo/v6@v6.9.1"

// CentrifugoBinary returns Centrifugo under Root/.bin, building it with `go install` the first
// time (several minutes). Only the benchmark uses it: Canopy never runs it.
func CentrifugoBinary(ctx context.Context, o Options) (string, error) {
	return installBinary(ctx, o, "centrifugo", CentrifugoVersion, "building Centrifugo into .bin (several minutes, once)")
}
