// Package factory builds the real Factory: the process's streams,
// environment, clock and lazily loaded configuration.
package factory

import (
	"os"
	"time"

	"github.com/lcwh/lcwh/internal/build"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/config"
	"github.com/lcwh/lcwh/internal/iostreams"
)

// New returns the Factory for a real run of lcwh.
func New(info build.Info) *cmdutil.Factory {
	f := &cmdutil.Factory{
		IOStreams:     iostreams.System(os.Getenv),
		Build:         info,
		ConfigOptions: &config.Options{LookupEnv: os.LookupEnv},
		LookupEnv:     os.LookupEnv,
		Now:           time.Now,
		Debug:         new(bool),
	}
	f.Config = cmdutil.OnceConfig(func() (*config.Config, error) {
		return config.Load(*f.ConfigOptions)
	})
	credentialFuncs(f)
	return f
}
