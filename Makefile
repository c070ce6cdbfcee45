# moneykit-native: `make demo` runs the example against the bundled sandbox;
# `make test` runs every test in every language. Both work on a fresh machine:
# `make test` installs what it needs first (`make deps`).

SHELL        := /bin/bash
CARGO        ?= cargo
CC           ?= cc
RELEASE_DIR  := target/release
DEBUG_DIR    := target/debug
LIB_SO       := $(RELEASE_DIR)/libmoneykit.so
SANDBOX_BIN  := $(abspath $(RELEASE_DIR)/moneykit-sandbox)
BUILD_DIR    := build
C_WARN       := -std=c99 -Wall -Wextra -Werror -pedantic
export MONEYKIT_SANDBOX_BIN := $(SANDBOX_BIN)
export MONEYKIT_NATIVE_LIB  := $(abspath $(LIB_SO))

.PHONY: all build demo test deps check gen gen-check corpus-bless match-eval symbols-check fmt-check clippy cargo-test header header-check \
        header-compile c-test c-asan c-valgrind c-example test-python test-go test-cpp go-module dist-test go-dist-test wheel dist-test-python bench stress clean \
        doc-test release release-test

all: build

## Release library (.so/.a), header and sandbox binary.
build: header
	@# Programs linked with -lmoneykit record the soname (libmoneykit.so.0.1 for 0.1.x);
	@# give it a name in-tree too.
	@soname=$$(objdump -p $(LIB_SO) | awk '$$1 == "SONAME" {print $$2}'); \
	  [ -n "$$soname" ] && ln -sf libmoneykit.so $(RELEASE_DIR)/$$soname

## The example against the bundled sandbox (started and stopped here).
demo: build $(BUILD_DIR)/identity
	@bash scripts/with-sandbox.sh $(BUILD_DIR)/identity mk_sandbox_ok

$(BUILD_DIR)/identity: examples/identity.c include/moneykit.h build
	@mkdir -p $(BUILD_DIR)
	$(CC) $(C_WARN) -Iinclude $< -L$(RELEASE_DIR) -lmoneykit -Wl,-rpath,$(abspath $(RELEASE_DIR)) -o $@

## Install whatever a fresh machine lacks for `make test` (idempotent).
deps:
	@bash scripts/deps.sh

## Regenerate every generated file from schema/moneykit.json (see schema/README.md).
gen:
	$(CARGO) run -q -p moneykit-gen -- --root .

## Fails when a generated file differs from what the schema produces now, or a corpus
## expected dump from what scripts/corpus_bless.py (no library) makes of its body.
gen-check:
	$(CARGO) run -q -p moneykit-gen -- --root . --check
	python3 scripts/corpus_bless.py --check
	python3 scripts/match_eval/build.py --check

## Rewrites tests/corpus/*.expected.json from the schema's rules alone (scripts/corpus_bless.py).
corpus-bless:
	python3 scripts/corpus_bless.py

## The owner-match evaluation (tests/match_eval/README.md): right / false pass / miss per
## category, for the tuning part and the held-out part.
match-eval:
	$(CARGO) run -q --release --example match_eval -- tests/match_eval/tuning.jsonl tests/match_eval/heldout.jsonl

## Everything.
test: deps check gen-check cargo-test header-check header-compile symbols-check c-test test-python test-go test-cpp test-install doc-test
	@echo "make test: all suites passed"

check: fmt-check clippy

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	@# A minimal build without coordination (no redis crate) stays clean too.
	$(CARGO) clippy -p moneykit-native --lib --no-default-features -- -D warnings

cargo-test: build
	$(CARGO) test --workspace
	@# MK_ERR_INTERNAL through a real exported call: the test-only feature (Cargo.toml) injects a panic.
	$(CARGO) test --features test-panic-injection --test panic_injection
	@# ... and the release library (make build: default features) carries no trace of that hook.
	@! grep -qa mk_test_injected_panic $(LIB_SO) $(RELEASE_DIR)/libmoneykit.a || \
	  { echo "the release library contains the test-panic-injection hook"; exit 1; }
	@# Without the coordination feature a coordination_url is refused, not ignored.
	$(CARGO) test --no-default-features --test coordination_off

## The release build (as `build`), then the header build.rs generated into OUT_DIR copied
## to include/moneykit.h when it differs. Cargo's JSON messages say where OUT_DIR is; the
## package id is `...#moneykit-native@<version>`, or `.../moneykit-native#<version>` when
## the checkout directory has the package's name.
header:
	@json=$$($(CARGO) build --release --workspace --lib --bins --message-format=json-render-diagnostics) || exit 1; \
	out=$$(grep '"reason":"build-script-executed"' <<<"$$json" \
	  | grep -E '"package_id":"([^"]*#moneykit-native@|[^"]*/moneykit-native#|moneykit-native )' \
	  | sed -E 's/.*"out_dir":"([^"]*)".*/\1/'); \
	if [ -z "$$out" ] || [ "$$(wc -l <<<"$$out")" != 1 ] || [ ! -f "$$out/moneykit.h" ]; then \
	  echo "make header: cannot find moneykit.h in moneykit-native's OUT_DIR (got: '$$out')"; exit 1; fi; \
	cmp -s "$$out/moneykit.h" include/moneykit.h || { cp "$$out/moneykit.h" include/moneykit.h && echo "include/moneykit.h regenerated"; }

## The regenerated header must equal the one committed in HEAD (not merely the index).
header-check: header
	@git diff --exit-code HEAD -- include/moneykit.h || { echo "include/moneykit.h is stale: commit the regenerated header"; exit 1; }

## The shared library exports only the C API (`mk_*`): no Rust or libc symbols leak.
symbols-check: build
	@leaked=$$(nm -D --defined-only $(LIB_SO) | awk '{print $$3}' | grep -v '^mk_' || true); \
	if [ -n "$$leaked" ]; then echo "libmoneykit.so exports more than mk_*: $$leaked"; exit 1; fi; \
	echo "symbols-check: $$(nm -D --defined-only $(LIB_SO) | grep -c ' mk_') mk_* symbols, nothing else"

header-compile:
	@mkdir -p $(BUILD_DIR)
	printf '#include "moneykit.h"\nint main(void){return mk_version()==0;}\n' > $(BUILD_DIR)/hdr.c
	$(CC) $(C_WARN) -Iinclude -c $(BUILD_DIR)/hdr.c -o $(BUILD_DIR)/hdr_c.o
	printf '#include "moneykit.h"\nint main(){return mk_version()==nullptr;}\n' > $(BUILD_DIR)/hdr.cpp
	$(CXX) -std=c++17 -Wall -Wextra -Werror -pedantic -Iinclude -c $(BUILD_DIR)/hdr.cpp -o $(BUILD_DIR)/hdr_cpp.o

## C tests: once under ASan/UBSan, once under valgrind; and the example's output.
c-test: c-asan c-valgrind c-example

## examples/identity.c's output for mk_sandbox_unicode (after its version line) must be the
## expected text: every owner, unicode byte for byte. examples/webhook.c answers a delivery
## without a signature 400 (reason malformed), having fetched nothing.
c-example: $(BUILD_DIR)/identity $(BUILD_DIR)/webhook
	bash scripts/with-sandbox.sh $(BUILD_DIR)/identity mk_sandbox_unicode > $(BUILD_DIR)/identity_unicode.txt
	tail -n +2 $(BUILD_DIR)/identity_unicode.txt | diff -u tests/c/identity_unicode.expected.txt -
	printf '{}' | bash scripts/with-sandbox.sh $(BUILD_DIR)/webhook > $(BUILD_DIR)/webhook.txt
	printf 'refused: MK_ERR_SIGNATURE (reason malformed)\nanswer 400\n' | diff -u - $(BUILD_DIR)/webhook.txt

$(BUILD_DIR)/webhook: examples/webhook.c include/moneykit.h build
	@mkdir -p $(BUILD_DIR)
	$(CC) $(C_WARN) -Iinclude $< -L$(RELEASE_DIR) -lmoneykit -Wl,-rpath,$(abspath $(RELEASE_DIR)) -o $@

$(BUILD_DIR)/c_test_asan: tests/c/test_client.c include/moneykit.h build
	@mkdir -p $(BUILD_DIR)
	$(CC) $(C_WARN) -D_POSIX_C_SOURCE=200809L -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -Iinclude $< \
	  -L$(RELEASE_DIR) -lmoneykit -lpthread -Wl,-rpath,$(abspath $(RELEASE_DIR)) -o $@

$(BUILD_DIR)/c_test: tests/c/test_client.c include/moneykit.h build
	@mkdir -p $(BUILD_DIR)
	$(CC) $(C_WARN) -D_POSIX_C_SOURCE=200809L -g -Iinclude $< \
	  -L$(RELEASE_DIR) -lmoneykit -lpthread -Wl,-rpath,$(abspath $(RELEASE_DIR)) -o $@

c-asan: $(BUILD_DIR)/c_test_asan $(BUILD_DIR)/c_view_asan $(BUILD_DIR)/c_webhooks_asan
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 bash scripts/with-sandbox.sh $(BUILD_DIR)/c_test_asan
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 bash scripts/with-sandbox.sh $(BUILD_DIR)/c_webhooks_asan
	@rm -rf $(BUILD_DIR)/view_dump_asan && mkdir -p $(BUILD_DIR)/view_dump_asan
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 bash scripts/with-sandbox.sh \
	  $(BUILD_DIR)/c_view_asan tests/corpus $(BUILD_DIR)/view_dump_asan
	python3 tests/c/compare_dumps.py tests/corpus $(BUILD_DIR)/view_dump_asan

c-valgrind: $(BUILD_DIR)/c_test $(BUILD_DIR)/c_view $(BUILD_DIR)/c_webhooks
	MK_TEST_QUICK=1 bash scripts/with-sandbox.sh valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect \
	  --errors-for-leak-kinds=definite,indirect --error-exitcode=1 $(BUILD_DIR)/c_test
	bash scripts/with-sandbox.sh valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect \
	  --errors-for-leak-kinds=definite,indirect --error-exitcode=1 $(BUILD_DIR)/c_webhooks
	@rm -rf $(BUILD_DIR)/view_dump && mkdir -p $(BUILD_DIR)/view_dump
	bash scripts/with-sandbox.sh valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect \
	  --errors-for-leak-kinds=definite,indirect --error-exitcode=1 $(BUILD_DIR)/c_view tests/corpus $(BUILD_DIR)/view_dump
	python3 tests/c/compare_dumps.py tests/corpus $(BUILD_DIR)/view_dump

## The webhook ABI's C test (tests/c/test_webhooks.c): NULL handling and a verify round trip
## with the sandbox's signed test deliveries.
$(BUILD_DIR)/c_webhooks_asan: tests/c/test_webhooks.c include/moneykit.h build
	@mkdir -p $(BUILD_DIR)
	$(CC) $(C_WARN) -D_POSIX_C_SOURCE=200809L -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -Iinclude $< \
	  -L$(RELEASE_DIR) -lmoneykit -Wl,-rpath,$(abspath $(RELEASE_DIR)) -o $@

$(BUILD_DIR)/c_webhooks: tests/c/test_webhooks.c include/moneykit.h build
	@mkdir -p $(BUILD_DIR)
	$(CC) $(C_WARN) -D_POSIX_C_SOURCE=200809L -g -Iinclude $< \
	  -L$(RELEASE_DIR) -lmoneykit -Wl,-rpath,$(abspath $(RELEASE_DIR)) -o $@

## The typed view's C test (tests/c/test_view.c): the corpus read through every field of the view.
$(BUILD_DIR)/c_view_asan: tests/c/test_view.c tests/c/view_dump_gen.h include/moneykit.h build
	@mkdir -p $(BUILD_DIR)
	$(CC) $(C_WARN) -D_POSIX_C_SOURCE=200809L -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -Iinclude $< \
	  -L$(RELEASE_DIR) -lmoneykit -lm -Wl,-rpath,$(abspath $(RELEASE_DIR)) -o $@

$(BUILD_DIR)/c_view: tests/c/test_view.c tests/c/view_dump_gen.h include/moneykit.h build
	@mkdir -p $(BUILD_DIR)
	$(CC) $(C_WARN) -D_POSIX_C_SOURCE=200809L -g -Iinclude $< \
	  -L$(RELEASE_DIR) -lmoneykit -lm -Wl,-rpath,$(abspath $(RELEASE_DIR)) -o $@

test-python: build
	bash bindings/python/test.sh --packaging

test-go: build
	bash bindings/go/test.sh

## The Go module as a release tag would publish it (build/go-module/: sources, header, static linux/amd64 library).
go-module: build
	bash bindings/go/module.sh $(BUILD_DIR)/go-module

## Release artefacts used as users would (slow, not in `make test`); other artefacts add their checks as prerequisites.
dist-test: go-dist-test
dist-test: dist-test-python
dist-test: release-test

## A manylinux wheel in bindings/python/dist/ bundling make build's libmoneykit.so and moneykit-sandbox (auditwheel repair).
wheel: build
	bash bindings/python/wheel.sh

## The wheel installed into a fresh venv with no cargo or compiler on PATH: the bundled sandbox (console script) and a call to it.
dist-test-python: wheel
	bash bindings/python/dist-test.sh

## An out-of-tree program builds against build/go-module with `go` alone (no CGO_* or pkg-config) and runs statically linked.
go-dist-test: go-module
	bash bindings/go/dist-test.sh $(BUILD_DIR)/go-module

test-cpp: build
	bash bindings/cpp/test.sh

## Every artifact a release publishes, with SHA256SUMS, in build/release/<version>/: the wheel,
## the Go module zip in proxy layout, the C/C++ tarball (headers, .so, .a, pkg-config, CMake),
## the CLI and the sandbox (packaging/release.sh; RELEASING.md). Slow, not part of `make test`.
release: build wheel go-module
	bash packaging/release.sh

## The release's layout, checksums and archives used from a temporary directory (part of `make dist-test`).
release-test: release
	bash packaging/test-release.sh

## The documents' runnable blocks (every README quickstart, marked `<!-- doc-test -->`) compiled
## and run as written against one sandbox; fails with the block's file:line (scripts/doc_test.py).
doc-test: build
	python3 scripts/doc_test.py

## Long soak (not part of `make test`): a 100,000-link batch with flat memory (the ignored
## test of tests/batch.rs); 8 threads x 10,000 calls on one client, under ASan and under
## valgrind: 0 failures, 0 leaks; then every fuzz target for STRESS_FUZZ_SECONDS.
STRESS_FUZZ_SECONDS ?= 30
stress: $(BUILD_DIR)/c_test_asan $(BUILD_DIR)/c_test
	$(CARGO) test --release --test batch -- --ignored memory_stays_flat_for_100k_links
	MK_TEST_STRESS=1 ASAN_OPTIONS=detect_leaks=1 bash scripts/with-sandbox.sh $(BUILD_DIR)/c_test_asan
	MK_TEST_STRESS=1 bash scripts/with-sandbox.sh valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect \
	  --errors-for-leak-kinds=definite,indirect --error-exitcode=1 $(BUILD_DIR)/c_test
	@# Every fuzz target for a short while (the corpus is left as committed; a crash fails).
	FUZZ_UPDATE_CORPUS=0 bash scripts/fuzz.sh $(STRESS_FUZZ_SECONDS)

## Coverage-guided fuzzing with AFL++ on the stable toolchain (fuzz/README.md; cargo-afl is
## installed on first use): every fuzz target for FUZZ_SECONDS each, or only FUZZ_TARGETS
## ("identity identity_shapes options claim_match sandbox_http cli_files"). The minimized
## queues go back to fuzz/corpus/, crash inputs to fuzz/regressions/ (commit both); fails on
## a crash.
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?=
.PHONY: fuzz fuzz-replay
fuzz:
	bash scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

## The committed fuzz corpora and regressions through their targets, no AFL++ needed
## (`cargo test --workspace`, so `make test`, runs the same).
fuzz-replay:
	$(CARGO) test -p moneykit-fuzz --test replay

## Benchmarks (not tests): writes bench/RESULTS.md. See bench/README.md.
bench: build
	bash bench/run.sh

clean:
	$(CARGO) clean
	rm -rf $(BUILD_DIR)

# install, uninstall, test-install (pkg-config, CMake, static link): see packaging/.
include packaging/install.mk
