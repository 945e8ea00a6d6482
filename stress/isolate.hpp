// Run one entry's stress body in a child process.
//
// Each catalogue entry is stressed in its own forked child so that
//  * a hang (a lifecycle that never closes, a queue that loses its wake-up) is
//    a verdict, not a stuck suite: the parent kills the child at the deadline;
//  * ThreadSanitizer reports are attributed to the entry that caused them: the
//    TSan build runs with halt_on_error=0 exitcode=66, so a child with a race
//    report exits 66 and its report is the trace;
//  * a crash in one entry does not hide the verdicts of the others.
// The parent is single-threaded when it forks, which TSan supports.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace gauntlet {

struct isolated_outcome {
    bool passed = false;
    bool timed_out = false;
    int exit_code = -1;   // child exit status, or -signal
    std::string output;   // child's stdout+stderr (last 64 KiB)
    double seconds = 0;
};

inline bool under_tsan() {
#if defined(__SANITIZE_THREAD__)
    return true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
    return true;
#else
    return false;
#endif
#else
    return false;
#endif
}

// `body` returns 0 on success; anything it prints is captured.
template <class F>
isolated_outcome run_isolated(F&& body, double timeout_s) {
    isolated_outcome o;
    int fds[2];
    if (pipe(fds) != 0) {
        o.output = "pipe() failed";
        return o;
    }
    std::fflush(nullptr);
    const auto t0 = std::chrono::steady_clock::now();
    pid_t pid = fork();
    if (pid < 0) {
        o.output = "fork() failed";
        return o;
    }
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[1]);
        int rc = body();
        std::fflush(nullptr);
        // exit(), not _Exit(): ThreadSanitizer turns reported races into its
        // exitcode (66) in its exit-time hook.
        std::exit(rc);
    }
    close(fds[1]);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    const auto deadline = t0 + std::chrono::duration<double>(timeout_s);
    int status = 0;
    bool reaped = false;
    char buf[4096];
    for (;;) {
        pollfd p{fds[0], POLLIN, 0};
        poll(&p, 1, 50);
        for (;;) {
            ssize_t n = read(fds[0], buf, sizeof buf);
            if (n <= 0) break;
            o.output.append(buf, static_cast<size_t>(n));
            if (o.output.size() > (1u << 17)) o.output.erase(0, o.output.size() - (1u << 16));
        }
        if (!reaped && waitpid(pid, &status, WNOHANG) == pid) reaped = true;
        if (reaped) {
            // drain what is left
            for (;;) {
                ssize_t n = read(fds[0], buf, sizeof buf);
                if (n <= 0) break;
                o.output.append(buf, static_cast<size_t>(n));
            }
            break;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            o.timed_out = true;
            break;
        }
    }
    close(fds[0]);
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (o.timed_out) {
        o.exit_code = -SIGKILL;
        o.output += "\n[gauntlet] child killed after " + std::to_string(timeout_s) + " s: hang\n";
    } else if (WIFEXITED(status)) {
        o.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        o.exit_code = -WTERMSIG(status);
    }
    if (o.output.size() > (1u << 16)) o.output.erase(0, o.output.size() - (1u << 16));
    o.passed = !o.timed_out && o.exit_code == 0;
    return o;
}

}  // namespace gauntlet
