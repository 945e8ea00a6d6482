// The check harness: what every check program shares.
//
// A check program is a per-entry body over a component kind's catalogue:
//
//   int main(int argc, char** argv) {
//       check_program prog("queue_stress", check_kind::stress, "Real-thread stress of ...", 60.0);
//       prog.options().option("--rounds", "N", "rounds per entry", rounds, 1, 1000);
//       if (const int s = prog.parse(argc, argv); s >= 0) return s;
//       prog.run<queue_kind>([&]<class E>(const entry_context& ctx) -> result { ... });
//       return prog.finish();
//   }
//
// The harness owns:
//  * the command line: --entry GLOB (repeatable), --list, --manifest,
//    --seed N (printed, replayable), --timeout S, --verbose, --help; errors
//    name the problem and exit 2;
//  * selection: which entries run, which are skipped (expectation `skip`,
//    reason printed), and the error when a selection matches nothing or
//    leaves nothing to decide;
//  * isolation: every entry's body runs in a forked child
//    (primitives/harness/isolate.hpp); a crash, a hang or a sanitizer report
//    becomes that entry's verdict;
//  * records: component naming, the expected verdict, the replay line, the
//    one comparison rule (expectation.hpp: status_of), the console line with
//    progress and elapsed time, and the results writer (record.hpp).
// A component kind is a struct with `name`, `catalogue` (a type_list of
// entries) and `component<E>()` (the record's component name).
#pragma once

#include <fnmatch.h>

#include <chrono>
#include <functional>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "primitives/catalogue.hpp"
#include "primitives/command_line.hpp"
#include "primitives/harness/expectation.hpp"
#include "primitives/harness/isolate.hpp"
#include "primitives/harness/json.hpp"
#include "primitives/harness/record.hpp"

namespace gauntlet {

// What a body knows about its run.
struct entry_context {
    std::string_view entry;
    std::uint64_t seed = 0;       // this entry's seed: derived from the base seed and the entry name
    std::uint64_t base_seed = 0;  // the --seed of the run
    bool tsan = under_tsan();
    bool asan = under_asan();
};

// What a body decides for one entry.
struct result {
    verdict got = verdict::pass;
    std::string detail;  // one line
    std::string trace;   // counterexample, model trace (empty when nothing to show)
    json metrics;        // object of typed figures

    static result pass(std::string detail, json metrics = {}) {
        return {verdict::pass, std::move(detail), {}, std::move(metrics)};
    }
    static result fail(std::string detail, std::string trace = {}, json metrics = {}) {
        return {verdict::fail, std::move(detail), std::move(trace), std::move(metrics)};
    }
};

// A sanitizer check (asan) runs other checks' bodies for what they make the
// code do, in one child per entry. Its verdict is the sanitizer's: a report
// (the child exits with sanitizer_exit_code, at the error or, for a leak, at
// exit), a crash or a hang fails the entry in check_program::run. The parts'
// own verdicts are recorded in the detail and metrics and judged in their own
// columns, not here.
struct sanitizer_part {
    check_kind check;
    result got;
};
inline result sanitizer_verdict(std::initializer_list<sanitizer_part> parts) {
    std::string detail = "no sanitizer report; ";
    json m;
    bool first = true;
    for (const sanitizer_part& p : parts) {
        const std::string name(to_string(p.check));
        detail += std::string(first ? "" : ", ") + name + " part " + std::string(to_string(p.got.got));
        json part;
        part["verdict"] = to_string(p.got.got);
        part["detail"] = p.got.detail;
        m[name] = std::move(part);
        first = false;
    }
    return result::pass(std::move(detail), std::move(m));
}

template <class K>
concept component_kind = requires {
    K::name;
    typename K::catalogue;
};

// splitmix64 of the base seed mixed with FNV-1a of the entry name: stable
// across builds and compilers (std::hash is not).
constexpr std::uint64_t entry_seed(std::uint64_t base, std::string_view name) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : name) h = (h ^ c) * 1099511628211ull;
    std::uint64_t z = base ^ h;
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

namespace harness_detail {
// result <-> the child's payload: "v\n" then three length-prefixed fields.
inline std::string encode(const result& r) {
    std::string out(1, r.got == verdict::pass ? 'p' : 'f');
    out += '\n';
    for (const std::string& f : {r.detail, r.trace, r.metrics.is_null() ? std::string("{}") : r.metrics.dump()})
        out += std::to_string(f.size()) + '\n' + f;
    return out;
}
inline bool decode(const std::string& in, result& r) {
    if (in.size() < 2 || (in[0] != 'p' && in[0] != 'f') || in[1] != '\n') return false;
    r.got = in[0] == 'p' ? verdict::pass : verdict::fail;
    std::size_t pos = 2;
    std::string fields[3];
    for (auto& f : fields) {
        const std::size_t nl = in.find('\n', pos);
        if (nl == std::string::npos) return false;
        const std::size_t n = std::strtoull(in.c_str() + pos, nullptr, 10);
        if (nl + 1 + n > in.size()) return false;
        f = in.substr(nl + 1, n);
        pos = nl + 1 + n;
    }
    r.detail = std::move(fields[0]);
    r.trace = std::move(fields[1]);
    r.metrics = json::raw(std::move(fields[2]));
    return true;
}
inline const char* signal_name(int sig) {
    const char* d = sigdescr_np(sig);
    return d ? d : "unknown signal";
}
}  // namespace harness_detail

// From any thread of a check body running in its child: `r` is the entry's
// result, now. For a body that detects that it is stuck (a watchdog whose
// round overran its deadline): the verdict comes back with the body's own
// message, sooner than the harness's --timeout would kill it.
[[noreturn]] inline void finish_entry_now(const result& r) { finish_child_now(harness_detail::encode(r)); }

class check_program {
public:
    // `default_timeout`: seconds an entry may take before it is a hang.
    check_program(std::string program, check_kind check, std::string summary, double default_timeout)
        : program_(std::move(program)),
          check_(check),
          cl_(program_, std::move(summary) +
                            "\nEach entry runs in its own child process; results go to $GAUNTLET_RESULTS_DIR"
                            " (default ./results)."),
          timeout_(default_timeout) {
        seed_ = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
        cl_.option("--entry", "GLOB", "only entries whose name matches (repeatable; shell glob)", patterns_)
            .flag("--list", "list the entries, their expectation for this check and its reason; exit", list_)
            .flag("--manifest", "print the records this run would write, one JSON object per line; exit",
                  manifest_)
            .option("--seed", "N", "base seed (default: from the clock; printed)", seed_, std::uint64_t{0},
                    ~std::uint64_t{0})
            .option("--timeout", "S", "seconds before an entry is killed as a hang", timeout_, 0.1, 86400.0)
            .flag("--verbose", "print each child's output", verbose_);
    }
    // A stress program: check "stress" in the native build, "tsan" in the
    // ThreadSanitizer build, where an entry may take 120 s instead of 60.
    struct stress_or_tsan_t {};
    static constexpr stress_or_tsan_t stress_or_tsan{};
    check_program(std::string program, stress_or_tsan_t, std::string summary)
        : check_program(std::move(program), under_tsan() ? check_kind::tsan : check_kind::stress, std::move(summary),
                        under_tsan() ? 120.0 : 60.0) {}
    check_program(const check_program&) = delete;
    check_program& operator=(const check_program&) = delete;

    // Declare the program's own options here, before parse().
    command_line& options() { return cl_; }
    // A fixed default seed (a property run that must be deterministic).
    void default_seed(std::uint64_t s) { seed_ = s; }
    // Print each child's captured output (benchmark tables).
    void echo_output(bool on) { echo_ = on; }

    // -1: go on; otherwise the exit status to return (0 after --help).
    int parse(int argc, char** argv) {
        if (const int s = cl_.parse(argc, argv); s >= 0) return s;
        parsed_ = true;
        if (!list_ && !manifest_)
            std::printf("%s: check %s, seed %llu%s\n", program_.c_str(), std::string(to_string(check_)).c_str(),
                        static_cast<unsigned long long>(seed_),
                        under_tsan()   ? " (ThreadSanitizer)"
                        : under_asan() ? " (AddressSanitizer)"
                                       : "");
        std::fflush(stdout);
        t0_ = std::chrono::steady_clock::now();
        return -1;
    }

    const command_line& args() const { return cl_; }

    bool selected(std::string_view name) const {
        if (patterns_.empty()) return true;
        const std::string n(name);
        for (const auto& p : patterns_)
            if (fnmatch(p.c_str(), n.c_str(), 0) == 0) return true;
        return false;
    }

    // Runs `body.template operator()<E>(ctx)` for every selected entry of
    // Kind's catalogue, each in its own child. The per-entry work is one
    // function (run_entry) called with the entry's data and a type-erased
    // body: fold-expanded inline for every entry, it made one function of a
    // whole catalogue that the optimizer took superlinear time on (clang
    // -O2 with ThreadSanitizer: 23 of the 41 s of pool_bridge.cpp with 38
    // entries).
    template <component_kind Kind, class Body>
    void run(Body&& body) {
        std::size_t total = 0;
        for_each_entry(typename Kind::catalogue{}, [&]<class E>() { total += selected(E::name) ? 1 : 0; });
        std::size_t index = 0;
        for_each_entry(typename Kind::catalogue{}, [&]<class E>() {
            if (!selected(E::name)) return;
            ++index;
            entry_info info{E::name, Kind::template component<E>(), E::origin, expected_of<E>()};
            run_entry(info, index, total,
                      [&body](const entry_context& ctx) -> result { return body.template operator()<E>(ctx); });
        });
    }

    // Exit status: 2 when the selection matched nothing or left nothing to
    // decide, or a record could not be written; 1 on a mismatch; else 0.
    int finish() {
        if (!parsed_) return 2;
        if (!patterns_.empty() && matched_ == 0) {
            std::string p;
            for (const auto& s : patterns_) p += (p.empty() ? "'" : ", '") + s + "'";
            return cl_.error("no entry matches " + p + " (see --list)");
        }
        if (list_ || manifest_) return 0;
        if (decided_ == 0) return cl_.error("nothing to decide: every selected entry skips this check (see --list)");
        if (write_errors_) {
            std::fprintf(stderr, "%s: %d record(s) could not be written (see above)\n", program_.c_str(), write_errors_);
            return 2;
        }
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
        std::printf("%s: %zu entries in %s: %d ok, %d findings, %d flaky, %d skipped, %d MISMATCHED\n",
                    program_.c_str(), matched_, fmt_seconds(elapsed).c_str(), counts_[0], counts_[1], counts_[3],
                    counts_[4], counts_[2]);
        return counts_[2] == 0 ? 0 : 1;
    }

private:
    struct entry_info {
        std::string_view name;
        std::string component;
        origin_kind origin;
        expectation expected;
    };

    // One selected entry: its record, the skip, or the body in a child.
    void run_entry(const entry_info& e, std::size_t index, std::size_t total,
                   const std::function<result(const entry_context&)>& body) {
        ++matched_;
        record r;
        r.component = e.component;
        r.implementation = std::string(e.name);
        r.origin = e.origin;
        r.check = check_;
        r.expected = e.expected;
        r.seed = entry_seed(seed_, e.name);
        if (list_) {
            std::printf("%-40s %-20s %-9s %-5s %s\n", r.implementation.c_str(), r.component.c_str(),
                        std::string(to_string(r.origin)).c_str(),
                        std::string(to_string(r.expected.kind)).c_str(), std::string(r.expected.reason).c_str());
            return;
        }
        if (manifest_) {
            json j;
            j["check"] = to_string(check_);
            j["component"] = r.component;
            j["implementation"] = r.implementation;
            j["expected"] = to_string(r.expected.kind);
            std::printf("%s\n", j.dump().c_str());
            return;
        }
        const std::string replay = replay_line(e.name);
        if (r.expected.kind == expect::skip) {
            r.got = verdict::skip;
            r.detail = "skipped: " + std::string(r.expected.reason);
            r.trace = replay;
            finish_record(std::move(r), index, total);
            return;
        }
        ++decided_;
        entry_context ctx;
        ctx.entry = e.name;
        ctx.seed = r.seed;
        ctx.base_seed = seed_;
        const child_outcome o = run_in_child(
            [&] { return harness_detail::encode(body(std::as_const(ctx))); }, timeout_);
        result res;
        const bool returned = o.payload && harness_detail::decode(*o.payload, res);
        r.seconds = o.seconds;
        switch (o.end) {
            case child_end::returned:
                if (!returned) res = result::fail("the child's result could not be read");
                break;
            case child_end::hung:
                res.got = verdict::fail;
                res.detail = "hang: killed after " + fmt_seconds(timeout_) + " (--timeout)";
                break;
            case child_end::signalled:
                res.got = verdict::fail;
                res.detail = "crash: " + std::string(harness_detail::signal_name(o.code)) + " (signal " +
                             std::to_string(o.code) + ")";
                break;
            case child_end::sanitizer_report: {
                const std::string who = under_tsan() ? "ThreadSanitizer" : under_asan() ? "AddressSanitizer" : "sanitizer";
                const std::string what = first_sanitizer_line(o.output);
                res.got = verdict::fail;
                // `what` names the sanitizer ("AddressSanitizer: heap-use-after-free ...")
                res.detail = (what.empty() ? who + " report" : what) +
                             (returned && !res.detail.empty() ? " (body: " + res.detail + ")" : "");
                break;
            }
            case child_end::exited:
                res.got = verdict::fail;
                res.detail = "the child exited with status " + std::to_string(o.code) + " before returning";
                break;
            case child_end::fork_failed:
                res.got = verdict::fail;
                res.detail = "could not fork a child for this entry";
                break;
        }
        r.got = res.got;
        r.detail = res.detail;
        r.metrics = res.metrics;
        r.trace = replay;
        if (!res.trace.empty()) r.trace += "\n" + res.trace;
        if ((r.got == verdict::fail || verbose_) && !o.output.empty() && o.end != child_end::returned)
            r.trace += "\n---- output ----\n" + o.output;
        else if (r.got == verdict::fail && res.trace.empty() && !o.output.empty())
            r.trace += "\n---- output ----\n" + o.output;
        if (echo_ || verbose_) std::fwrite(o.output.data(), 1, o.output.size(), stdout);
        finish_record(std::move(r), index, total);
    }

    template <class E>
    constexpr expectation expected_of() const {
        if constexpr (requires { E::expected.of(check_kind::property); })
            return E::expected.of(check_);
        else
            return E::expected;  // a kind with one check (litmus): one expectation
    }

    std::string replay_line(std::string_view entry) const {
        std::string line = "replay: " + program_;
        for (const auto& [name, value] : cl_.given()) {
            if (name == "--entry" || name == "--seed" || name == "--verbose") continue;
            line += " " + name + (value.empty() ? "" : "=" + value);
        }
        for (const auto& p : cl_.passed_through()) line += " " + p;
        return line + " --entry '" + std::string(entry) + "' --seed " + std::to_string(seed_);
    }

    static std::string first_sanitizer_line(const std::string& out) {
        const std::size_t w = out.find("WARNING: ");
        std::size_t e = w != std::string::npos ? w : out.find("ERROR: ");
        if (e == std::string::npos) e = out.find("runtime error: ");
        if (e == std::string::npos) return {};
        const std::size_t colon = out.find(": ", e);
        const std::size_t end = out.find('\n', e);
        return out.substr(colon + 2, (end == std::string::npos ? out.size() : end) - colon - 2);
    }

    static std::string fmt_seconds(double s) {
        char b[32];
        std::snprintf(b, sizeof b, "%.1f s", s);
        return b;
    }

    void finish_record(record r, std::size_t index, std::size_t total) {
        const gauntlet::status st = r.status();
        ++counts_[static_cast<int>(st)];
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
        std::printf("[%zu/%zu %6.1fs] %-8s %-18s %-38s %-4s expected %-5s %-8s %s\n", index, total, elapsed,
                    std::string(to_string(r.check)).c_str(), r.component.c_str(), r.implementation.c_str(),
                    std::string(to_string(r.got)).c_str(), std::string(to_string(r.expected.kind)).c_str(),
                    st == status::mismatch ? "MISMATCH" : std::string(to_string(st)).c_str(), r.detail.c_str());
        if (st == status::mismatch && !r.trace.empty())
            std::printf("---- trace ----\n%s\n---------------\n", record::clip(r.trace).c_str());
        std::fflush(stdout);
        if (const std::string err = write_record(r); !err.empty()) {
            std::fprintf(stderr, "%s: %s\n", program_.c_str(), err.c_str());
            ++write_errors_;
        }
    }

    std::string program_;
    check_kind check_;
    command_line cl_;
    std::vector<std::string> patterns_;
    bool list_ = false, manifest_ = false, verbose_ = false, echo_ = false, parsed_ = false;
    std::uint64_t seed_ = 0;
    double timeout_;
    std::size_t matched_ = 0, decided_ = 0;
    int counts_[5] = {};
    int write_errors_ = 0;
    std::chrono::steady_clock::time_point t0_{};
};

}  // namespace gauntlet
