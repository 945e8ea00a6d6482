// One record per entry x check, and the one place that writes it.
//
// A record is written as results/<check>.<component>.<implementation>.json,
// first to a temporary name in the same folder and then renamed, so a reader
// never sees half a record. Traces longer than `trace_limit` keep their head
// (what failed, the replay line) and their tail (a model trace's failing step
// is its last line): the one clipping rule of the project.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "primitives/harness/expectation.hpp"
#include "primitives/harness/json.hpp"

namespace gauntlet {

struct record {
    std::string component;       // "lifecycle", "queue.mpmc.bounded", "litmus", ...
    std::string implementation;  // catalogue name
    origin_kind origin = origin_kind::in_house;
    check_kind check = check_kind::property;
    verdict got = verdict::pass;
    expectation expected;
    std::string detail;  // one line
    std::string trace;   // counterexample, model trace, sanitizer report; starts with the replay line
    std::uint64_t seed = 0;
    double seconds = 0;
    json metrics;  // object: typed figures of this check (executions, histories, throughput, ...)

    gauntlet::status status() const { return status_of(got, expected.kind); }

    json to_json() const {
        json j;
        j["component"] = component;
        j["implementation"] = implementation;
        j["origin"] = to_string(origin);
        j["check"] = to_string(check);
        j["verdict"] = to_string(got);
        j["expected"] = to_string(expected.kind);
        j["reason"] = expected.reason;
        j["status"] = to_string(status());
        j["detail"] = detail;
        j["trace"] = clip(trace);
        j["seed"] = std::to_string(seed);  // a string: 64-bit seeds exceed a double's integers
        j["seconds"] = seconds;
        j["metrics"] = metrics.is_null() ? json(json::object{}) : metrics;
        return j;
    }

    static constexpr std::size_t trace_limit = 64 * 1024;
    static std::string clip(const std::string& t) {
        constexpr std::size_t head = 16 * 1024, tail = trace_limit - head;
        if (t.size() <= trace_limit) return t;
        return t.substr(0, head) + "\n[... " + std::to_string(t.size() - trace_limit) + " bytes elided ...]\n" +
               t.substr(t.size() - tail);
    }
};

// $GAUNTLET_RESULTS_DIR, default ./results.
inline std::filesystem::path results_dir() {
    const char* d = std::getenv("GAUNTLET_RESULTS_DIR");
    return std::filesystem::path(d && *d ? d : "results");
}

// Writes one record atomically; returns an error message, empty on success.
inline std::string write_record(const record& r) {
    namespace fs = std::filesystem;
    const fs::path dir = results_dir();
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir)) return "cannot create results folder " + dir.string() + ": not a directory";
    std::string file = std::string(to_string(r.check)) + "." + r.component + "." + r.implementation + ".json";
    for (auto& c : file)
        if (c == '/' || c == ' ') c = '_';
    const fs::path final_path = dir / file;
    const fs::path tmp = dir / ("." + file + ".tmp" + std::to_string(::getpid()));
    {
        std::ofstream out(tmp);
        out << r.to_json().dump() << "\n";
        out.flush();
        if (!out) {
            fs::remove(tmp, ec);
            return "cannot write " + tmp.string();
        }
    }
    fs::rename(tmp, final_path, ec);
    if (ec) {
        fs::remove(tmp, ec);
        return "cannot rename into " + final_path.string();
    }
    return {};
}

}  // namespace gauntlet
