# heaplab -- the one entry point.
#
#   make                 the whole notebook: deps, build, run every chapter, summaries, figures, book
#   make test            unit tests, every chapter at QUICK size into a temporary dir, book check
#   make book            figures and book (HTML, and PDF at full size) from the data in data/ (seconds)
#   make 01              rerun chapter 01 end to end (also: make 01-micro), then the book
#   make QUICK=1 ...     small sizes, 2 repetitions; everything goes under build/quick/
#   make ALLOCATORS="glibc mimalloc" REPS=3 ...   a subset, fewer repetitions
#   make compare CMD="./myapp args" NAME=myapp   which allocator for your program, and why
#   make bench           the notebook's own speed figures: QUICK times, harness and timer cost, CV
#   make ex-01-2         run exercise 2 of chapter 1 (QUICK, beside its baseline): its verdict
#   make answers         the teacher's answer key, build/answers.html, from the exercises' runs
#   make deps            install missing Debian packages (as root) or print the command
#   make clean           remove build/;   make burn / burn-01-micro: remove data and figures
SHELL := /bin/bash
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:

# Every setting is checked here, before any recipe runs: one line naming the bad value.
# QUICK=1 is QUICK; QUICK= and QUICK=0 are full size; anything else is an error.
QUICK ?=
override QUICK := $(strip $(QUICK))
ifneq ($(filter-out 0 1,$(QUICK))$(word 2,$(QUICK)),)
$(error QUICK='$(QUICK)' is not allowed: expected QUICK=1 (small sizes), or QUICK=0 or QUICK= (full size))
endif
override QUICK := $(filter 1,$(QUICK))
REPS ?= $(if $(QUICK),2,5)
SEED ?= 42
ALLOCATORS ?= glibc jemalloc tcmalloc mimalloc tbbmalloc
OUT ?= $(if $(QUICK),build/quick,build)
DATA ?= $(if $(QUICK),$(OUT)/data,data)
FIG ?= $(if $(QUICK),$(OUT)/figures,figures)
nondigits = $(subst 0,,$(subst 1,,$(subst 2,,$(subst 3,,$(subst 4,,$(subst 5,,$(subst 6,,$(subst 7,,$(subst 8,,$(subst 9,,$(1)))))))))))
uint_check = $(if $(and $(strip $(1)),$(if $(call nondigits,$(1)),,1)),,$(error $(2)='$(1)' is not allowed: expected $(3)))
$(call uint_check,$(REPS),REPS,an integer from 1 to 1000)
$(call uint_check,$(SEED),SEED,an integer from 0 to 4294967295)
# sq: one shell word, quoted: make settings reach the shell only through it (no injection).
sq = '$(subst ','\'',$(1))'
# Paths are targets and reach recipes unquoted: only characters that mean nothing to make
# or the shell.
$(foreach v,OUT DATA FIG,$(if $(or $(word 2,$($(v))),$(shell case $(call sq,$($(v))) in (''|*[!A-Za-z0-9_./+@-]*) echo bad;; esac)),\
    $(error $(v)='$($(v))' is not allowed: expected a path of letters, digits and _ . / + @ - (make cannot handle spaces in paths))))
$(if $(strip $(ALLOCATORS)),,$(error ALLOCATORS is empty: expected one or more of $(shell common/allocators list)))
ALLOCATORS_ERROR := $(shell common/allocators check $(call sq,$(ALLOCATORS)) 2>&1 >/dev/null)
$(if $(ALLOCATORS_ERROR),$(error ALLOCATORS: $(ALLOCATORS_ERROR)))

CC := gcc
CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -pthread
# Compilers delete a malloc whose result is unused: benchmarks must call the real thing.
BENCH_CFLAGS := $(CFLAGS) -fno-builtin-malloc -fno-builtin-calloc -fno-builtin-realloc -fno-builtin-free
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# (a library preloaded into another program: UBSan only, ASan would bring its own malloc)
SANITIZE_LIBRARY := -fsanitize=undefined -fno-sanitize-recover=all
LDLIBS := -lm

export LAB_CFLAGS := $(BENCH_CFLAGS)
export LAB_FLOOR_MIB := $(if $(QUICK),128,512)
export LAB_COMMAND := make $(MAKECMDGOALS) QUICK=$(QUICK) REPS=$(REPS) ALLOCATORS="$(ALLOCATORS)"
# (each use adds --reps and --allocators, and --floor where the floor takes part: an option
# given twice is an error)
RUN = common/run --seed $(SEED) $(if $(QUICK),--quick)

CHAPTERS := $(sort $(patsubst chapters/%/chapter.mk,%,$(wildcard chapters/*/chapter.mk)))
BINS :=
include common/chapter.mk

# The trace tools (common/trace/): the recorder heaptrace.so; trace (record, info, dump,
# loop); replay and realrun, the same program under other names, which speak common/run's
# protocol. Chapter 4 and common/compare use them; make test builds them again
# under the sanitizers (tests/trace-asan.t), and build/trace/trace_fuzz with clang.
TRACE_TOOLS := heaptrace.so trace replay=trace realrun=trace
$(call tool_rules,common/trace,build/trace,$(TRACE_TOOLS))
$(call tool_rules,common/trace,build/asan/trace,heaptrace.so trace replay=trace realrun=trace,$(SANITIZE),$(SANITIZE_LIBRARY))
$(eval $(call fuzz_rule,common/trace,trace))
TRACE_BINS := $(call tool_files,build/trace,$(TRACE_TOOLS))
BINS += $(TRACE_BINS)
TEST_BINS += $(call tool_files,build/asan/trace,heaptrace.so trace replay=trace realrun=trace)

include $(wildcard chapters/*/chapter.mk)
include common/fleet.mk

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

build/tests/lab_test: tests/lab_test.c common/lab.h common/allocstats.h
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $< $(LDLIBS)

build/asan/lab_test: tests/lab_test.c common/lab.h common/allocstats.h
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $(SANITIZE) -o $@ $< $(LDLIBS)

# The reference book holds every chapter. A QUICK book holds the chapters that have QUICK
# data, and `make 03 QUICK=1` only those named on its command line (BOOK_ONLY): it neither
# needs chapters 1 and 2 to have run, nor fails for another chapter's stale QUICK data.
GOAL_CHAPTERS := $(strip $(foreach c,$(CHAPTERS),$(if $(filter $(c) $(firstword $(subst -, ,$(c))),$(MAKECMDGOALS)),$(c))))
BOOK_CHAPTERS := $(if $(QUICK),$(foreach c,$(or $(filter $(CHAPTERS),$(BOOK_ONLY)),$(CHAPTERS)),$(if $(wildcard $(DATA)/$(c)/$(c).csv),$(c))),$(CHAPTERS))
# The PDF (headless Chromium, common/book/browser) is made with the full-size book; a QUICK
# book, and any with PDF=, is HTML only: its PDF would add seconds to every chapter's test.
PDF ?= $(if $(QUICK),,1)
book: $(OUT)/book.html $(if $(PDF),$(OUT)/book.pdf)
# The list of chapters is a prerequisite too: a book of other chapters is out of date.
BOOK_LIST := $(OUT)/book.chapters
$(shell mkdir -p '$(OUT)' && { [ "$$(cat '$(BOOK_LIST)' 2>/dev/null)" = '$(BOOK_CHAPTERS)' ] || echo '$(BOOK_CHAPTERS)' >'$(BOOK_LIST)'; })
# (build/summarize makes the tables the prose declares, and formats every number)
$(OUT)/book.html: book.md $(BOOK_LIST) $(sort $(foreach c,$(BOOK_CHAPTERS),$($(c)_BOOK))) $(wildcard common/book/*) build/summarize
	common/book/render $@ $(DATA) $(FIG) book.md $(foreach c,$(BOOK_CHAPTERS),chapters/$(c)/$(c).md) $(BOOK_APPENDICES)
	@echo "book: $@"
# The same book on A4 paper: headless Chromium prints the HTML with its print stylesheet
# (common/book/print.css), page numbers in the table of contents; whole or not at all.
$(OUT)/book.pdf: $(OUT)/book.html common/book/browser
	common/atomic $@ common/book/browser pdf $<
	@echo "book: $@"

# Two tests at a time, the longest first, those that measure alternated with those that
# only build, render and check: measurements still take turns under the machine-wide lock,
# and a test asserts behaviour, never speed (CI stays within its 20 minutes on 2 cores).
TESTS := $(addprefix tests/,02-threads.t subsets.t 04-real-workloads.t browser.t exercises.t \
    fresh.t 01-micro.t claims.t run.t 05-internals.t book.t fleet.t 03-fragmentation.t compare.t)
TESTS += $(filter-out $(TESTS),$(sort $(wildcard tests/*.t)))
test: deps
	@$(MAKE) --no-print-directory build build/tests/lab_test build/asan/lab_test build/asan/summarize $(TEST_BINS)
	prove -f --timer -j2 $(TESTS)

# make compare CMD="./myapp --input big.json" NAME=myapp: which allocator for this program,
# and why (common/compare --help). CMD reaches the shell verbatim ($(value): a '$1' in it
# stays); REPS (default 5), ALLOCATORS, SEED, VALGRIND=0 (no instruction counts),
# VALGRIND_MAX (seconds: a longer real run is not counted).
VALGRIND ?= 1
VALGRIND_MAX ?= 2
.PHONY: compare
compare: $(TRACE_BINS) build/summarize
	$(if $(strip $(value CMD)),,$(error CMD is empty: expected the command to compare, e.g. make compare CMD="./myapp --input big.json" NAME=myapp))
	@common/compare $(if $(NAME),--name $(call sq,$(NAME))) --reps $(REPS) --allocators $(call sq,$(ALLOCATORS)) --seed $(SEED) \
	    --valgrind $(call sq,$(VALGRIND)) --valgrind-max $(call sq,$(VALGRIND_MAX)) --shell $(call sq,$(value CMD))

bench: build
	@common/bench

# A workshop's exercises (common/exercise --help): make ex-01-2 runs exercise 2 of chapter 1
# at QUICK size beside its baseline and says whether its expected outcome held; make answers
# writes the teacher's answer key, build/answers.html (running what is missing or stale).
# (a rule for the goals named ex-*, not a pattern: a pattern would also match files)
EX_GOALS := $(filter ex-%,$(MAKECMDGOALS))
# (a bad name stops make at once, in one line that lists the exercises, before any build)
$(if $(EX_GOALS),$(eval EX_ERROR := $(shell common/exercise check $(EX_GOALS) 2>&1 >/dev/null))$(if $(EX_ERROR),$(error $(EX_ERROR))))
.PHONY: answers $(EX_GOALS)
# (and what its chapter's run uses: chapter 4's decompressed traces)
$(foreach g,$(EX_GOALS),$(eval $(g): $(call chapter_uses,$(filter $(word 2,$(subst -, ,$(g)))-%,$(CHAPTERS)))))
$(EX_GOALS): build
	@common/exercise run --seed $(SEED) $@
answers: build
	@common/exercise answers --seed $(SEED)

clean:
	rm -rf build

burn: $(addprefix burn-,$(CHAPTERS))
