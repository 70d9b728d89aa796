# TEEU top-level Makefile: the two commands a new user runs, and the rest.
#
#   make demo        install missing Debian packages, build, run the demo
#   make test        install missing Debian packages, build, run all tests
#                    (once normally, once under ASan + UBSan)
#   make fuzz-smoke  build the libFuzzer targets with clang and run each briefly
#   make bench       run the benchmarks in bench/ (prints figures + baselines)
#   make format      clang-format the sources; make format-check to verify
#
# Build directories: build/ (release with debug info), build-asan/, build-fuzz/.

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 20
FUZZ_TARGETS := fuzz_object fuzz_policy fuzz_config fuzz_encoding fuzz_evidence fuzz_merkle fuzz_npy fuzz_task fuzz_csv fuzz_snp fuzz_dcap fuzz_csvreport fuzz_collateral
SOURCES = $(shell git ls-files '*.c' '*.h' 2>/dev/null || find src include tests bench -name '*.[ch]')

.PHONY: all deps build build-asan test test-release test-asan demo fuzz-smoke bench \
	format format-check clean

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

build-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DTEEU_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)

test-release: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

test-asan: build-asan
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j$(JOBS)

test: test-release test-asan
	@echo "make test: all tests passed (release and ASan+UBSan builds)"

demo: build
	@examples/secure_aggregation/demo.sh $(BUILD)

fuzz-smoke: deps
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DTEEU_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j$(JOBS) --target $(FUZZ_TARGETS)
	@set -e; for t in $(FUZZ_TARGETS); do \
		work=$$(mktemp -d); cp tests/fuzz/corpus/$$t/* $$work/; \
		echo "fuzz-smoke: $$t for $(FUZZ_SECONDS)s"; \
		$(FUZZ_BUILD)/tests/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			$$work 2>$(FUZZ_BUILD)/$$t.log || { tail -n 60 $(FUZZ_BUILD)/$$t.log; exit 1; }; \
		grep -E '^stat::number_of_executed_units|^#.*DONE' $(FUZZ_BUILD)/$$t.log | tail -n 2; \
		rm -rf $$work; \
	done
	@echo "make fuzz-smoke: no crash in $(FUZZ_TARGETS)"

bench: build
	$(BUILD)/bench_seal
	$(BUILD)/bench_attest
	$(BUILD)/bench_authmanager --daemon $(BUILD)/teeu-authmanager
	bench/secure_aggregation.sh $(BUILD)
	bench/sql_join.sh $(BUILD)

format:
	clang-format -i $(SOURCES)

format-check:
	clang-format --dry-run -Werror $(SOURCES)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
