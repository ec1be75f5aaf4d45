# Chapter 1: micro-benchmarks, single-threaded: every process pinned to one CPU.
01-micro_RUN := --pin
# The noise experiment: the same processes with the other CPUs busy and idle, to test
# whether an idle sibling vCPU causes the slow spells (see "How sure are we").
01-micro_PASSES := noise/busy noise/idle
01-micro_NOISE := --prog build/01-micro/01-micro --reps $(if $(QUICK),3,8) --pin \
    --allocators $(call sq,$(or $(filter glibc tcmalloc,$(ALLOCATORS)),glibc)) --case "--workload mixed"
01-micro_PASS.noise/busy := $(01-micro_NOISE) --spin-others
01-micro_PASS.noise/idle := $(01-micro_NOISE)
$(eval $(call chapter,01-micro))
