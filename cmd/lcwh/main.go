// Command lcwh builds, tests and manages LiveChat webhooks.
package main

import (
	"os"

	"github.com/lcwh/lcwh/internal/app"
)

func main() { os.Exit(app.Main()) }
