# framepred: the few targets a user or CI needs. Every target that builds or
# runs code depends on deps, so a fresh Debian 12 machine needs only `make X`.
SHELL := /bin/bash
GO    ?= go
BIN   := bin/framepred

# Debian 12 packages: FFmpeg 5.1 libraries and CLI (decode, encode, the
# cross-check tests), OpenBLAS (the default BLAS), a font for reel labels,
# and g++ for the stand-in CUDA libraries the GPU tests run against.
APT_PKGS := libavcodec-dev libavformat-dev libavutil-dev libswscale-dev \
	libavfilter-dev libavdevice-dev libswresample-dev pkg-config ffmpeg \
	libopenblas-dev fonts-dejavu-core g++

export CGO_ENABLED := 1

.PHONY: all deps build test bench fuzz lint demo browser-check gpu-check clean

all: build

# deps installs only what is missing, so it is quick when all is present.
deps:
	@command -v $(GO) >/dev/null || { echo "deps: Go 1.26 or newer is needed (https://go.dev/dl)"; exit 1; }
	@missing=""; for p in $(APT_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "deps: installing$$missing"; \
		sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	fi

build: deps
	$(GO) build -o $(BIN) ./cmd/framepred

# demo runs the two-futures experiment on the built-in data (about 10
# minutes on two cores) and writes its reel, tables and charts to out/demo.
demo: build
	./$(BIN) demo --out out/demo --force

# browser-check plays a reel in headless Chromium (installing Debian's
# chromium if missing); not part of CI.
browser-check: deps
	scripts/browser-check/run.sh

# gpu-check builds, into .gpu/bundle.tar.xz, the test binaries and tools that
# scripts/gpu/run.sh runs on a machine with an NVIDIA GPU (no Go, FFmpeg or
# network needed there): `bash scripts/gpu/run.sh` there, results in $OUT.
gpu-check: deps
	scripts/gpu/build.sh

test: deps
	$(GO) test -timeout 15m ./...

# bench measures framepred against reference tools on this machine, in
# interleaved runs with median ratios: the training step against PyTorch
# (Debian's python3-torch, installed here if missing; about 12 minutes),
# decoding and encoding against the ffmpeg command line. Run it on a quiet
# machine. The Go micro-benchmarks: go test -run '^$$' -bench . ./...
bench: deps
	@[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import torch' 2>/dev/null || { \
		sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends python3-torch >/dev/null; }
	bench/run.sh
	bench/decode/run.sh
	bench/encode/run.sh

FUZZTIME ?= 20s

# fuzz runs every Fuzz target for FUZZTIME each.
fuzz: deps
	@$(GO) test -list '^Fuzz' ./... | awk '/^Fuzz/{fs[n++]=$$1} /^ok/{for(i=0;i<n;i++)print $$2, fs[i]; n=0}' | \
	while read -r pkg fn; do echo "fuzz $$pkg $$fn"; \
		$(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s $$pkg || exit 1; done

lint: deps
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

clean:
	rm -rf bin
