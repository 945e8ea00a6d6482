// The harness is tested: each way a child can end becomes the outcome the
// harness names, results survive the trip back from the child, the one
// comparison rule gives each status, and bad numbers on the command line
// are refused.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <thread>

#include "primitives/command_line.hpp"
#include "primitives/harness/check_program.hpp"
#include "primitives/harness/watchdog.hpp"

namespace {

using namespace gauntlet;

TEST(RunInChild, ReturnedPayloadAndOutput) {
    const child_outcome o = run_in_child(
        [] {
            std::printf("hello from the child\n");
            return std::string("payload");
        },
        10.0);
    EXPECT_EQ(o.end, child_end::returned);
    ASSERT_TRUE(o.payload.has_value());
    EXPECT_EQ(*o.payload, "payload");
    EXPECT_NE(o.output.find("hello from the child"), std::string::npos);
}

TEST(RunInChild, CrashIsSignalled) {
    const child_outcome o = run_in_child(
        []() -> std::string {
            std::raise(SIGSEGV);
            return "unreachable";
        },
        10.0);
    EXPECT_EQ(o.end, child_end::signalled);
    EXPECT_EQ(o.code, SIGSEGV);
}

TEST(RunInChild, HangIsKilledAtTheDeadline) {
    const child_outcome o = run_in_child(
        []() -> std::string {
            for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
        },
        0.3);
    EXPECT_EQ(o.end, child_end::hung);
    EXPECT_LT(o.seconds, 5.0);
}

TEST(RunInChild, SanitizerExitCodeIsAReport) {
    const child_outcome o = run_in_child([]() -> std::string { std::exit(sanitizer_exit_code); }, 10.0);
    EXPECT_EQ(o.end, child_end::sanitizer_report);
}

TEST(RunInChild, ExitWithoutResult) {
    const child_outcome o = run_in_child([]() -> std::string { std::exit(3); }, 10.0);
    EXPECT_EQ(o.end, child_end::exited);
    EXPECT_EQ(o.code, 3);
    EXPECT_FALSE(o.payload.has_value());
}

// The result a child returned, or a test failure.
result returned_result(const child_outcome& o) {
    result r;
    EXPECT_EQ(o.end, child_end::returned);
    EXPECT_TRUE(o.payload && harness_detail::decode(*o.payload, r));
    return r;
}

// A phase that overruns its watchdog returns the watchdog's result, from
// the watchdog's thread, while the phase is still stuck; one that ends in
// time disarms it and the body's own result comes back.
TEST(PhaseWatchdog, OverrunReturnsItsResultFromAStuckChild) {
    const child_outcome o = run_in_child(
        []() -> std::string {
            phase_watchdog guard(0.2, [] { return result::fail("stuck phase"); });
            for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
        },
        10.0);
    const result r = returned_result(o);
    EXPECT_EQ(r.got, verdict::fail);
    EXPECT_EQ(r.detail, "stuck phase");
    EXPECT_LT(o.seconds, 5.0);
}

TEST(PhaseWatchdog, PhaseInTimeDisarmsIt) {
    const child_outcome o = run_in_child(
        []() -> std::string {
            { phase_watchdog guard(0.5, [] { return result::fail("stuck phase"); }); }
            std::this_thread::sleep_for(std::chrono::milliseconds(800));
            return harness_detail::encode(result::pass("done"));
        },
        10.0);
    const result r = returned_result(o);
    EXPECT_EQ(r.got, verdict::pass);
    EXPECT_EQ(r.detail, "done");
}

TEST(ResultEncoding, RoundTrip) {
    json m;
    m["n"] = 3;
    const result in = result::fail("detail\nwith newline", "trace 12\n34", m);
    result out;
    ASSERT_TRUE(harness_detail::decode(harness_detail::encode(in), out));
    EXPECT_EQ(out.got, verdict::fail);
    EXPECT_EQ(out.detail, in.detail);
    EXPECT_EQ(out.trace, in.trace);
    EXPECT_EQ(out.metrics.dump(), "{\"n\":3}");
    EXPECT_FALSE(harness_detail::decode("x\n", out));
    EXPECT_FALSE(harness_detail::decode("p\n99\nshort", out));
}

TEST(Status, OneRule) {
    EXPECT_EQ(status_of(verdict::pass, expect::pass), status::ok);
    EXPECT_EQ(status_of(verdict::fail, expect::fail), status::finding);
    EXPECT_EQ(status_of(verdict::fail, expect::pass), status::mismatch);
    EXPECT_EQ(status_of(verdict::pass, expect::fail), status::mismatch);
    EXPECT_EQ(status_of(verdict::fail, expect::flaky), status::flaky);
    EXPECT_EQ(status_of(verdict::skip, expect::skip), status::skipped);
    EXPECT_EQ(status_of(verdict::skip, expect::pass), status::mismatch);
}

TEST(Json, EscapesAndNonFinite) {
    json j;
    j["s"] = "a\"b\\c\n\x01";
    j["x"] = 1.0 / 0.0;
    EXPECT_EQ(j.dump(), "{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"x\":null}");
}

TEST(CommandLine, NumbersAreRangeChecked) {
    int rounds = 5;
    command_line cl("t", "test");
    cl.option("--rounds", "N", "rounds", rounds, 1, 10);
    const char* zero[] = {"t", "--rounds", "0"};
    EXPECT_EQ(cl.parse(3, const_cast<char**>(zero)), 2);
    const char* frac[] = {"t", "--rounds=2.5"};
    EXPECT_EQ(cl.parse(2, const_cast<char**>(frac)), 2);
    const char* good[] = {"t", "--rounds", "7"};
    EXPECT_EQ(cl.parse(3, const_cast<char**>(good)), -1);
    EXPECT_EQ(rounds, 7);
}

TEST(EntrySeed, StableAndDistinct) {
    EXPECT_EQ(entry_seed(1, "a"), entry_seed(1, "a"));
    EXPECT_NE(entry_seed(1, "a"), entry_seed(1, "b"));
    EXPECT_NE(entry_seed(1, "a"), entry_seed(2, "a"));
}

}  // namespace

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
