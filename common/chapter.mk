# common/chapter.mk -- the rules every chapter shares. A chapter's chapter.mk sets its run
# options and calls this once:
#     NN-slug_RUN := <extra arguments of common/run, e.g. --pin>   (optional)
#     NN-slug_REPS, NN-slug_ALLOCATORS := <instead of REPS, ALLOCATORS>   (optional)
#     NN-slug_NO_FLOOR := 1        (optional: the floor allocator does not take part)
#     NN-slug_SUMMARY := <arguments of summarize, e.g. --by ...>    (optional)
#     NN-slug_AFTER_RUN := <a command run after each run, e.g. a profiling pass> (optional)
#     NN-slug_DEPS := <what the run and the after-run pass use beyond the program> (optional)
#     $(eval $(call chapter,NN-slug))
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
# The measurement of chapter $(1) into CSV $(2), then its optional after-run pass.
define run_chapter
$(RUN) --reps $(or $($(1)_REPS),$(REPS)) --allocators $(call sq,$(or $($(1)_ALLOCATORS),$(ALLOCATORS))) \
    $(if $($(1)_NO_FLOOR),,--floor) $($(1)_RUN) --prog build/$(1)/$(1) --out $(2)
$($(1)_AFTER_RUN)
endef

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

define chapter
build/$(1)/$(1): chapters/$(1)/$(1).c $(wildcard common/*.h)
	@mkdir -p $$(@D)
	$$(CC) $$(BENCH_CFLAGS) -o $$@ $$< $$(LDLIBS)

# Everything a chapter's run uses is a prerequisite of run-NN and of its CSV (a chapter
# adds its own tools to NN_DEPS): `make NN` works on a fresh clone, without `make build`.
run-$(1): build/$(1)/$(1) build/floor.so $$($(1)_DEPS)
	$$(call run_chapter,$(1),$$(DATA)/$(1)/$(1).csv)

$$(DATA)/$(1)/$(1).csv: | build/$(1)/$(1) build/floor.so $$($(1)_DEPS)
	$$(call run_chapter,$(1),$$@)

# (the run writes them beside its CSV: the environment, and the time series if it has one)
$$(DATA)/$(1)/env.txt $$(DATA)/$(1)/$(1).series.csv: $$(DATA)/$(1)/$(1).csv ;

$$(DATA)/$(1)/$(1).summary.csv: $$(DATA)/$(1)/$(1).csv build/summarize
	common/atomic $$@ build/summarize $$($(1)_SUMMARY) $$<

# The program's own table of its workloads' parameters (--describe), made at book time.
$$(OUT)/gen/$(1)/workloads.md: build/$(1)/$(1)
	@mkdir -p $$(@D)
	common/atomic $$@ $$< --describe $$(if $$(QUICK),--quick)

$(foreach g,$(wildcard chapters/$(1)/*.gp),$(eval $(call figure,$(1),$(basename $(notdir $(g))),$(call fig_data,$(g)))))

.PHONY: $(1) $(firstword $(subst -, ,$(1))) burn-$(1)
$(1) $(firstword $(subst -, ,$(1))): run-$(1)
	@$$(MAKE) --no-print-directory book $$(if $$(QUICK),BOOK_ONLY="$$(GOAL_CHAPTERS)")

burn-$(1):
	rm -rf $$(DATA)/$(1) $$(FIG)/$(1)

BINS += build/$(1)/$(1)
$(1)_BOOK += chapters/$(1)/$(1).md $$(call book_inputs,chapters/$(1)/$(1).md) \
    $$(patsubst chapters/$(1)/%.gp,$$(FIG)/$(1)/%.svg,$$(wildcard chapters/$(1)/*.gp))
endef

# The files a chapter's prose reads, from its src= and gen= attributes: under DATA, under
# $(OUT)/gen (made at book time), or a repository file quoted by a .region (or an absolute
# path). Attribute values are quoted, or hold no space and no '}'.
book_inputs = $(shell grep -oE '\b(src|gen)="?[^" }]+' $(1) | sort -u | \
    sed -E 's,^gen="?,$(OUT)/gen/,; s,^src="?((chapters|common)/|/),\1,; s,^src="?,$(DATA)/,')
