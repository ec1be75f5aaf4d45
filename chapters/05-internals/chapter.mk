# Chapter 5: allocator internals. One process per (allocator, workload), one repetition: the
# probes are deterministic. The detail goes to 05-internals.series.csv (LAB_SERIES); the
# strace pass (chapters/05-internals/trace) runs after the measurement, under the lock.
05-internals_NO_FLOOR := 1
05-internals_REPS := 1
05-internals_SUMMARY := --by allocator,workload
05-internals_AFTER_RUN := chapters/05-internals/trace build/05-internals/05-internals $(DATA)/05-internals/trace.csv $(if $(QUICK),--quick) --allocators $(call sq,$(ALLOCATORS))
$(eval $(call chapter,05-internals))
D5 := $(DATA)/05-internals
05-internals_BOOK += $(D5)/trace.csv $(D5)/trace.count.csv
# (Made by the after-run pass; this rule only when it is missing, e.g. in a fresh QUICK dir.)
$(D5)/trace.csv: | build/05-internals/05-internals
	chapters/05-internals/trace build/05-internals/05-internals $@ $(if $(QUICK),--quick) --allocators $(call sq,$(ALLOCATORS))
$(D5)/trace.count.csv: $(D5)/trace.csv ;
