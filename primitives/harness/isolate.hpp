// Run one entry's check body in a forked child.
//
// Every check runs every entry in its own child process, so that
//  * a hang (a lifecycle that never closes, a queue that loses a wake-up) is
//    a verdict, not a stuck suite: the parent kills the child at its deadline;
//  * a crash or memory corruption (a use-after-free mutant) stays in the
//    child and becomes that entry's verdict, never another entry's;
//  * a sanitizer report is attributed to the entry that caused it: the
//    sanitizer builds run with exitcode=66 (`sanitizer_exit_code`), so a child
//    whose run produced a report exits 66 and the report is in its output.
// The parent is single-threaded when it forks, which ThreadSanitizer and
// AddressSanitizer support. The child's stdout and stderr are captured; the
// body's result travels back on a second pipe.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

namespace gauntlet {

// The exit status every sanitizer build is configured to use for a report
// (meson.build: TSAN_OPTIONS / ASAN_OPTIONS exitcode).
inline constexpr int sanitizer_exit_code = 66;

// Which sanitizer this translation unit is built with (gcc defines
// __SANITIZE_*__, clang answers __has_feature).
#if defined(__has_feature)
#define GAUNTLET_HAS_FEATURE(x) __has_feature(x)
#else
#define GAUNTLET_HAS_FEATURE(x) 0
#endif
inline constexpr bool built_with_tsan =
#if defined(__SANITIZE_THREAD__) || GAUNTLET_HAS_FEATURE(thread_sanitizer)
    true;
#else
    false;
#endif
inline constexpr bool built_with_asan =
#if defined(__SANITIZE_ADDRESS__) || GAUNTLET_HAS_FEATURE(address_sanitizer)
    true;
#else
    false;
#endif
#undef GAUNTLET_HAS_FEATURE

inline bool under_tsan() { return built_with_tsan; }
inline bool under_asan() { return built_with_asan; }

// How a child ended.
enum class child_end { returned, exited, signalled, hung, sanitizer_report, fork_failed };

struct child_outcome {
    child_end end = child_end::fork_failed;
    int code = 0;                        // exit status, or the signal number
    std::optional<std::string> payload;  // what the body returned, if it returned
    std::string output;                  // stdout + stderr of the child
    double seconds = 0;
};

namespace isolate_detail {
// The child's end of the result pipe (-1 outside a child): finish_child_now
// writes to it.
inline int child_result_fd = -1;

inline void write_all(int fd, const std::string& s) {
    std::size_t off = 0;
    while (off < s.size()) {
        const ssize_t n = write(fd, s.data() + off, s.size() - off);
        if (n <= 0) break;
        off += static_cast<std::size_t>(n);
    }
}

inline void append_from(int fd, std::string& to, std::size_t limit) {
    char buf[8192];
    for (;;) {
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) return;
        to.append(buf, static_cast<std::size_t>(n));
        // Keep the head (what failed first) and the most recent output.
        if (to.size() > limit) to.erase(limit / 2, to.size() - limit);
    }
}
}  // namespace isolate_detail

// From any thread of a child of run_in_child: hand `payload` to the parent
// as the body's return value and end the child now, without unwinding or
// joining the other threads (a thread stuck in a loop cannot be joined).
// _exit skips the sanitizers' exit hooks: a report already printed has no
// exit status of its own then, so use this only to report a failure the body
// has established itself (a stuck round). Outside a child it aborts.
[[noreturn]] inline void finish_child_now(const std::string& payload) {
    if (isolate_detail::child_result_fd < 0) {
        std::fputs("finish_child_now: not in a child of run_in_child\n", stderr);
        std::abort();
    }
    std::fflush(nullptr);
    isolate_detail::write_all(isolate_detail::child_result_fd, payload);
    _exit(0);
}

// `body()` returns the payload string; anything it prints is captured.
template <class F>
child_outcome run_in_child(F&& body, double timeout_s) {
    child_outcome o;
    int out_pipe[2], result_pipe[2];
    if (pipe(out_pipe) != 0) return o;
    if (pipe(result_pipe) != 0) {
        close(out_pipe[0]);
        close(out_pipe[1]);
        return o;
    }
    std::fflush(nullptr);
    const auto t0 = std::chrono::steady_clock::now();
    const pid_t pid = fork();
    if (pid < 0) {
        for (int fd : {out_pipe[0], out_pipe[1], result_pipe[0], result_pipe[1]}) close(fd);
        return o;
    }
    if (pid == 0) {
        close(out_pipe[0]);
        close(result_pipe[0]);
        dup2(out_pipe[1], 1);
        dup2(out_pipe[1], 2);
        close(out_pipe[1]);
        isolate_detail::child_result_fd = result_pipe[1];
        const std::string payload = body();
        std::fflush(nullptr);
        isolate_detail::write_all(result_pipe[1], payload);
        close(result_pipe[1]);
        // exit(), not _Exit(): the sanitizers turn a report into their
        // exitcode (66) in their exit-time hooks, and LeakSanitizer runs there.
        std::exit(0);
    }
    close(out_pipe[1]);
    close(result_pipe[1]);
    fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
    fcntl(result_pipe[0], F_SETFL, O_NONBLOCK);
    const auto deadline = t0 + std::chrono::duration<double>(timeout_s);
    constexpr std::size_t limit = 1u << 20;
    std::string payload;
    int status = 0;
    bool reaped = false, hung = false;
    while (!reaped) {
        pollfd p[2] = {{out_pipe[0], POLLIN, 0}, {result_pipe[0], POLLIN, 0}};
        poll(p, 2, 50);
        isolate_detail::append_from(out_pipe[0], o.output, limit);
        isolate_detail::append_from(result_pipe[0], payload, std::size_t(64) << 20);
        if (waitpid(pid, &status, WNOHANG) == pid) {
            reaped = true;
        } else if (std::chrono::steady_clock::now() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            reaped = hung = true;
        }
    }
    isolate_detail::append_from(out_pipe[0], o.output, limit);
    isolate_detail::append_from(result_pipe[0], payload, std::size_t(64) << 20);
    close(out_pipe[0]);
    close(result_pipe[0]);
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (hung) {
        o.end = child_end::hung;
        o.code = SIGKILL;
    } else if (WIFSIGNALED(status)) {
        o.end = child_end::signalled;
        o.code = WTERMSIG(status);
    } else {
        o.code = WEXITSTATUS(status);
        o.end = o.code == sanitizer_exit_code ? child_end::sanitizer_report
                : o.code == 0 && !payload.empty() ? child_end::returned
                                                  : child_end::exited;
    }
    if (!payload.empty()) o.payload = std::move(payload);
    return o;
}

}  // namespace gauntlet
