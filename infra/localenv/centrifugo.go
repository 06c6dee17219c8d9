package localenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// CentrifugoVersion is the Centrifugo server built into .bin for `make bench`, which runs the
// same event load against it as against Canopy's own gateway, as the peer figure beside ours.
const CentrifugoVersion = "github.com/centrifugal/centrifugo/v6@v6.9.1"

// CentrifugoBinary returns Centrifugo under Root/.bin, building it with `go install` the first
// time (several minutes). Only the benchmark uses it: Canopy never runs it.
func CentrifugoBinary(ctx context.Context, o Options) (string, error) {
	bin := filepath.Join(o.Root, ".bin", "centrifugo")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if o.Log != nil {
		o.Log("building Centrifugo into .bin (several minutes, once)")
	}
	cmd := exec.CommandContext(ctx, "go", "install", CentrifugoVersion)
	cmd.Env = append(os.Environ(), "GOBIN="+filepath.Join(o.Root, ".bin"))
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install %s: %w\n%s", CentrifugoVersion, err, out)
	}
	return bin, nil
}
