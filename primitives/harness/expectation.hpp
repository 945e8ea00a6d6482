// Verdicts and expectations: one vocabulary for C++, console, JSON and report.
//
//   verdict      what a check decided for one entry: pass | fail
//                (a crash, a hang or a sanitizer report is a fail whose
//                detail names it)
//   expectation  what the catalogue says the check must decide:
//     pass   the verdict must be pass;
//     fail   the verdict must be fail: a *finding* (mutant caught, seed
//            defect shown, peer breaking its declared contract);
//     flaky  the check runs and its verdict is recorded but not held; the
//            reason why it cannot be made deterministic is mandatory;
//     skip   the check does not run for this entry; the reason is mandatory.
//
// A `flaky` or `skip` without a reason does not compile: the catalogue says
// `expect::fail` or `{expect::skip, "why"}`.
#pragma once

#include <array>
#include <string_view>

namespace gauntlet {

enum class verdict { pass, fail, skip };
enum class expect { pass, fail, flaky, skip };

enum class origin_kind { in_house, seed, published, peer, mutant };

// What an entry promises about progress when one of its threads is stalled
// mid-operation (checked by the progress check).
enum class progress_kind { wait_free, lock_free, blocking };

constexpr std::string_view to_string(verdict v) {
    return v == verdict::pass ? "pass" : v == verdict::fail ? "fail" : "skip";
}
constexpr std::string_view to_string(expect e) {
    switch (e) {
        case expect::pass: return "pass";
        case expect::fail: return "fail";
        case expect::flaky: return "flaky";
        case expect::skip: return "skip";
    }
    return "?";
}
constexpr std::string_view to_string(origin_kind o) {
    switch (o) {
        case origin_kind::in_house: return "in-house";
        case origin_kind::seed: return "seed";
        case origin_kind::published: return "published";
        case origin_kind::peer: return "peer";
        case origin_kind::mutant: return "mutant";
    }
    return "?";
}
constexpr std::string_view to_string(progress_kind p) {
    switch (p) {
        case progress_kind::wait_free: return "wait-free";
        case progress_kind::lock_free: return "lock-free";
        case progress_kind::blocking: return "blocking";
    }
    return "?";
}

struct expectation {
    expect kind = expect::pass;
    std::string_view reason;

    // `expect::pass` / `expect::fail` alone; flaky and skip need a reason.
    consteval expectation(expect k) : kind(k) {
        if (k == expect::flaky || k == expect::skip) throw "flaky and skip need a reason: {expect::skip, \"why\"}";
    }
    consteval expectation(expect k, std::string_view why) : kind(k), reason(why) {
        if (why.empty()) throw "an expectation's reason must not be empty";
    }
    constexpr expectation() = default;
};

// How a verdict compares with its expectation. This is the one rule; the
// report (scripts/report.py: status_of) states it again for records read back.
enum class status { ok, finding, mismatch, flaky, skipped };

constexpr status status_of(verdict got, expect e) {
    if (e == expect::skip) return status::skipped;
    if (e == expect::flaky) return status::flaky;
    if (got == verdict::skip) return status::mismatch;
    const bool held = (e == expect::pass) == (got == verdict::pass);
    if (!held) return status::mismatch;
    return got == verdict::fail ? status::finding : status::ok;
}
constexpr std::string_view to_string(status s) {
    switch (s) {
        case status::ok: return "ok";
        case status::finding: return "finding";
        case status::mismatch: return "mismatch";
        case status::flaky: return "flaky";
        case status::skipped: return "skipped";
    }
    return "?";
}

// The check columns. Each check program decides one of them per entry.
enum class check_kind { property, linearizability, model, stress, tsan, asan, progress, bench, litmus };
inline constexpr std::array all_checks{check_kind::property, check_kind::linearizability, check_kind::model,
                                       check_kind::stress,   check_kind::tsan,            check_kind::asan,
                                       check_kind::progress, check_kind::bench,           check_kind::litmus};

constexpr std::string_view to_string(check_kind c) {
    switch (c) {
        case check_kind::property: return "property";
        case check_kind::linearizability: return "linearizability";
        case check_kind::model: return "model";
        case check_kind::stress: return "stress";
        case check_kind::tsan: return "tsan";
        case check_kind::asan: return "asan";
        case check_kind::progress: return "progress";
        case check_kind::bench: return "bench";
        case check_kind::litmus: return "litmus";
    }
    return "?";
}

// Expected verdict of a component entry under each check. Defaults: every
// check must pass. A kind whose contract gives a check nothing to decide
// skips it with the reason (e.g. linearizability for lifecycles); the
// component's catalogue says so in one place.
struct expectations {
    // (in the order designated initializers must follow)
    expectation property = expect::pass;
    expectation model = expect::pass;
    expectation stress = expect::pass;  // native build
    expectation tsan = expect::pass;    // the same stress body under ThreadSanitizer
    expectation asan = expect::pass;    // property and stress bodies under ASan + LSan + UBSan
    expectation bench = expect::pass;
    expectation linearizability = expect::pass;
    expectation progress = expect::pass;

    constexpr expectation of(check_kind c) const {
        switch (c) {
            case check_kind::property: return property;
            case check_kind::linearizability: return linearizability;
            case check_kind::model: return model;
            case check_kind::stress: return stress;
            case check_kind::tsan: return tsan;
            case check_kind::asan: return asan;
            case check_kind::progress: return progress;
            case check_kind::bench: return bench;
            case check_kind::litmus: break;
        }
        return {expect::skip, "not a check of this component kind"};
    }
};

}  // namespace gauntlet
