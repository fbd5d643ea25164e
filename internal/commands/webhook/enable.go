package webhook

import (
	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/cmdutil"
)

// NewCmdEnable builds `lcwh enable`.
func NewCmdEnable(f *cmdutil.Factory, runF func(*StateOptions) error) *cobra.Command {
	return newStateCmd(f, runF, stateEnable, &cobra.Command{
		Use:   "enable",
		Short: "Turn your app's webhooks on for your license",
		Long: `Turn the webhooks of your app's Client ID back on for the license of your
credential (enable_license_webhooks). License webhooks are on by default once
the app is installed; this is only needed after "lcwh disable". Changes take
up to 2 minutes to reach deliveries.`,
		Example: "$ lcwh enable\n$ lcwh enable --client-id 0805e283233042b37f460ed8fbf22160 --json",
	})
}
