# common/chapter.mk -- the rules every chapter shares. A chapter's chapter.mk declares its
# run and calls this once; every setting is optional:
#     NN-slug_RUN := <extra arguments of common/run for the chapter's run, e.g. --pin>
#     NN-slug_REPS, NN-slug_ALLOCATORS := <instead of REPS, ALLOCATORS>
#     NN-slug_NO_FLOOR := 1        (the floor allocator does not take part)
#     NN-slug_FLOOR_MIB := <the floor's region for the run and its passes, instead of LAB_FLOOR_MIB>
#     NN-slug_SUMMARY := <arguments of summarize for NN-slug.summary.csv, e.g. --by ...>
#     NN-slug_PASSES := NAME...    (extra passes, in this order, after the chapter's run)
#     NN-slug_PASS.NAME := <arguments of common/run: the pass writes $(DATA)/NN-slug/NAME.csv>
#     NN-slug_FULL_PASSES := NAME... (passes run in full in QUICK too: without --quick)
#     NN-slug_SUMMARIES := NAME... (more summaries: $(DATA)/NN-slug/NAME.summary.csv from
#         NAME.csv, e.g. a pass's, by `summarize $(NN-slug_SUMMARY.NAME)`, by default
#         `--by allocator,workload`; from OTHER.csv instead with NN-slug_SUMMARY_FROM.NAME := OTHER)
#     NN-slug_GEN := NAME...       (tables made at book time: $(OUT)/gen/NN-slug/NAME.md is the
#         output of the command NN-slug_GEN.NAME; its prerequisites are the command's words
#         under build/, chapters/ or $(DATA)/, and NN-slug_GEN_DEPS.NAME)
#     NN-slug_TOOLS := <the chapter's other programs, built into build/NN-slug/: NAME from
#         chapters/NN-slug/NAME.c, NAME.so (a library to preload) from NAME.c, LINK=NAME a
#         symbolic link (one program under another name, e.g. for common/run's rows)>
#     NN-slug_TEST_TOOLS := <tools also built under the sanitizers into build/asan/NN-slug/,
#         for make test: programs with ASan and UBSan, a .so with UBSan only (a preloaded
#         library must not bring a malloc of its own into the traced program)>
#     NN-slug_INPUTS := <files decompressed from data/FILE.xz into build/NN-slug/FILE>
#     NN-slug_DEPS := <anything else the run and its passes use>
#     NN-slug_MACHINE_TABLES, NN-slug_MACHINE_FIGURES := <tables (#tbl:ID) and figures (NAME.gp)
#         the appendix "Across machines" draws again from each machine's run: common/fleet.mk>
#     $(eval $(call chapter,NN-slug))
# Each chapters/NN-slug/NAME_fuzz.c is a libFuzzer target, build/NN-slug/NAME_fuzz (clang).
# Data flows one way: program -> CSV (+ env.txt) -> summary -> figures -> book. The book's
# tables are declared in the chapter's prose, each beside its caption, and made when the
# book renders (common/book/lab.lua): a statistics table by `summarize table` from a
# summary or a run CSV (::: {.table src=... metric=...}), any other table by a rule here
# into $(OUT)/gen/NN-slug/ (::: {.include gen=...}). Nothing between the data and the
# book is committed. The book depends on every file its prose names (book_inputs).
#
# Temporary files (every rule and script, figures too): a file is written first in its
# target's directory under .tmp/PID/ (one directory per process; same filesystem, so the
# final rename is atomic), and renamed over the target only when complete. The writer
# removes its .tmp/PID on exit, failure or signal included; after a kill -9 the next writer
# into that directory sweeps every .tmp/PID whose process is gone. Scripts use lab_tmpdir
# (common/lab.sh); a recipe writes through `common/atomic $@ CMD ARGS...` (CMD writes to
# stdout, or to the file $LAB_OUT names, e.g. gnuplot's out=).
# A CSV is remade only by `make NN` / `make run` (or when missing): `make book` never
# starts a measurement.
# The measurement of chapter $(1) into CSV $(2) (run_main), then its passes.
run_main = $(RUN) --reps $(or $($(1)_REPS),$(REPS)) --allocators $(call sq,$(or $($(1)_ALLOCATORS),$(ALLOCATORS))) \
    $(if $($(1)_NO_FLOOR),,--floor) $($(1)_RUN) --prog build/$(1)/$(1) --out $(2)
define run_chapter
$(call run_main,$(1),$(2))
$(foreach p,$($(1)_PASSES),$(call run_pass,$(1),$(p))
)
endef
run_pass = $(if $(filter $(2),$($(1)_FULL_PASSES)),$(filter-out --quick,$(RUN)),$(RUN)) $($(1)_PASS.$(2)) --out $(DATA)/$(1)/$(2).csv

# A chapter's or common/trace's tools: rules for one tool $(3) from the sources in directory
# $(1), built into directory $(2) with the extra flags $(4) (programs) or $(5) (libraries).
tool_kind = $(if $(findstring =,$(1)),link,$(if $(filter %.so,$(1)),library,program))
define tool_program
$(2)/$(3): $(1)/$(3).c $(wildcard $(1)/*.h common/*.h)
	@mkdir -p $$(@D)
	$$(CC) $$(BENCH_CFLAGS) $(4) -o $$@ $$< $$(LDLIBS)
endef
define tool_library
$(2)/$(3): $(1)/$(basename $(3)).c $(wildcard $(1)/*.h common/*.h)
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $(5) -fPIC -shared -o $$@ $$< -ldl
endef
define tool_link
$(2)/$(word 1,$(subst =, ,$(3))): $(2)/$(word 2,$(subst =, ,$(3)))
	ln -sf $(word 2,$(subst =, ,$(3))) $$@
endef
tool_rules = $(foreach t,$(3),$(eval $(call tool_$(call tool_kind,$(t)),$(1),$(2),$(t),$(4),$(5))))
tool_files = $(foreach t,$(2),$(1)/$(firstword $(subst =, ,$(t))))

# A figure: gnuplot draws $(FIG)/NN-slug/FIG.svg by chapters/NN-slug/FIG.gp from the data its
# header declares, one line each:
#     # data: select FILE.csv --where ... --blocks ...      (arguments of build/summarize)
# where a word ending in .csv is a file in the chapter's data directory. The lines' outputs,
# one after another, are $(OUT)/gen/NN-slug/FIG.plot.csv: the script's `figdata`, whose data sets
# it reads by name and its columns by name (common/lab.gp). The figure depends on its
# script, every file it reads (those, the chapter's summary, which common/lab.gp reads for
# the list of allocators), common/lab.gp and the chapter's *.gpi.
fig_data = $(shell sed -n 's/^# data: \(.*\)/; \1/p' $(1))
fig_cmd = true $(foreach w,$(1),$(if $(filter ;,$(w)),&& build/summarize,$(call sq,$(if $(filter %.csv,$(w)),$(DATA)/$(2)/$(w),$(w)))))
define figure
$(1)_$(2)_FIGDATA := $(3)
$$(OUT)/gen/$(1)/$(2).plot.csv: chapters/$(1)/$(2).gp build/summarize $(addprefix $$(DATA)/$(1)/,$(filter %.csv,$(3)))
	common/atomic $$@ bash -c $$(call sq,$$(call fig_cmd,$$($(1)_$(2)_FIGDATA),$(1)))
$$(FIG)/$(1)/$(2).svg: chapters/$(1)/$(2).gp $$(OUT)/gen/$(1)/$(2).plot.csv $$(DATA)/$(1)/$(1).summary.csv \
        common/lab.gp $(wildcard chapters/$(1)/*.gpi)
	@mkdir -p $$(@D)
	common/atomic $$@ sh -c 'exec gnuplot -e "data='\''$$$$1'\''; figdata='\''$$$$2'\''; out='\''$$$$LAB_OUT'\''" "$$$$3"' - \
	    '$$(DATA)/$(1)' '$$(OUT)/gen/$(1)/$(2).plot.csv' $$<
endef

# What a chapter's run and its passes use.
chapter_uses = build/$(1)/$(1) $(call tool_files,build/$(1),$($(1)_TOOLS)) \
    $(addprefix build/$(1)/,$($(1)_INPUTS)) build/floor.so $($(1)_DEPS)
define chapter_inputs
$(addprefix build/$(1)/,$($(1)_INPUTS)): build/$(1)/%: data/%.xz
	@mkdir -p $$(@D)
	common/atomic $$@ xz -dc $$<
endef
# A libFuzzer target: build/$(2)/NAME_fuzz from $(1)/NAME_fuzz.c.
define fuzz_rule
build/$(2)/%_fuzz: $(1)/%_fuzz.c $(wildcard $(1)/*.h)
	@mkdir -p $$(@D)
	clang -g -O1 -fsanitize=fuzzer,address,undefined -o $$@ $$<
endef
# A pass's CSV is made by the chapter's run; this rule only when it is missing (e.g. a pass
# added since, or a fresh QUICK dir).
define chapter_passes
$(foreach p,$($(1)_PASSES),$$(DATA)/$(1)/$(p).csv): $$(DATA)/$(1)/%.csv: | $(call chapter_uses,$(1))
	$$(call run_pass,$(1),$$*)
endef
# Another summary $(2) of chapter $(1) (chapter_summary), and a table $(2) made at book time (chapter_gen).
summary_by := --by allocator,workload
define chapter_summary
$$(DATA)/$(1)/$(2).summary.csv: $$(DATA)/$(1)/$(or $($(1)_SUMMARY_FROM.$(2)),$(2)).csv build/summarize
	common/atomic $$@ build/summarize $$(or $$($(1)_SUMMARY.$(2)),$$(summary_by)) $$<
endef
gen_deps = $(filter build/% chapters/% $(DATA)/%,$(1)) $(2)
define chapter_gen
$$(OUT)/gen/$(1)/$(2).md: $(call gen_deps,$($(1)_GEN.$(2)),$($(1)_GEN_DEPS.$(2)))
	@mkdir -p $$(@D)
	common/atomic $$@ $$($(1)_GEN.$(2))
endef
define chapter_floor
run-$(1) $$(DATA)/$(1)/$(1).csv $(foreach p,$($(1)_PASSES),$$(DATA)/$(1)/$(p).csv): LAB_FLOOR_MIB := $($(1)_FLOOR_MIB)
endef

define chapter
$(call tool_rules,chapters/$(1),build/$(1),$(1) $($(1)_TOOLS))
$(call tool_rules,chapters/$(1),build/asan/$(1),$($(1)_TEST_TOOLS),$$(SANITIZE),$$(SANITIZE_LIBRARY))
$(if $($(1)_INPUTS),$(eval $(call chapter_inputs,$(1))))
$(if $(wildcard chapters/$(1)/*_fuzz.c),$(eval $(call fuzz_rule,chapters/$(1),$(1))))

# Everything a chapter's run and its passes use is a prerequisite of run-NN, of its CSV and
# of its passes' CSVs: `make NN` works on a fresh clone, without `make build`.
run-$(1): $(call chapter_uses,$(1))
	$$(call run_chapter,$(1),$$(DATA)/$(1)/$(1).csv)

$$(DATA)/$(1)/$(1).csv: | $(call chapter_uses,$(1))
	$$(call run_chapter,$(1),$$@)

$(if $($(1)_PASSES),$(eval $(call chapter_passes,$(1))))
$(if $($(1)_FLOOR_MIB),$(eval $(call chapter_floor,$(1))))

# (the run writes them beside its CSV: the environment, and the time series if it has one)
$$(DATA)/$(1)/env.txt $$(DATA)/$(1)/$(1).series.csv: $$(DATA)/$(1)/$(1).csv ;

$$(DATA)/$(1)/$(1).summary.csv: $$(DATA)/$(1)/$(1).csv build/summarize
	common/atomic $$@ build/summarize $$($(1)_SUMMARY) $$<

$(foreach n,$($(1)_SUMMARIES),$(eval $(call chapter_summary,$(1),$(n))))
$(foreach n,$($(1)_GEN),$(eval $(call chapter_gen,$(1),$(n))))

# The program's own table of its workloads' parameters (--describe), made at book time.
$$(OUT)/gen/$(1)/workloads.md: build/$(1)/$(1)
	@mkdir -p $$(@D)
	common/atomic $$@ $$< $$(if $$(QUICK),--quick) --describe

$(foreach g,$(wildcard chapters/$(1)/*.gp),$(eval $(call figure,$(1),$(basename $(notdir $(g))),$(call fig_data,$(g)))))

.PHONY: $(1) $(firstword $(subst -, ,$(1))) burn-$(1)
$(1) $(firstword $(subst -, ,$(1))): run-$(1)
	@$$(MAKE) --no-print-directory book $$(if $$(QUICK),BOOK_ONLY="$$(GOAL_CHAPTERS)")

burn-$(1):
	rm -rf $$(DATA)/$(1) $$(FIG)/$(1)

BINS += build/$(1)/$(1) $(call tool_files,build/$(1),$($(1)_TOOLS))
TEST_BINS += $(call tool_files,build/asan/$(1),$($(1)_TEST_TOOLS))
$(1)_BOOK += chapters/$(1)/$(1).md $$(call book_inputs,chapters/$(1)/$(1).md) \
    $$(patsubst chapters/$(1)/%.gp,$$(FIG)/$(1)/%.svg,$$(wildcard chapters/$(1)/*.gp))
endef

# The files a chapter's prose reads, from its src= and gen= attributes: under DATA, under
# $(OUT)/gen (made at book time), a repository file quoted by a .region, the committed
# reference data (data/...: another chapter's reference run), or an absolute path. Attribute values are quoted, or hold no space and no '}'.
# (Not an exercise's run, src="ex/...": it is read by the answer key only, common/exercise.)
book_inputs = $(shell grep -oE '\b(src|gen)="?[^" }]+' $(1) | grep -vE '^src="?ex/' | sort -u | \
    sed -E 's,^gen="?,$(OUT)/gen/,; s,^src="?((chapters|common|data)/|/),\1,; s,^src="?,$(DATA)/,')
