# Thin wrapper over CMake. `make run` and `make test` are the two commands a
# fresh Debian 12 machine needs (see README.md).
BUILD ?= build
DATA_DIR ?= $(CURDIR)/.minikube-data
JOBS ?= $(shell nproc)

.PHONY: deps build run test bench unit sanitize conformance fuzz clean

deps:
	@./scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/minikube server --data-dir $(DATA_DIR)

unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

sanitize: deps
	@CC=clang cmake -S . -B build-asan -DSANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS)

fuzz: deps
	@CC=clang cmake -S . -B build-fuzz -DFUZZ=ON -DSANITIZE=ON -DWERROR=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build build-fuzz -j $(JOBS)
	./scripts/run-fuzz build-fuzz

conformance: build
	./conformance/run-all $(BUILD)/minikube

# On a host that is not arm64, the unit tests also run for arm64 under
# qemu-user (test-arm64, scripts/test-cross: cross gcc, :arm64 -dev packages).
HOST_ARCH := $(shell dpkg --print-architecture 2>/dev/null)
TEST_CROSS := $(if $(filter arm64,$(HOST_ARCH)),,test-arm64)
test: build unit $(TEST_CROSS) sanitize fuzz conformance

# Benchmarks measure the release build users install (make dist): static
# except glibc, -O2. benchmarks/report runs every benchmark and writes
# benchmarks/results/HOST-ARCH-DATE.md; TINY=1 runs them all inside a cgroup of
# 1 CPU and 2 GB (a Wyse 3040) and writes HOST-ARCH-DATE-tiny.md.
BENCH_BUILD ?= build-bench
BENCH_TARGETS := minikube apibench runtime_overhead sched_bench netbench
TINY ?=
bench: deps
	@./scripts/install-cross-deps $$(dpkg --print-architecture) # the static libraries
	@cmake -S . -B $(BENCH_BUILD) -DSTATIC_RELEASE=ON -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BENCH_BUILD) -j $(JOBS) --target $(BENCH_TARGETS)
	TINY=$(TINY) ./benchmarks/report run $(BENCH_BUILD)/minikube

clean:
	rm -rf $(BUILD) build-asan build-fuzz build-bench

# ---- Cross builds and release (issue 7) -------------------------------------
#   make build ARCH=arm64|armhf   cross-compile into build-ARCH (Debian cross gcc,
#                                 :ARCH -dev packages, cmake/toolchain-ARCH.cmake)
#   make test-arm64               arm64 unit tests under qemu-user (scripts/test-cross;
#                                 part of `make test` on a host that is not arm64)
#   make dist                     static release binaries, SHA256SUMS, licence
#                                 notices and install.sh in build-dist/release
ARCH ?= $(HOST_ARCH)
CROSS_ARCHES ?= arm64 armhf
DIST_ARCHES ?= amd64 arm64 armhf
# Only a Debian architecture we have a toolchain file for turns cross-building
# on (an ARCH=x86_64 inherited from the environment must not).
ifneq ($(filter-out $(HOST_ARCH),$(filter arm64 armhf,$(ARCH))),)
BUILD := build-$(ARCH)
# CMake >= 3.21 reads the toolchain file from the environment for a new tree.
export CMAKE_TOOLCHAIN_FILE := $(CURDIR)/cmake/toolchain-$(ARCH).cmake
build: cross-deps
endif

.PHONY: cross-deps test-arm64 test-armhf dist clean-cross
cross-deps: deps
	@./scripts/install-cross-deps $(or $(filter-out $(HOST_ARCH),$(filter arm64 armhf,$(ARCH))),$(CROSS_ARCHES))

test-arm64: deps
	JOBS=$(JOBS) ./scripts/test-cross arm64

test-armhf: deps
	JOBS=$(JOBS) ./scripts/test-cross armhf

dist: deps
	./scripts/dist $(DIST_ARCHES)

clean: clean-cross
clean-cross:
	rm -rf build-arm64 build-armhf build-arm64-test build-armhf-test build-dist
# ---- end cross builds and release ---------------------------------------------
