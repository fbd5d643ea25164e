package webhook

import (
	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/cmdutil"
)

// NewCmdDisable builds `lcwh disable`.
func NewCmdDisable(f *cmdutil.Factory, runF func(*StateOptions) error) *cobra.Command {
	return newStateCmd(f, runF, stateDisable, &cobra.Command{
		Use:   "disable",
		Short: "Turn your app's webhooks off for your license",
		Long: `Turn the webhooks of your app's Client ID off for the license of your
credential (disable_license_webhooks). They stay off, even across reinstalls
of the app, until "lcwh enable". Changes take up to 2 minutes to reach
deliveries.`,
		Example: "$ lcwh disable\n$ lcwh disable --client-id 0805e283233042b37f460ed8fbf22160",
	})
}
