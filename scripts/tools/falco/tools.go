//go:build tools

package tools

import _ "github.com/ysugimoto/falco/cmd/falco"
