# Chapter 1: micro-benchmarks, single-threaded: every process pinned to one CPU.
01-micro_RUN := --pin
$(eval $(call chapter,01-micro))

# The noise experiment: the same processes with the other CPUs busy and idle, to test
# whether an idle sibling vCPU causes the slow spells (see "How sure are we").
NOISE_RUN = common/run --prog build/01-micro/01-micro --reps $(if $(QUICK),3,8) --seed $(SEED) --pin \
    --allocators $(call sq,$(or $(filter glibc tcmalloc,$(ALLOCATORS)),glibc)) --case "--workload mixed" $(if $(QUICK),--quick)
01-micro_AFTER_RUN = $(NOISE_RUN) --spin-others --out $(DATA)/01-micro/noise/busy.csv && \
    $(NOISE_RUN) --out $(DATA)/01-micro/noise/idle.csv
$(DATA)/01-micro/noise/%.csv: $(DATA)/01-micro/01-micro.csv ;
