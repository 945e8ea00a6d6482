// litmus: the memory-order suite, a body on the check harness
// (primitives/harness/check_program.hpp owns --entry, --list, --seed, the
// child per entry and the records).
//
// For every selected catalogue test (litmus/litmus_catalogue.hpp) it puts
// three answers side by side:
//   declared  - the outcomes the C++ memory model allows / forbids (cited);
//   model     - the outcomes Relacy's full search reaches (model_runner.cpp);
//   hardware  - the outcome histogram on this machine (hardware_runner.hpp);
// prints a JCStress-like table (the harness echoes it) and returns the
// verdict with typed metrics (component "litmus", implementation
// "<shape>.<annotation>"). The classification names what decided:
//   forbidden-seen        fail: a forbidden outcome was seen on the hardware
//                         or reached by the model;
//   model-error           fail: Relacy stopped with an error;
//   undeclared-limitation fail: an allowed outcome the model did not reach is
//                         not in the row's `unreached` (the model, or the
//                         world's mapping of the orders, is stronger than C++);
//   stale-limitation      fail: an outcome the row declares unreachable was
//                         reached (the declaration is wrong);
//   interesting           pass: an allowed weak (non-SC) outcome was seen on
//                         the hardware (rate and 95% Wilson interval);
//   limitation            pass: the model missed exactly the declared allowed
//                         outcomes (reason: the shape's model_gap);
//   pass                  pass: nothing forbidden, no gap, nothing weak seen.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "litmus/hardware_runner.hpp"
#include "litmus/litmus_catalogue.hpp"
#include "litmus/model_runner.hpp"
#include "primitives/harness/check_program.hpp"

namespace gauntlet::litmus {
namespace {

struct options {
    hardware_config hw;
    std::string sync = "batch";
    bool no_model = false;
    bool no_hardware = false;
};

// 95% Wilson score interval for k successes in n trials.
std::pair<double, double> wilson(unsigned long k, unsigned long n) {
    if (n == 0) return {0, 1};
    const double z = 1.959963984540054;
    const double p = double(k) / double(n);
    const double d = 1 + z * z / n;
    const double c = (p + z * z / (2 * n)) / d;
    const double h = z * std::sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / d;
    return {std::max(0.0, c - h), std::min(1.0, c + h)};
}

std::string num(double v) {
    char b[64];
    std::snprintf(b, sizeof b, "%.6g", v);
    return b;
}

// ["0,0","1,1"]: lists in the detail line read as in the records.
std::string text(const std::vector<std::string>& v) { return json::list_of(v).dump(); }

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

// One test's three answers and the verdict drawn from them.
template <class E>
result run_test(const options& opt) {
    using shape = typename E::shape;
    using table = typename E::table;
    using set = outcome_set<shape>;
    constexpr unsigned domain = domain_size<shape>();
    const bool model = !opt.no_model, hardware = !opt.no_hardware;

    const set allowed = E::allowed;
    const set declared_gap = E::spec.unreached;

    model_answer m;
    if (model) m = model_outcomes(E::name);
    hardware_answer h;
    if (hardware) h = run_on_hardware<E>(opt.hw);

    // Model: reached outcomes against the table. A stray (outside the domain)
    // is forbidden like a declared forbidden one.
    set reached;
    reached.bits = m.reached;
    std::vector<std::string> bad_model = (reached - allowed).strings();
    for (const auto& o : m.strays)
        if (!contains(bad_model, o)) bad_model.push_back(o);
    const bool model_error = model && !m.completed;
    const bool gaps_known = model && m.completed;  // an interrupted search says nothing about gaps
    const set missing = gaps_known ? allowed - reached : set{};
    const set undeclared = missing - declared_gap;
    const set stale = gaps_known ? declared_gap & reached : set{};

    // Hardware: the histogram against the table.
    std::vector<std::string> bad_hw, weak_seen;
    unsigned long weak_count = 0;
    std::vector<std::string> domain_names;
    for (unsigned k = 0; k < domain; ++k) domain_names.push_back(domain_outcome<shape>(k));
    set allowed_weak_unseen;
    for (unsigned k = 0; k < domain; ++k) {
        const auto it = h.histogram.find(domain_names[k]);
        const unsigned long c = it == h.histogram.end() ? 0 : it->second;
        if (!allowed.contains(k)) {
            if (c) bad_hw.push_back(domain_names[k]);
        } else if (table::weak.contains(k)) {
            if (c) {
                weak_seen.push_back(domain_names[k]);
                weak_count += c;
            } else if (hardware) {
                allowed_weak_unseen = allowed_weak_unseen.with(k);
            }
        }
    }
    for (const auto& [o, c] : h.histogram)
        if (c && !contains(domain_names, o)) bad_hw.push_back(o);

    std::string cls;
    if (!bad_model.empty() || !bad_hw.empty())
        cls = "forbidden-seen";
    else if (model_error)
        cls = "model-error";
    else if (!undeclared.empty())
        cls = "undeclared-limitation";
    else if (!stale.empty())
        cls = "stale-limitation";
    else if (!weak_seen.empty())
        cls = "interesting";
    else if (!missing.empty())
        cls = "limitation";
    else
        cls = "pass";
    const bool failed = cls == "forbidden-seen" || cls == "model-error" || cls == "undeclared-limitation" ||
                        cls == "stale-limitation";

    const double rate = h.seconds > 0 ? h.iterations / h.seconds : 0;
    const auto [lo, hi] = wilson(weak_count, h.iterations);
    const std::string oversub_why = std::to_string(shape::threads) + " threads share " + std::to_string(h.cpus) +
                                    " CPUs: at most " + std::to_string(h.cpus) +
                                    " run at any instant, so a weak outcome that needs all " +
                                    std::to_string(shape::threads) + " in flight at once cannot be seen";
    std::string d = cls + ":";
    if (!bad_model.empty()) d += " model reached forbidden " + text(bad_model) + ";";
    if (!bad_hw.empty()) d += " hardware saw forbidden " + text(bad_hw) + ";";
    if (model_error) d += " Relacy stopped: " + m.error.substr(0, m.error.find('\n')) + ";";
    if (!undeclared.empty())
        d += " model never reached allowed " + text(undeclared.strings()) +
             ", not declared in the row's unreached (the model is stronger than the C++ table: declare the gap "
             "with its reason, or find the mapping error);";
    if (!stale.empty())
        d += " model reached " + text(stale.strings()) + ", declared unreached: the declaration is stale;";
    if (!weak_seen.empty())
        d += " weak " + text(weak_seen) + " seen " + std::to_string(weak_count) + "/" + std::to_string(h.iterations) +
             " on hardware (p=" + num(double(weak_count) / h.iterations) + ", 95% CI [" + num(lo) + ", " + num(hi) +
             "]);";
    if (!(missing & declared_gap).empty())
        d += " model never reached allowed " + text((missing & declared_gap).strings()) +
             ", as declared (model-checker limitation: " + std::string(table::model_gap) + ");";
    if (model)
        d += " model " + std::to_string(std::popcount(m.reached) + m.strays.size()) + " outcomes in " +
             std::to_string(m.executions) + " executions;";
    else
        d += " no model search (--no-model);";
    if (hardware) {
        d += " hardware " + std::to_string(h.iterations) + " runs, " + std::to_string(h.threads) + " threads on " +
             std::to_string(h.cpus) + " CPUs";
        if (h.oversubscribed) {
            d += " (oversubscribed";
            if (!allowed_weak_unseen.empty())
                d += "; allowed weak " + text(allowed_weak_unseen.strings()) + " not seen: " +
                     (table::hardware_note.empty() ? "it may need every thread in flight at once"
                                                   : std::string(table::hardware_note));
            d += ")";
        }
    } else {
        d += " no hardware run (--no-hardware)";
    }

    json x;
    x["catalogue_index"] = catalogue_index<E>;
    x["shape"] = shape::name;
    x["annotation"] = E::annotation;
    x["program"] = shape::program;
    x["registers"] = json::list_of(shape::registers);
    x["allowed"] = json::list_of(allowed.strings());
    x["forbidden"] = json::list_of(E::forbidden.strings());
    x["weak"] = json::list_of(table::weak.strings());
    x["argument"] = E::spec.argument;
    if (model) {
        std::vector<std::string> outs = reached.strings();
        for (const auto& o : m.strays)
            if (!contains(outs, o)) outs.push_back(o);
        x["model_outcomes"] = json::list_of(outs);
    } else {
        x["model_outcomes"] = nullptr;
    }
    x["model_missing"] = json::list_of(missing.strings());
    x["model_unreached_declared"] = json::list_of(declared_gap.strings());
    x["model_gap_reason"] = declared_gap.empty() ? json(nullptr) : json(table::model_gap);
    x["undeclared_limitations"] = json::list_of(undeclared.strings());
    x["stale_limitations"] = json::list_of(stale.strings());
    x["model_executions"] = m.executions;
    x["model_seconds"] = m.seconds;
    if (hardware) {
        json hist;
        for (const auto& [o, c] : h.histogram) hist[o] = c;
        x["hardware_histogram"] = hist.is_null() ? json(json::object{}) : hist;
    } else {
        x["hardware_histogram"] = nullptr;
    }
    x["iterations"] = h.iterations;
    x["hardware_seconds"] = h.seconds;
    x["rate_per_s"] = rate;
    x["threads"] = shape::threads;
    x["cpus"] = h.cpus;
    x["oversubscribed"] = hardware ? json(h.oversubscribed) : json(nullptr);
    if (hardware && h.oversubscribed) x["oversubscribed_why"] = oversub_why;
    x["sync"] = hardware ? json(h.per_instance_sync ? "instance" : "batch") : json(nullptr);
    x["classification"] = cls;
    x["reference"] = E::spec.reference;
    if (cls == "interesting") {
        x["weak_count"] = weak_count;
        x["weak_rate"] = double(weak_count) / h.iterations;
        x["ci_low"] = lo;
        x["ci_high"] = hi;
    }

    // The JCStress-like table, printed in the child; the harness echoes it.
    std::printf("\n%s  [%s]  origin %s, expected %s\n", std::string(E::name).c_str(),
                std::string(shape::program).c_str(), std::string(to_string(E::origin)).c_str(),
                std::string(to_string(E::expected.kind)).c_str());
    if (hardware) {
        std::printf("  hardware: %lu runs in %.3f s (%.3g outcomes/s), %u threads on %u CPUs, %s sync\n", h.iterations,
                    h.seconds, rate, h.threads, h.cpus, h.per_instance_sync ? "instance" : "batch");
        if (h.oversubscribed) {
            std::printf("  OVERSUBSCRIBED: %s\n", oversub_why.c_str());
            if (!table::hardware_note.empty()) std::printf("                  %s\n", std::string(table::hardware_note).c_str());
        }
    }
    if (model) std::printf("  model:    Relacy full search, %lu executions in %.3f s\n", m.executions, m.seconds);
    if (!declared_gap.empty())
        std::printf("  declared model gap %s: %s\n", text(declared_gap.strings()).c_str(),
                    std::string(table::model_gap).c_str());
    std::string regs = "(";
    for (auto n : shape::registers) {
        if (regs.size() > 1) regs += ',';
        regs += n;
    }
    regs += ')';
    std::printf("  %-12s %12s %11s  %-20s %s\n", regs.c_str(), "count", "freq", "model", "declared");
    std::set<std::string> rows(domain_names.begin(), domain_names.end());
    for (const auto& [o, c] : h.histogram) rows.insert(o);
    for (const auto& o : m.strays) rows.insert(o);
    for (const auto& o : rows) {
        const auto it = h.histogram.find(o);
        const unsigned long c = it == h.histogram.end() ? 0 : it->second;
        const auto k = static_cast<unsigned>(std::find(domain_names.begin(), domain_names.end(), o) - domain_names.begin());
        const bool in_domain = k < domain;
        const char* declared = !in_domain || !allowed.contains(k) ? "FORBIDDEN"
                               : table::weak.contains(k)          ? "ACCEPTABLE_INTERESTING"
                                                                  : "ACCEPTABLE";
        const char* reach = !model                              ? "-"
                            : !in_domain                        ? "reached"
                            : reached.contains(k)               ? (stale.contains(k) ? "REACHED (declared gap)" : "reached")
                            : declared_gap.contains(k)          ? "gap (declared)"
                            : undeclared.contains(k)            ? "NOT REACHED"
                                                                : "-";
        std::printf("  %-12s %12lu %11.3g  %-20s %s\n", o.c_str(), c, h.iterations ? double(c) / h.iterations : 0.0,
                    reach, declared);
    }
    std::fflush(stdout);

    result r;
    r.got = failed ? verdict::fail : verdict::pass;
    r.detail = d;
    r.trace = m.error;
    r.metrics = std::move(x);
    return r;
}

}  // namespace
}  // namespace gauntlet::litmus

int main(int argc, char** argv) {
    using namespace gauntlet;
    using namespace gauntlet::litmus;
    options opt;
    check_program prog("litmus", check_kind::litmus,
                       "Runs the litmus memory-order catalogue: declared C++-model outcomes, Relacy's reachable\n"
                       "outcomes and this machine's outcome histogram, side by side (a table per test).",
                       600.0);
    prog.options()
        .option("--iterations", "N", "hardware instances per test (default 10000000)", opt.hw.iterations, 1ul,
                1'000'000'000'000ul)
        .option("--budget", "S", "hardware wall-time bound per test, seconds (default 1)", opt.hw.budget_s, 0.001,
                300.0)
        .option("--batch", "N", "instances per synchronised start (default 4096)", opt.hw.batch, 1u, 65536u)
        .option("--sync", "MODE",
                "batch (default): threads meet once per batch; instance: also before every instance (litmus7 user "
                "barrier; higher weak rate per run, fewer runs per second)",
                opt.sync)
        .flag("--no-model", "skip the Relacy search", opt.no_model)
        .flag("--no-hardware", "skip the hardware run", opt.no_hardware);
    prog.echo_output(true);
    if (const int status = prog.parse(argc, argv); status >= 0) return status;
    if (opt.sync != "batch" && opt.sync != "instance")
        return prog.args().error("--sync: '" + opt.sync + "' is not batch or instance");
    opt.hw.per_instance_sync = opt.sync == "instance";
    if (opt.no_model && opt.no_hardware)
        return prog.args().error("--no-model with --no-hardware leaves no evidence to decide a test");
    prog.run<litmus_kind>([&]<class E>(const entry_context&) -> result { return run_test<E>(opt); });
    return prog.finish();
}
