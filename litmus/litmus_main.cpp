// litmus: the memory-order suite's command.
//
// For every selected catalogue test (litmus/litmus_catalogue.hpp) it puts
// three answers side by side:
//   declared  - the outcomes the C++ memory model allows / forbids (cited);
//   model     - the outcomes Relacy's full search reaches (model_runner.cpp);
//   hardware  - the outcome histogram on this machine (hardware_runner.hpp);
// prints a JCStress-like table and writes one verdict record per test
// (component "litmus", implementation "<shape>.<annotation>") into
// $GAUNTLET_RESULTS_DIR. Verdict fail iff a forbidden outcome was seen on the
// hardware or reached by the model; the classification refines a pass:
//   interesting - an allowed weak (non-SC) outcome was seen on the hardware
//                 (rate and 95% Wilson interval reported);
//   limitation  - the model checker did not reach an allowed outcome (Relacy
//                 cannot produce LB or 2+2W, for instance): neither pass nor
//                 fail of the test, a gap of the tool, reported;
//   pass        - nothing forbidden, nothing weak seen, model complete.
// Exit status: 0 when every verdict matches its expectation (mutants are
// expected to fail), 1 otherwise, 2 on a usage error.
#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "litmus/hardware_runner.hpp"
#include "litmus/litmus_catalogue.hpp"
#include "litmus/model_runner.hpp"
#include "primitives/verdict.hpp"

namespace gauntlet::litmus {
namespace {

struct options {
    std::vector<std::string> patterns;  // globs over test names; empty = all
    hardware_config hw;
    bool json = false;
    bool list = false;
    bool model = true;
    bool hardware = true;
};

void usage(std::FILE* f) {
    std::fprintf(f,
                 "usage: litmus [options]\n"
                 "Runs the litmus memory-order catalogue: declared C++-model outcomes, Relacy's\n"
                 "reachable outcomes and this machine's outcome histogram, side by side.\n"
                 "\n"
                 "  --help              this text\n"
                 "  --list              list the tests (name, origin, threads, forbidden, reference)\n"
                 "  --test GLOB         run only tests whose name matches (repeatable; e.g. 'SB.*')\n"
                 "  --iterations N      hardware instances per test (default %lu)\n"
                 "  --budget SECONDS    hardware wall-time bound per test (default %g)\n"
                 "  --batch N           instances per synchronised start (default %u)\n"
                 "  --sync MODE         batch (default): threads meet once per batch;\n"
                 "                      instance: also before every instance (litmus7 user barrier;\n"
                 "                      higher weak rate per run, fewer runs per second)\n"
                 "  --no-model          skip the Relacy search\n"
                 "  --no-hardware       skip the hardware run\n"
                 "  --json              print the records as one JSON array instead of the table\n"
                 "\n"
                 "Records go to $GAUNTLET_RESULTS_DIR (default ./results) as litmus.litmus.<test>.json.\n"
                 "Exit status: 0 all verdicts as expected, 1 a verdict differs, 2 usage error.\n",
                 hardware_config{}.iterations, hardware_config{}.budget_s, hardware_config{}.batch);
}

[[noreturn]] void usage_error(const std::string& msg) {
    std::fprintf(stderr, "litmus: %s (see litmus --help)\n", msg.c_str());
    std::exit(2);
}

template <class T>
T parse_number(const char* opt, const char* s) {
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(s, &end);
    if (errno || end == s || *end || !(v > 0) || !std::isfinite(v))
        usage_error(std::string("option ") + opt + " needs a positive number, got '" + s + "'");
    return static_cast<T>(v);
}

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        std::string value;
        bool has_value = false;
        if (const auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
            value = a.substr(eq + 1);
            a = a.substr(0, eq);
            has_value = true;
        }
        auto next = [&]() -> std::string {
            if (has_value) return value;
            if (i + 1 >= argc) usage_error("option " + a + " needs a value");
            return argv[++i];
        };
        if (a == "--help" || a == "-h") {
            usage(stdout);
            std::exit(0);
        } else if (a == "--list") {
            o.list = true;
        } else if (a == "--json") {
            o.json = true;
        } else if (a == "--no-model") {
            o.model = false;
        } else if (a == "--no-hardware") {
            o.hardware = false;
        } else if (a == "--test") {
            o.patterns.push_back(next());
        } else if (a == "--iterations") {
            o.hw.iterations = parse_number<unsigned long>("--iterations", next().c_str());
        } else if (a == "--budget") {
            o.hw.budget_s = parse_number<double>("--budget", next().c_str());
        } else if (a == "--sync") {
            const std::string v = next();
            if (v != "batch" && v != "instance") usage_error("option --sync takes 'batch' or 'instance', got '" + v + "'");
            o.hw.per_instance_sync = v == "instance";
        } else if (a == "--batch") {
            o.hw.batch = parse_number<unsigned>("--batch", next().c_str());
        } else {
            usage_error("unknown option '" + std::string(argv[i]) + "'");
        }
        if (has_value && (a == "--list" || a == "--json" || a == "--no-model" || a == "--no-hardware"))
            usage_error("option " + a + " takes no value");
    }
    return o;
}

bool selected(const options& o, const std::string& name) {
    if (o.patterns.empty()) return true;
    for (const auto& p : o.patterns)
        if (fnmatch(p.c_str(), name.c_str(), 0) == 0) return true;
    return false;
}

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

std::string json_list(const std::vector<std::string>& v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ",\"" : "\"") + json_escape(v[i]) + "\"";
    return s + "]";
}

std::string num(double v) {
    char b[64];
    std::snprintf(b, sizeof b, "%.6g", v);
    return b;
}

template <class Array>
std::vector<std::string> strings(const Array& a) {
    return std::vector<std::string>(a.begin(), a.end());
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

// One test's three answers and the verdict drawn from them.
template <class E>
record run_test(const options& opt, unsigned catalogue_index) {
    using shape = typename E::shape;
    record r;
    r.component = "litmus";
    r.implementation = test_name<E>();
    r.origin = std::string(to_string(E::origin));

    std::vector<std::string> domain, allowed;
    for (unsigned k = 0; k < domain_size<shape>(); ++k) domain.push_back(domain_outcome<shape>(k));
    std::sort(domain.begin(), domain.end());
    const std::vector<std::string> forbidden = strings(E::forbidden);
    const std::vector<std::string> weak = strings(shape::weak);
    for (const auto& d : domain)
        if (!contains(forbidden, d)) allowed.push_back(d);

    model_answer m;
    if (opt.model) m = model_outcomes(r.implementation);
    hardware_answer h;
    if (opt.hardware) h = run_on_hardware<E>(opt.hw);

    // Forbidden = declared forbidden, or outside the domain altogether.
    std::vector<std::string> bad_model, bad_hw, missing, weak_seen;
    for (const auto& o : m.outcomes)
        if (!contains(allowed, o)) bad_model.push_back(o);
    unsigned long weak_count = 0;
    for (const auto& [o, c] : h.histogram) {
        if (c == 0) continue;
        if (!contains(allowed, o))
            bad_hw.push_back(o);
        else if (contains(weak, o)) {
            weak_seen.push_back(o);
            weak_count += c;
        }
    }
    if (opt.model)
        for (const auto& a : allowed)
            if (!contains(m.outcomes, a)) missing.push_back(a);

    const bool model_error = opt.model && !m.completed;
    std::string cls;
    if (!bad_model.empty() || !bad_hw.empty())
        cls = "forbidden-seen";
    else if (model_error)
        cls = "model-error";
    else if (!weak_seen.empty())
        cls = "interesting";
    else if (!missing.empty())
        cls = "limitation";
    else
        cls = "pass";
    r.got = (cls == "forbidden-seen" || cls == "model-error") ? verdict::fail : verdict::pass;
    r.expected = E::expected;

    const double rate = h.seconds > 0 ? h.iterations / h.seconds : 0;
    const auto [lo, hi] = wilson(weak_count, h.iterations);
    std::string d = cls + ":";
    if (!bad_model.empty()) d += " model reached forbidden " + json_list(bad_model) + ";";
    if (!bad_hw.empty()) d += " hardware saw forbidden " + json_list(bad_hw) + ";";
    if (model_error) d += " Relacy stopped: " + m.error.substr(0, m.error.find('\n')) + ";";
    if (!weak_seen.empty())
        d += " weak " + json_list(weak_seen) + " seen " + std::to_string(weak_count) + "/" +
             std::to_string(h.iterations) + " on hardware (p=" + num(double(weak_count) / h.iterations) +
             ", 95% CI [" + num(lo) + ", " + num(hi) + "]);";
    if (!missing.empty()) d += " model never reached allowed " + json_list(missing) + " (model-checker limitation);";
    if (opt.model)
        d += " model " + std::to_string(m.outcomes.size()) + " outcomes in " + std::to_string(m.executions) +
             " executions;";
    if (opt.hardware)
        d += " hardware " + std::to_string(h.iterations) + " runs, " + std::to_string(h.threads) + " threads on " +
             std::to_string(h.cpus) + " CPUs" + (h.threads > h.cpus ? " (sharing cores)" : "");
    r.detail = d;
    if (!m.error.empty()) r.trace = m.error;

    std::string hist = "{";
    for (const auto& [o, c] : h.histogram)
        hist += (hist.size() > 1 ? ",\"" : "\"") + json_escape(o) + "\":" + std::to_string(c);
    hist += "}";
    r.extra["catalogue_index"] = std::to_string(catalogue_index);
    r.extra["shape"] = "\"" + json_escape(std::string(shape::name)) + "\"";
    r.extra["annotation"] = "\"" + json_escape(std::string(E::annotation)) + "\"";
    r.extra["program"] = "\"" + json_escape(std::string(shape::program)) + "\"";
    r.extra["registers"] = json_list(strings(shape::registers));
    r.extra["allowed"] = json_list(allowed);
    r.extra["forbidden"] = json_list(forbidden);
    r.extra["weak"] = json_list(weak);
    r.extra["model_outcomes"] = opt.model ? json_list(m.outcomes) : "null";
    r.extra["model_missing"] = json_list(missing);
    r.extra["model_executions"] = std::to_string(m.executions);
    r.extra["model_seconds"] = num(m.seconds);
    r.extra["hardware_histogram"] = opt.hardware ? hist : "null";
    r.extra["iterations"] = std::to_string(h.iterations);
    r.extra["hardware_seconds"] = num(h.seconds);
    r.extra["rate_per_s"] = num(rate);
    r.extra["threads"] = std::to_string(shape::threads);
    r.extra["cpus"] = std::to_string(h.cpus);
    r.extra["sync"] = opt.hardware ? (h.per_instance_sync ? "\"instance\"" : "\"batch\"") : "null";
    r.extra["classification"] = "\"" + cls + "\"";
    r.extra["reference"] = "\"" + json_escape(std::string(E::reference)) + "\"";
    if (cls == "interesting") {
        r.extra["weak_count"] = std::to_string(weak_count);
        r.extra["weak_rate"] = num(double(weak_count) / h.iterations);
        r.extra["ci_low"] = num(lo);
        r.extra["ci_high"] = num(hi);
    }

    if (!opt.json) {
        std::printf("\n%s  [%s]  origin %s\n", r.implementation.c_str(), std::string(shape::program).c_str(),
                    r.origin.c_str());
        if (opt.hardware)
            std::printf("  hardware: %lu runs in %.3f s (%.3g outcomes/s), %u threads on %u CPUs, %s sync%s\n",
                        h.iterations, h.seconds, rate, h.threads, h.cpus, h.per_instance_sync ? "instance" : "batch",
                        h.threads > h.cpus ? " - threads share cores" : "");
        if (opt.model)
            std::printf("  model:    Relacy full search, %lu executions in %.3f s\n", m.executions, m.seconds);
        std::string regs;
        for (auto n : shape::registers) regs += (regs.empty() ? "" : ",") + std::string(n);
        std::printf("  %-12s %12s %11s  %-9s %s\n", ("(" + regs + ")").c_str(), "count", "freq", "model",
                    "declared");
        std::set<std::string> rows(domain.begin(), domain.end());
        for (const auto& [o, c] : h.histogram) rows.insert(o);
        for (const auto& o : m.outcomes) rows.insert(o);
        for (const auto& o : rows) {
            const auto it = h.histogram.find(o);
            const unsigned long c = it == h.histogram.end() ? 0 : it->second;
            const char* declared = !contains(allowed, o) ? "FORBIDDEN"
                                   : contains(weak, o)   ? "ACCEPTABLE_INTERESTING"
                                                         : "ACCEPTABLE";
            std::printf("  %-12s %12lu %11.3g  %-9s %s\n", o.c_str(), c,
                        h.iterations ? double(c) / h.iterations : 0.0,
                        !opt.model ? "-" : contains(m.outcomes, o) ? "reached" : "-", declared);
        }
    }
    return r;
}

std::string record_json(const record& r) {
    std::string s = "{\"component\":\"" + json_escape(r.component) + "\",\"implementation\":\"" +
                    json_escape(r.implementation) + "\",\"origin\":\"" + json_escape(r.origin) +
                    "\",\"check\":\"litmus\",\"verdict\":\"" + std::string(to_string(r.got)) +
                    "\",\"expected\":\"" + std::string(to_string(r.expected)) + "\",\"detail\":\"" +
                    json_escape(r.detail) + "\",\"trace\":\"" + json_escape(r.trace.substr(0, 65536)) + "\"";
    for (const auto& [k, v] : r.extra) s += ",\"" + json_escape(k) + "\":" + v;
    return s + "}";
}

int run(int argc, char** argv) {
    const options opt = parse(argc, argv);

    std::vector<std::string> names;
    for_each_entry(catalogue{}, [&]<class E>() {
        if (selected(opt, test_name<E>())) names.push_back(test_name<E>());
    });
    if (names.empty()) usage_error("no test matches the --test patterns; litmus --list shows the names");

    if (opt.list) {
        for_each_entry(catalogue{}, [&]<class E>() {
            if (!selected(opt, test_name<E>())) return;
            std::printf("%-40s %-8s %u threads  forbidden %-10s %s\n", test_name<E>().c_str(),
                        std::string(to_string(E::origin)).c_str(), E::shape::threads,
                        json_list(strings(E::forbidden)).c_str(), std::string(E::reference).c_str());
        });
        return 0;
    }

    std::vector<record> records;
    unsigned index = 0;
    for_each_entry(catalogue{}, [&]<class E>() {
        if (selected(opt, test_name<E>())) records.push_back(run_test<E>(opt, index));
        ++index;
    });

    // The verdict log prints one human line per record; under --json stdout
    // carries only the JSON array, so those lines go to stderr.
    std::fflush(stdout);
    const int saved = opt.json ? dup(1) : -1;
    if (opt.json) dup2(2, 1);
    int status;
    {
        verdict_log log("litmus");
        if (!opt.json) std::printf("\n");
        for (const auto& r : records) log.add(r);
        status = log.exit_status();
        std::fflush(stdout);
    }
    if (opt.json) {
        dup2(saved, 1);
        close(saved);
        std::printf("[\n");
        for (std::size_t i = 0; i < records.size(); ++i)
            std::printf("%s%s\n", record_json(records[i]).c_str(), i + 1 < records.size() ? "," : "");
        std::printf("]\n");
    } else {
        std::map<std::string, std::size_t> by_class;
        for (const auto& r : records) {
            const std::string& quoted = r.extra.at("classification");  // JSON string
            ++by_class[quoted.substr(1, quoted.size() - 2)];
        }
        std::string summary;
        for (const auto& [c, n] : by_class) summary += (summary.empty() ? "" : ", ") + std::to_string(n) + " " + c;
        std::printf("\nlitmus: %zu tests: %s; %s\n", records.size(), summary.c_str(),
                    status == 0 ? "all verdicts as expected" : "SOME VERDICTS DIFFER FROM THEIR EXPECTATION");
    }
    return status;
}

}  // namespace
}  // namespace gauntlet::litmus

int main(int argc, char** argv) { return gauntlet::litmus::run(argc, argv); }
