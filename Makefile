# heaplab -- the one entry point.
#
#   make                 the whole notebook: deps, build, run every chapter, summaries, figures, book
#   make test            unit tests, every chapter at QUICK size into a temporary dir, book check
#   make book            figures and book from the data already in data/ (seconds)
#   make 01              rerun chapter 01 end to end (also: make 01-micro), then the book
#   make QUICK=1 ...     small sizes, 2 repetitions; everything goes under build/quick/
#   make ALLOCATORS="glibc mimalloc" REPS=3 ...   a subset, fewer repetitions
#   make bench           the notebook's own speed figures: QUICK times, harness and timer cost, CV
#   make deps            install missing Debian packages (as root) or print the command
#   make clean           remove build/;   make burn / burn-01-micro: remove data and figures
SHELL := /bin/bash
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:

QUICK ?=
REPS ?= $(if $(QUICK),2,5)
SEED ?= 42
ALLOCATORS ?= glibc jemalloc tcmalloc mimalloc tbbmalloc
OUT ?= $(if $(QUICK),build/quick,build)
DATA ?= $(if $(QUICK),$(OUT)/data,data)
FIG ?= $(if $(QUICK),$(OUT)/figures,figures)

CC := gcc
CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -pthread
# Compilers delete a malloc whose result is unused: benchmarks must call the real thing.
BENCH_CFLAGS := $(CFLAGS) -fno-builtin-malloc -fno-builtin-calloc -fno-builtin-realloc -fno-builtin-free
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDLIBS := -lm

export LAB_CFLAGS := $(BENCH_CFLAGS)
export LAB_FLOOR_MIB := $(if $(QUICK),128,512)
export LAB_COMMAND := make $(MAKECMDGOALS) QUICK=$(QUICK) REPS=$(REPS) ALLOCATORS="$(ALLOCATORS)"
RUN = common/run --reps $(REPS) --seed $(SEED) --allocators "$(ALLOCATORS)" --floor $(if $(QUICK),--quick)

CHAPTERS := $(sort $(patsubst chapters/%/chapter.mk,%,$(wildcard chapters/*/chapter.mk)))
BINS :=
include common/chapter.mk
include $(wildcard chapters/*/chapter.mk)

.PHONY: all deps build run book test bench clean burn $(addprefix run-,$(CHAPTERS))
all: deps
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory run
	@$(MAKE) --no-print-directory book

deps:
	@common/deps

build: $(BINS) build/floor.so build/summarize

# Measurements run one after another, whatever -j says.
run:
	@for c in $(CHAPTERS); do $(MAKE) --no-print-directory run-$$c || exit; done

build/floor.so: common/floor.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -fPIC -shared -o $@ $<

build/summarize: common/summarize.c common/lab.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LDLIBS)

build/asan/%: common/%.c common/lab.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANITIZE) -o $@ $< $(LDLIBS)

build/tests/lab_test: tests/lab_test.c common/lab.h
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $< $(LDLIBS)

build/asan/lab_test: tests/lab_test.c common/lab.h
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $(SANITIZE) -o $@ $< $(LDLIBS)

# The reference book holds every chapter. A QUICK book holds the chapters that have QUICK
# data, so that `make 03 QUICK=1` does not have to run chapters 1 and 2 first.
BOOK_CHAPTERS := $(if $(QUICK),$(foreach c,$(CHAPTERS),$(if $(wildcard $(DATA)/$(c)/$(c).csv),$(c))),$(CHAPTERS))
book: $(OUT)/book.html
$(OUT)/book.html: book.md $(foreach c,$(BOOK_CHAPTERS),$($(c)_BOOK)) $(wildcard common/book/*)
	common/book/render $@ $(DATA) $(FIG) book.md $(foreach c,$(BOOK_CHAPTERS),chapters/$(c)/$(c).md)
	@echo "book: $@"

test: deps
	@$(MAKE) --no-print-directory build build/tests/lab_test build/asan/lab_test build/asan/summarize $(TEST_BINS)
	prove -f tests/*.t

bench: build
	@common/bench

clean:
	rm -rf build

burn: $(addprefix burn-,$(CHAPTERS))
