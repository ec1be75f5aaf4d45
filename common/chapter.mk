# common/chapter.mk -- the rules every chapter shares. A chapter's chapter.mk lists its
# tables and calls this once:
#     NN-slug_TABLES := name ...
#     NN-slug_TABLE_name := <arguments of `summarize table`>
#     NN-slug_RUN := <extra arguments of common/run, e.g. --pin>   (optional)
#     NN-slug_NO_FLOOR := 1        (optional: the floor allocator does not take part)
#     NN-slug_SUMMARY := <arguments of summarize, e.g. --by ...>    (optional)
#     NN-slug_AFTER_RUN := <a command run after each run, e.g. a profiling pass> (optional)
#     NN-slug_BOOK += <further generated files the chapter's prose includes>   (optional)
#     $(eval $(call chapter,NN-slug))
# Data flows one way: program -> CSV (+ env.txt) -> summary -> tables, figures -> book.
# A CSV is remade only by `make NN` / `make run` (or when missing): `make book` never
# starts a measurement.
# The measurement of chapter $(1) into CSV $(2), then its optional after-run pass.
define run_chapter
$(if $($(1)_NO_FLOOR),$(filter-out --floor,$(RUN)),$(RUN)) $($(1)_RUN) --prog build/$(1)/$(1) --out $(2)
$($(1)_AFTER_RUN)
endef

define chapter
build/$(1)/$(1): chapters/$(1)/$(1).c $(wildcard common/*.h)
	@mkdir -p $$(@D)
	$$(CC) $$(BENCH_CFLAGS) -o $$@ $$< $$(LDLIBS)

run-$(1): build/$(1)/$(1) build/floor.so
	$$(call run_chapter,$(1),$$(DATA)/$(1)/$(1).csv)

$$(DATA)/$(1)/$(1).csv: | build/$(1)/$(1) build/floor.so
	$$(call run_chapter,$(1),$$@)

$$(DATA)/$(1)/env.txt: $$(DATA)/$(1)/$(1).csv ;

$$(DATA)/$(1)/$(1).summary.csv: $$(DATA)/$(1)/$(1).csv build/summarize
	build/summarize $$($(1)_SUMMARY) $$< >$$@.tmp && mv $$@.tmp $$@

$$(DATA)/$(1)/%.table.md: $$(DATA)/$(1)/$(1).summary.csv build/summarize chapters/$(1)/chapter.mk
	build/summarize table $$< $$($(1)_TABLE_$$*) >$$@.tmp && mv $$@.tmp $$@

$$(FIG)/$(1)/%.svg: chapters/$(1)/%.gp $$(DATA)/$(1)/$(1).summary.csv common/lab.gp
	@mkdir -p $$(@D)
	gnuplot -e "data='$$(DATA)/$(1)'; out='$$@.tmp'" $$< && mv $$@.tmp $$@ || { rm -f $$@.tmp; exit 1; }

.PHONY: $(1) $(firstword $(subst -, ,$(1))) burn-$(1)
$(1) $(firstword $(subst -, ,$(1))): run-$(1)
	@$$(MAKE) --no-print-directory book

burn-$(1):
	rm -rf $$(DATA)/$(1) $$(FIG)/$(1)

BINS += build/$(1)/$(1)
$(1)_BOOK += chapters/$(1)/$(1).md $$(DATA)/$(1)/env.txt \
    $$(patsubst chapters/$(1)/%.gp,$$(FIG)/$(1)/%.svg,$$(wildcard chapters/$(1)/*.gp)) \
    $$(foreach t,$$($(1)_TABLES),$$(DATA)/$(1)/$$(t).table.md)
endef
