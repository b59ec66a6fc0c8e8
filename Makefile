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

test: build unit sanitize fuzz conformance

bench: build
	./benchmarks/run-all $(BUILD)/minikube
	./benchmarks/runtime-bench $(BUILD)/minikube

clean:
	rm -rf $(BUILD) build-asan build-fuzz
