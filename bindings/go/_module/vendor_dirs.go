//go:build moneykit_vendor_dirs

package moneykit

// Never built (no one sets this tag). `go mod vendor` copies only the
// directories of imported packages, so without these imports a vendored copy
// of this module would lose include/ and lib/ and no longer link (wasmtime-go
// does the same, golang/go#26366). `go mod vendor` considers every build tag,
// so the imports below keep them.

import (
	_ "github.com/moneykit-native/moneykit-native/bindings/go/include"
	_ "github.com/moneykit-native/moneykit-native/bindings/go/lib/linux-amd64"
)
