/* 06-method.c -- chapter 6: how we measure. The clocks every other chapter relies on.
 *
 * Question: how fine can this machine time an interval, and how far can the time-stamp
 * counter be trusted? Every latency in the book subtracts an empty bracket's cost and is
 * printed as "< resolution" below the bracket's own spread; this program measures both,
 * and the rest of what the harness assumes of its clocks.
 *
 * Method: one workload, clock. After lab_clock_init (20 ms calibration of the TSC against
 * CLOCK_MONOTONIC_RAW, 2x10^4 empty brackets), one process measures
 *   - the calibration's repeatability: --calibrations more calibrations of 10 ms each,
 *     their spread (max - min) over their median, in parts per million;
 *   - the empty bracket (lfence;rdtsc ... rdtscp;lfence): percentiles of 10^5 of them;
 *   - the TSC's step (lab_clock_init): the smallest nonzero difference between two
 *     back-to-back reads (a virtual TSC may advance in steps of many ticks);
 *   - clock_gettime(CLOCK_MONOTONIC_RAW), the fallback clock: its cost per call (the mean
 *     of 10^5 back-to-back calls) and its step (the smallest nonzero difference).
 * No allocation is timed: common/run runs it under one allocator (glibc).
 *
 * Run it:   make 06
 *           build/06-method/06-method --workload clock
 * Expected: on a KVM guest, brackets of some tens of ns with a spread of a few tens, TSC
 *           steps of tens of ticks, calibrations that agree to within tens of ppm.
 */
#include "../../common/lab.h"

// [workloads]
static const struct {
    const char *name, *why;
} workloads[] = {
    { "clock", "the TSC and clock_gettime: calibration, empty bracket, step, cost" },
};
// [/workloads]

static const char *const columns[] = {
    "allocator", "workload", "rep", "status", "tsc", "tsc_ghz", "calibrations", "calibration_spread_ppm",
    "bracket_p10_ns", "bracket_p50_ns", "bracket_p90_ns", "bracket_p99_ns", "resolution_ns",
    "tsc_step_ticks", "gettime_ns", "gettime_step_ns", NULL
};

enum { BRACKETS = 100000, CALLS = 100000, CALIBRATION_MS = 10 };

// (max - min) / median of n calibrations, in ppm.
static double calibration_spread_ppm(uint64_t n)
{
    static double g[1000];
    for (uint64_t i = 0; i < n; i++)
        g[i] = 1.0 / lab_calibrate(CALIBRATION_MS);  // ticks per ns
    double med = lab_median(g, n);  // sorts g
    return (g[n - 1] - g[0]) / med * 1e6;
}

// The smallest nonzero difference between two back-to-back reads of clock_gettime.
static uint64_t gettime_step(void)
{
    uint64_t best = UINT64_MAX;
    for (int i = 0; i < CALLS; i++) {
        uint64_t a = lab_now_ns(), b = lab_now_ns();
        if (b > a && b - a < best)
            best = b - a;
    }
    return best;
}

static int run(uint64_t rep, uint64_t calibrations)
{
    const char *allocator = lab_allocator();  // (a bad LAB_ALLOCATOR stops the run before any output)
    static uint64_t d[BRACKETS];
    lab_empty_brackets(d, BRACKETS);
    double spread = lab_clock.tsc ? calibration_spread_ppm(calibrations) : NAN;
    uint64_t t = lab_now_ns();
    for (int i = 0; i < CALLS; i++)
        (void)lab_now_ns();
    double gettime_ns = (double)(lab_now_ns() - t) / CALLS;

    lab_row_t r;
    lab_csv_header(columns);
    lab_row_begin(&r, columns);
    lab_row_str(&r, "allocator", allocator);
    lab_row_str(&r, "workload", "clock");
    lab_row_u64(&r, "rep", rep);
    lab_row_status(&r, "ok");
    lab_row_u64(&r, "tsc", lab_clock.tsc);
    lab_row_f64(&r, "tsc_ghz", lab_clock.tsc ? 1.0 / lab_clock.ns_per_tick : NAN);
    lab_row_f64(&r, "calibrations", lab_clock.tsc ? (double)calibrations : NAN);
    lab_row_f64(&r, "calibration_spread_ppm", spread);
    const double q[] = { 0.10, 0.50, 0.90, 0.99 };
    const char *name[] = { "bracket_p10_ns", "bracket_p50_ns", "bracket_p90_ns", "bracket_p99_ns" };
    for (int i = 0; i < 4; i++)
        lab_row_f64(&r, name[i], lab_ticks_ns((double)d[(size_t)(q[i] * BRACKETS)]));
    lab_row_f64(&r, "resolution_ns", lab_clock.resolution_ns);
    lab_row_f64(&r, "tsc_step_ticks", lab_clock.tsc ? lab_clock.step_ticks : NAN);
    lab_row_f64(&r, "gettime_ns", gettime_ns);
    lab_row_f64(&r, "gettime_step_ns", (double)gettime_step());
    lab_row_end(&r);
    return 0;
}

static const char options[] = "  --calibrations N     further TSC calibrations of 10 ms each (2 to 1000; default 20)\n";

int main(int argc, char **argv)
{
    lab_prog = "06-method";
    static const struct option opts[] = { { "calibrations", 1, 0, 'c' }, LAB_WORKLOAD_OPT, LAB_COMMON_OPTS };
    static const lab_program_t prog = { .columns = columns, .workloads = LAB_WORKLOADS(workloads), .options = options };
    lab_common_t common = LAB_COMMON_INIT;
    const char *cal = NULL;
    int o;
    while ((o = lab_getopt(argc, argv, opts, &prog, &common)) != -1)
        if (o == 'c')
            cal = optarg;
    uint64_t calibrations = cal ? lab_opt_u64("--calibrations", cal, 2, 1000) : common.quick ? 5 : 20;
    lab_clock_init();
    return run(common.rep, calibrations);
}
