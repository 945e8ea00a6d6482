// Verdicts as data.
//
// Every check (property, model, stress, bench, litmus) decides a verdict per
// catalogue entry and hands it to a `verdict_log` together with the verdict
// the catalogue expects. The log writes one JSON record per entry x check into
// the results folder ($GAUNTLET_RESULTS_DIR, default ./results) and
// `exit_status()` is non-zero as soon as one verdict differs from its
// expectation. A check that fails where failure is expected is a *finding*:
// the suite passes and the record carries the counterexample or trace.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace gauntlet {

enum class verdict { pass, fail };
// What the catalogue expects of an entry under one check. `na`: the check does
// not apply (a peer cannot be model-checked: its atomics are not ours to swap).
enum class expect { pass, fail, na };

enum class origin_kind { in_house, seed, peer, mutant };

constexpr std::string_view to_string(verdict v) { return v == verdict::pass ? "pass" : "fail"; }
constexpr std::string_view to_string(expect e) {
    return e == expect::pass ? "pass" : e == expect::fail ? "fail" : "n/a";
}
constexpr std::string_view to_string(origin_kind o) {
    switch (o) {
        case origin_kind::in_house: return "in-house";
        case origin_kind::seed: return "seed";
        case origin_kind::peer: return "peer";
        case origin_kind::mutant: return "mutant";
    }
    return "?";
}

inline std::string json_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 8);
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out;
}

// One entry x check outcome.
struct record {
    std::string component;       // "lifecycle", "queue.mpmc", "litmus", ...
    std::string implementation;  // catalogue name
    std::string origin;          // in-house | seed | peer | mutant
    std::string check;           // property | model | stress | bench | litmus
    verdict got = verdict::pass;
    expect expected = expect::pass;
    std::string detail;                          // one-line summary
    std::string trace;                           // counterexample / model trace / seed
    std::map<std::string, std::string> extra;    // numeric or string metrics, JSON-encoded values
};

class verdict_log {
public:
    explicit verdict_log(std::string check) : check_(std::move(check)) {}
    verdict_log(const verdict_log&) = delete;
    verdict_log& operator=(const verdict_log&) = delete;
    ~verdict_log() { flush(); }

    // Record a verdict; prints one human line and returns whether it matched.
    bool add(record r) {
        r.check = check_;
        const bool matched = r.expected == expect::na ||
                             to_string(r.expected) == to_string(r.got);
        const bool finding = matched && r.got == verdict::fail;
        std::printf("%-9s %-14s %-34s %-4s expected %-4s %s%s\n", check_.c_str(), r.component.c_str(),
                    r.implementation.c_str(), std::string(to_string(r.got)).c_str(),
                    std::string(to_string(r.expected)).c_str(),
                    matched ? (finding ? "FINDING " : "ok ") : "MISMATCH ", r.detail.c_str());
        if (!matched && !r.trace.empty())
            std::printf("---- trace ----\n%s\n---------------\n", r.trace.c_str());
        std::fflush(stdout);
        if (!matched) ++mismatches_;
        records_.push_back(std::move(r));
        return matched;
    }

    int mismatches() const { return mismatches_; }
    int exit_status() {
        flush();
        return mismatches_ == 0 ? 0 : 1;
    }

    static std::filesystem::path results_dir() {
        const char* d = std::getenv("GAUNTLET_RESULTS_DIR");
        return std::filesystem::path(d && *d ? d : "results");
    }

private:
    void flush() {
        if (records_.empty()) return;
        namespace fs = std::filesystem;
        std::error_code ec;
        fs::create_directories(results_dir(), ec);
        for (const auto& r : records_) {
            std::string file = r.check + "." + r.component + "." + r.implementation + ".json";
            for (auto& c : file)
                if (c == '/' || c == ' ') c = '_';
            std::ofstream out(results_dir() / file);
            out << "{\"component\":\"" << json_escape(r.component) << "\",\"implementation\":\""
                << json_escape(r.implementation) << "\",\"origin\":\"" << json_escape(r.origin)
                << "\",\"check\":\"" << json_escape(r.check) << "\",\"verdict\":\"" << to_string(r.got)
                << "\",\"expected\":\"" << to_string(r.expected) << "\",\"detail\":\""
                << json_escape(r.detail) << "\",\"trace\":\"" << json_escape(clip(r.trace))
                << "\"";
            for (const auto& [k, v] : r.extra) out << ",\"" << json_escape(k) << "\":" << v;
            out << "}\n";
            if (!out) std::fprintf(stderr, "gauntlet: cannot write %s\n", (results_dir() / file).c_str());
        }
        records_.clear();
    }

    // Traces over 64 KiB keep their head (what failed) and their tail (a
    // model trace's failing step is its last line).
    static std::string clip(const std::string& t) {
        constexpr std::size_t head = 16 * 1024, tail = 48 * 1024;
        if (t.size() <= head + tail) return t;
        return t.substr(0, head) + "\n[... " + std::to_string(t.size() - head - tail) + " bytes elided ...]\n" +
               t.substr(t.size() - tail);
    }

    std::string check_;
    std::vector<record> records_;
    int mismatches_ = 0;
};

}  // namespace gauntlet
