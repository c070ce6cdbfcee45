//go:build !moneykit_pkgconfig && !(linux && amd64)

package moneykit

// No prebuilt library for this GOOS/GOARCH in the module (only linux/amd64 so
// far): the C compiler stops here with a message saying what to do instead.

/*
#error "moneykit: this module has no prebuilt libmoneykit for this GOOS/GOARCH (only linux/amd64). Install the C library (make install in moneykit-native) and build with -tags moneykit_pkgconfig."
*/
import "C"
