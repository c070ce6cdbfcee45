//go:build moneykit_pkgconfig

package moneykit

// Installed linking (`go build -tags moneykit_pkgconfig`): header and library
// flags come from `pkg-config --cflags --libs moneykit`, i.e. the moneykit.pc
// that `make install` writes (set PKG_CONFIG_PATH when the prefix is not a
// system one, and LD_LIBRARY_PATH or an rpath when the library directory is
// not known to the dynamic loader).

/*
#cgo pkg-config: moneykit
*/
import "C"
