# packaging/install.mk: `make install`, `make uninstall`, `make test-install`.
#
# Included by the root Makefile (after its variables: CARGO, RELEASE_DIR,
# LIB_SO, SANDBOX_BIN, BUILD_DIR), or used on its own from the repository
# root: `make -f packaging/install.mk install PREFIX=...`.
#
#   make install   [PREFIX=/usr/local] [DESTDIR=] [LIBDIR=$(PREFIX)/lib] [INCLUDEDIR=$(PREFIX)/include]
#                  [BINDIR=$(PREFIX)/bin] [PKGCONFIGDIR=$(LIBDIR)/pkgconfig] [CMAKEDIR=$(LIBDIR)/cmake/moneykit]
#   make uninstall (same variables): removes exactly what install created
#   make test-install: install into a temporary prefix, build C (pkg-config), C++ (CMake)
#                  and static consumers from it alone, run them against the sandbox, uninstall
#
# `make install` does not build: run `make build` first (so `sudo make install` never runs cargo as root).

mk_install_saved_goal := $(.DEFAULT_GOAL)
# Included by the root Makefile (it defines LIB_SO first) or used on its own?
mk_install_in_root := $(if $(filter file command line,$(origin LIB_SO)),1,)

# Standalone use: the root Makefile's variables, with the same values.
RELEASE_DIR ?= target/release
LIB_SO      ?= $(RELEASE_DIR)/libmoneykit.so
SANDBOX_BIN ?= $(abspath $(RELEASE_DIR)/moneykit-sandbox)
BUILD_DIR   ?= build

PREFIX       ?= /usr/local
DESTDIR      ?=
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
BINDIR       ?= $(PREFIX)/bin
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
CMAKEDIR     ?= $(LIBDIR)/cmake/moneykit
STRIP        ?= strip

MK_PACKAGING_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
# What the static library needs from the system on Linux: the Rust standard library's list,
# `cargo rustc --release --lib --crate-type staticlib -- --print native-static-libs`.
# `make test-install` links a program with it, so a change shows up there.
MK_LIBS_PRIVATE ?= -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
MK_VERSION_TEXT = $(shell sed -n 's/^\#define MK_VERSION "\(.*\)"/\1/p' include/moneykit.h)

mk_install_env = DESTDIR='$(DESTDIR)' PREFIX='$(PREFIX)' LIBDIR='$(LIBDIR)' INCLUDEDIR='$(INCLUDEDIR)' \
  BINDIR='$(BINDIR)' PKGCONFIGDIR='$(PKGCONFIGDIR)' CMAKEDIR='$(CMAKEDIR)' STRIP='$(STRIP)' \
  MK_VERSION='$(MK_VERSION_TEXT)' MK_LIBS_PRIVATE='$(MK_LIBS_PRIVATE)' \
  MK_LIB_SO='$(LIB_SO)' MK_LIB_A='$(RELEASE_DIR)/libmoneykit.a' MK_SANDBOX='$(SANDBOX_BIN)' \
  MK_HEADER='include/moneykit.h' MK_CPP_HEADER='bindings/cpp/moneykit.hpp'

.PHONY: install uninstall test-install

install:
	@echo "installing moneykit-native $(MK_VERSION_TEXT) into $(DESTDIR)$(PREFIX)"
	@$(mk_install_env) bash $(MK_PACKAGING_DIR)/install.sh install

uninstall:
	@echo "uninstalling moneykit-native from $(DESTDIR)$(PREFIX)"
	@$(mk_install_env) bash $(MK_PACKAGING_DIR)/install.sh uninstall

# Inside the root Makefile, build first; standalone, the script checks the artifacts exist.
test-install: $(if $(mk_install_in_root),build,)
	@MAKE='$(MAKE)' MK_LIBS_PRIVATE='$(MK_LIBS_PRIVATE)' BUILD_DIR='$(BUILD_DIR)' \
	  bash $(MK_PACKAGING_DIR)/test-install.sh

.DEFAULT_GOAL := $(mk_install_saved_goal)
