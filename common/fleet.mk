# common/fleet.mk -- heaplab across machines (the Makefile includes it after the chapters):
#
#   make fleet HOSTS="h1 alice@h2" CHAPTERS="01 02"
#       runs the chapters on each host over ssh (GNU parallel, one job per host) and lands
#       each host's results in $(DATA)/machines/HOST/, or HOST/FAILED saying why
#       (common/fleet --help). Each host's make gets QUICK, and REPS, ALLOCATORS and SEED
#       where given here; NOTE="..." is a line for the appendix, MAIN_ONLY=1 runs each
#       chapter's own run without its passes, SSH="ssh -F my_config" is the ssh command.
#   make slurm HOSTS="node1 node2" CHAPTERS="01 02"
#       the same for a Slurm cluster: writes $(OUT)/slurm/heaplab.sbatch, an sbatch --array
#       script, one task per (node, chapter); `bash` it to submit, then make merge its return/
#   make bundle [NAME=alice] [NOTE="..."] [CHAPTERS="01 02"]
#       this machine's results in one file, $(OUT)/heaplab-NAME.tar.gz (chapters without
#       data run first; make QUICK=1 bundle packs build/quick/data)
#   make merge FROM=heaplab-alice.tar.gz     (or a directory of machines)
#       into $(DATA)/machines/, all checked first (common/merge --help)
# and the book's appendix "Across machines", made when $(DATA)/machines/ holds two or more
# machines with data (not in a QUICK book of chosen chapters): common/appendix writes its
# markdown, summarize its rankings and every statistic, and the book's own filter checks
# the chapters' claims on each machine's data. A chapter's settings for it, in its
# chapter.mk:
#   NN-slug_MACHINE_TABLES := ID...      its tables #tbl:ID, drawn again from each machine
#   NN-slug_MACHINE_FIGURES := NAME...   its figures NAME.gp, drawn again from each machine

# CHAPTERS on the command line chooses the chapters of fleet, slurm and bundle ("01 02" or
# "01-micro"). It would also replace the Makefile's list of every chapter, which `run`,
# `burn` and the book read: so it is kept as CHOSEN and the list is made again.
ifeq ($(origin CHAPTERS),command line)
CHOSEN := $(CHAPTERS)
override CHAPTERS := $(sort $(patsubst chapters/%/chapter.mk,%,$(wildcard chapters/*/chapter.mk)))
endif
chapter_of = $(strip $(foreach c,$(CHAPTERS),$(if $(filter $(1),$(c) $(firstword $(subst -, ,$(c)))),$(c))))
$(foreach w,$(CHOSEN),$(if $(call chapter_of,$(w)),,$(error CHAPTERS: '$(w)' names no chapter: expected one of $(CHAPTERS) (or their numbers))))
CHOSEN_SLUGS := $(foreach w,$(CHOSEN),$(call chapter_of,$(w)))
$(if $(filter-out 0 1,$(MAIN_ONLY)),$(error MAIN_ONLY='$(MAIN_ONLY)' is not allowed: expected 1 (each chapter's own run, without its passes) or 0))
ifneq ($(filter bundle,$(MAKECMDGOALS)),)
$(if $(NAME),$(if $(shell case $(call sq,$(NAME)) in ([A-Za-z0-9]*) case $(call sq,$(NAME)) in (*[!A-Za-z0-9._-]*) ;; (*) echo ok;; esac;; esac),,\
    $(error NAME='$(NAME)' is not allowed: expected A-Z a-z 0-9 . _ - from a letter or digit)))
endif

# What each host's make gets: the settings given here (the host's defaults otherwise).
given = $(filter command line environment override,$(origin $(1)))
FLEET_OPTIONS := $(if $(QUICK),--quick) $(if $(call given,REPS),--reps $(call sq,$(REPS))) \
    $(if $(call given,ALLOCATORS),--allocators $(call sq,$(ALLOCATORS))) $(if $(call given,SEED),--seed $(call sq,$(SEED))) \
    $(if $(filter 1,$(MAIN_ONLY)),--main-only) $(if $(NOTE),--note $(call sq,$(NOTE)))
FLEET_ARGS := --hosts $(call sq,$(HOSTS)) --chapters $(call sq,$(CHOSEN)) $(FLEET_OPTIONS)
# (checked before anything runs: one line, exit 2)
ifneq ($(filter fleet slurm,$(MAKECMDGOALS)),)
FLEET_ERROR := $(shell common/fleet check $(FLEET_ARGS) 2>&1 >/dev/null)
$(if $(FLEET_ERROR),$(error $(FLEET_ERROR)))
endif

.PHONY: fleet slurm bundle merge $(addprefix run-main-,$(CHAPTERS))
# A chapter's own run without its passes (make fleet MAIN_ONLY=1, on each host).
$(foreach c,$(CHAPTERS),$(eval run-main-$(c): $(call chapter_uses,$(c)); $$(call run_main,$(c),$$(DATA)/$(c)/$(c).csv)))
$(foreach c,$(CHAPTERS),$(if $($(c)_FLOOR_MIB),$(eval run-main-$(c): LAB_FLOOR_MIB := $($(c)_FLOOR_MIB))))

# (the chapters' programs here check the data that comes back: common/merge)
fleet: $(foreach c,$(CHOSEN_SLUGS),build/$(c)/$(c))
	@common/fleet run $(FLEET_ARGS) --data $(DATA) $(if $(SSH),--ssh $(call sq,$(SSH)))

slurm:
	@common/fleet slurm $(FLEET_ARGS) --out $(OUT)/slurm

BUNDLE_CHAPTERS := $(or $(CHOSEN_SLUGS),$(CHAPTERS))
# (a chapter without its run here runs first, passes and all; the passes a run lacks are
# not run: a bundle holds what there is)
bundle: $(foreach c,$(BUNDLE_CHAPTERS),build/$(c)/$(c) $(DATA)/$(c)/$(c).csv)
	@common/bundle --size $(if $(QUICK),quick,full) --data $(DATA) --chapters '$(BUNDLE_CHAPTERS)' --out $(OUT) \
	    $(if $(NAME),--name $(call sq,$(NAME))) $(if $(NOTE),--note $(call sq,$(NOTE)))

merge: $(foreach c,$(CHAPTERS),build/$(c)/$(c))
	$(if $(strip $(FROM)),,$(error FROM is empty: expected make merge FROM=heaplab-NAME.tar.gz (from make bundle), or a directory of machines))
	@common/merge --data $(DATA) $(call sq,$(FROM))

# ---------------------------------------------------------------- the appendix

MACHINES_DIR := $(DATA)/machines
machines_of = $(patsubst $(MACHINES_DIR)/%/$(1)/$(1).csv,%,$(wildcard $(MACHINES_DIR)/*/$(1)/$(1).csv))
MACHINES := $(sort $(foreach c,$(CHAPTERS),$(call machines_of,$(c))))
MACHINE_CHAPTERS := $(foreach c,$(CHAPTERS),$(if $(word 2,$(call machines_of,$(c))),$(c)))
BOOK_APPENDICES := $(if $(and $(word 2,$(MACHINES)),$(if $(BOOK_ONLY),,1)),$(OUT)/gen/machines/appendix.md)
# The machines and their chapters, in a file that changes when they do: the appendix (and
# the book) is remade when a machine comes or goes.
MACHINES_LIST := $(OUT)/gen/machines.list
$(if $(or $(MACHINES),$(wildcard $(MACHINES_LIST))),$(shell mkdir -p '$(OUT)/gen' && \
    { [ "$$(cat '$(MACHINES_LIST)' 2>/dev/null)" = '$(MACHINES) / $(MACHINE_CHAPTERS)' ] || echo '$(MACHINES) / $(MACHINE_CHAPTERS)' >'$(MACHINES_LIST)'; }))

# Per chapter: each machine's summaries (the chapter's own settings; a pass's where the
# machine ran it), the rankings across machines (summarize machines), the environments
# and versions, and the claims on each machine (common/appendix).
define machines_chapter
$(OUT)/gen/machines/%/$(1)/$(1).summary.csv: $(MACHINES_DIR)/%/$(1)/$(1).csv build/summarize
	common/atomic $$@ build/summarize $$($(1)_SUMMARY) $$<
$(OUT)/gen/machines/$(1)/claims.md: common/appendix $(foreach m,$(call machines_of,$(1)),$(OUT)/gen/machines/$(m)/$(1)/claims.tsv)
	common/atomic $$@ common/appendix claims $(abspath $(OUT))/gen/machines $(1) $(call machines_of,$(1))
$(OUT)/gen/machines/$(1)/rankings.md: $(foreach m,$(call machines_of,$(1)),$(OUT)/gen/machines/$(m)/$(1)/$(1).summary.csv) build/summarize
	common/atomic $$@ build/summarize machines $(foreach m,$(call machines_of,$(1)),$(m)=$(OUT)/gen/machines/$(m)/$(1)/$(1).summary.csv)
$(OUT)/gen/machines/$(1)/env.md $(OUT)/gen/machines/$(1)/versions.md: $(OUT)/gen/machines/$(1)/%.md: common/appendix \
        $(foreach m,$(call machines_of,$(1)),$(MACHINES_DIR)/$(m)/$(1)/env.txt $(MACHINES_DIR)/$(m)/machine.txt)
	common/atomic $$@ common/appendix $$* $(MACHINES_DIR) $(1) $(call machines_of,$(1))
endef
# Chapter $(1)'s summary $(2) of a machine's pass, as chapter_summary makes the reference's.
machine_summary_src = $(or $($(1)_SUMMARY_FROM.$(2)),$(2))
define machine_summary
$(OUT)/gen/machines/%/$(1)/$(2).summary.csv: $(MACHINES_DIR)/%/$(1)/$(call machine_summary_src,$(1),$(2)).csv build/summarize
	common/atomic $$@ build/summarize $$(or $$($(1)_SUMMARY.$(2)),$$(summary_by)) $$<
endef
# Chapter $(1)'s claims on machine $(2)'s data: they read its summaries, those it has the
# run of, and its run CSVs (a claim whose data it lacks is not evaluated, not an error).
define machine_claims
$(OUT)/gen/machines/$(2)/$(1)/claims.tsv: chapters/$(1)/$(1).md common/appendix common/book/machine-claims.lua \
        common/book/lab.lua common/book/render build/summarize $(wildcard $(MACHINES_DIR)/$(2)/$(1)/*.csv) \
        $(foreach n,$(1) $($(1)_SUMMARIES),$(if $(wildcard $(MACHINES_DIR)/$(2)/$(1)/$(call machine_summary_src,$(1),$(n)).csv),$(OUT)/gen/machines/$(2)/$(1)/$(n).summary.csv))
	common/atomic $$@ common/appendix evaluate $(MACHINES_DIR) $(abspath $(OUT))/gen/machines $(1) $(2)
endef
$(foreach c,$(MACHINE_CHAPTERS),$(eval $(call machines_chapter,$(c))) \
    $(foreach n,$($(c)_SUMMARIES),$(eval $(call machine_summary,$(c),$(n)))) \
    $(foreach m,$(call machines_of,$(c)),$(eval $(call machine_claims,$(c),$(m)))))

# A chapter's figure $(2) drawn from one machine's data: its # data: lines read the
# machine's files (a summary made above, a run CSV as merged), and gnuplot's data
# directory is the machine's, where common/lab.gp finds the chapter's summary.
machine_csv = $(if $(filter %.summary.csv,$(3)),$(OUT)/gen/machines/$(1)/$(2)/$(3),$(MACHINES_DIR)/$(1)/$(2)/$(3))
machine_fig_cmd = true $(foreach w,$(3),$(if $(filter ;,$(w)),&& build/summarize,$(call sq,$(if $(filter %.csv,$(w)),$(call machine_csv,$(1),$(2),$(w)),$(w)))))
define machines_figure
$(OUT)/gen/machines/%/$(1)/$(2).plot.csv: chapters/$(1)/$(2).gp build/summarize $(foreach w,$(filter %.csv,$($(1)_$(2)_FIGDATA)),$(call machine_csv,%,$(1),$(w)))
	common/atomic $$@ bash -c $$(call sq,$$(call machine_fig_cmd,$$*,$(1),$$($(1)_$(2)_FIGDATA)))
$(FIG)/machines/%/$(1)/$(2).svg: chapters/$(1)/$(2).gp $(OUT)/gen/machines/%/$(1)/$(2).plot.csv $(OUT)/gen/machines/%/$(1)/$(1).summary.csv \
        common/lab.gp $(wildcard chapters/$(1)/*.gpi)
	@mkdir -p $$(@D)
	common/atomic $$@ sh -c 'exec gnuplot -e "data='\''$$$$1'\''; figdata='\''$$$$2'\''; out='\''$$$$LAB_OUT'\''" "$$$$3"' - \
	    '$(OUT)/gen/machines/$$*/$(1)' '$(OUT)/gen/machines/$$*/$(1)/$(2).plot.csv' $$<
endef
$(foreach c,$(MACHINE_CHAPTERS),$(foreach f,$($(c)_MACHINE_FIGURES),$(eval $(call machines_figure,$(c),$(f)))))

$(OUT)/gen/machines/appendix.md: $(MACHINES_LIST) common/appendix $(wildcard $(MACHINES_DIR)/*/machine.txt $(MACHINES_DIR)/*/FAILED) \
        $(foreach c,$(MACHINE_CHAPTERS),chapters/$(c)/$(c).md $(foreach f,$($(c)_MACHINE_FIGURES),chapters/$(c)/$(f).gp))
	common/atomic $@ common/appendix book $(MACHINES_DIR) $(abspath $(OUT))/gen/machines \
	    $(foreach c,$(MACHINE_CHAPTERS),--chapter $(c) --tables '$($(c)_MACHINE_TABLES)' --figures '$($(c)_MACHINE_FIGURES)')

# (the render wants the figure directory, even where no chapter drew a figure)
$(FIG)/machines:
	@mkdir -p $@

# The book renders the appendix after the chapters (the Makefile's render line names
# BOOK_APPENDICES), and depends on all it reads.
$(OUT)/book.html: $(wildcard $(MACHINES_LIST)) $(if $(BOOK_APPENDICES),$(BOOK_APPENDICES) \
    $(foreach c,$(MACHINE_CHAPTERS),$(foreach t,env versions rankings claims,$(OUT)/gen/machines/$(c)/$(t).md) \
        $(foreach m,$(call machines_of,$(c)),$(OUT)/gen/machines/$(m)/$(c)/$(c).summary.csv \
            $(foreach f,$($(c)_MACHINE_FIGURES),$(FIG)/machines/$(m)/$(c)/$(f).svg)))) \
    | $(if $(BOOK_APPENDICES),$(FIG)/machines)
