// suspender: stops one thread in the middle of one of its operations and
// keeps it stopped until released (the progress check's tool).
//
// A worker thread registers its `op_slot` (`worker_slot::enter_thread`) and
// brackets every call into the component:
//
//   const bool ok = slot.run(op_push, [&] { return q.try_push(v); });
//
// The controller calls `suspender::stop(thread, op)`: it sends SIGUSR1 to that
// thread (pthread_kill), so the stop lands wherever the thread happens to be.
// The handler, running on the victim, parks it (futex wait) only if
//   * the victim is inside a bracketed operation of the kind asked for, and
//   * the interrupted instruction is the component's own: in the main
//     executable, or in pthread_mutex_lock / pthread_mutex_unlock (the
//     component's own lock; an interrupt is taken just after the locked
//     instruction that acquired it far more often than anywhere else).
// Otherwise the handler returns at once, says why, and the controller tries
// again a moment later. Why not anywhere: every component here is a
// header-only template, so its own code is in the executable; a stop
// elsewhere in the C library (malloc holding an arena lock, sched_yield)
// would judge the allocator or the kernel path, not the component. Such
// landings are counted and retried, never judged: the check loses a little
// power, never soundness.
//
// Async-signal-safety: the handler uses only a thread_local pointer (initial
// exec TLS of the executable: one %fs-relative load), lock-free std::atomic
// loads and stores, and the futex system call; it saves and restores errno.
// The controller waits for the handler's answer on a futex too.
//
// One suspender per process: each entry runs in its own forked child
// (check_program), and one stop is in flight at a time.
#pragma once

#include <dlfcn.h>
#include <link.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdint>
#include <ctime>
#include <initializer_list>

namespace gauntlet::progress {

static_assert(std::atomic<std::uint32_t>::is_always_lock_free && sizeof(std::atomic<std::uint32_t>) == 4,
              "the futex words are std::atomic<uint32_t> used in place as a 32-bit futex");

inline long futex_call(std::atomic<std::uint32_t>& word, int op, std::uint32_t value, const timespec* timeout) {
    return syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), op, value, timeout, nullptr, 0);
}
inline void futex_wake_all(std::atomic<std::uint32_t>& word) {
    futex_call(word, FUTEX_WAKE_PRIVATE, INT_MAX, nullptr);
}

// Where a worker is: 0 between operations, else the kind of the operation
// it is inside (the component's own numbering, 1..31).
struct op_slot {
    std::atomic<int> op{0};
    std::atomic<std::uint64_t> calls{0};  // operations started by this thread (written by it alone)

    // Runs one call into the component with the slot marking it. The signal
    // fences keep the compiler from moving the call's memory accesses out of
    // the bracket (the handler runs on this thread).
    template <class F>
    auto run(int kind, F&& call) {
        calls.store(calls.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        op.store(kind, std::memory_order_relaxed);
        std::atomic_signal_fence(std::memory_order_seq_cst);
        auto r = call();
        std::atomic_signal_fence(std::memory_order_seq_cst);
        op.store(0, std::memory_order_relaxed);
        return r;
    }
};

inline thread_local op_slot* current_slot = nullptr;

// What the handler did with a stop request.
enum class landing : std::uint32_t {
    pending = 0,
    parked,      // inside the wanted operation, in the executable: stopped
    not_in_op,   // between operations, or inside another kind
    outside,     // inside the wanted operation but in a library (C library, libtbb)
    resumed,     // released and running again
};

// Where a parked victim stopped.
struct stop_point {
    int op = 0;
    std::uint64_t call = 0;       // its n-th operation
    std::uintptr_t pc = 0;
    std::uintptr_t pc_offset = 0;  // pc - the executable's load address (addr2line -e <exe>, when in it)
    bool in_executable = true;
};

class suspender {
public:
    static suspender& instance() {
        static suspender s;
        return s;
    }

    // Installs the SIGUSR1 handler and finds the code a stop may land in.
    void install() {
        dl_iterate_phdr(&find_text, this);
        for (void* f : {reinterpret_cast<void*>(&pthread_mutex_lock), reinterpret_cast<void*>(&pthread_mutex_unlock)}) {
            Dl_info info{};
            void* extra = nullptr;
            const bool found = dladdr1(f, &info, &extra, RTLD_DL_SYMENT) != 0;
            const auto* sym = static_cast<const ElfW(Sym)*>(extra);
            if (found && sym && sym->st_size && ranges_ < max_ranges) {
                lo_[ranges_] = reinterpret_cast<std::uintptr_t>(info.dli_saddr);
                hi_[ranges_] = lo_[ranges_] + sym->st_size;
                ++ranges_;
            }
        }
        struct sigaction sa {};
        sa.sa_sigaction = &on_signal;
        sa.sa_flags = SA_SIGINFO | SA_RESTART;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGUSR1, &sa, nullptr);
    }

    // Asks `victim` to stop inside an operation of kind `op`; returns what
    // the handler answered (pending: no answer within `patience`).
    landing stop(pthread_t victim, int op, std::chrono::milliseconds patience) {
        want_.store(op, std::memory_order_relaxed);
        ack_.store(static_cast<std::uint32_t>(landing::pending), std::memory_order_seq_cst);
        pthread_kill(victim, SIGUSR1);
        return wait_ack_change(landing::pending, patience);
    }

    // Lets the parked victim go and waits until it runs again.
    void release() {
        release_.fetch_add(1, std::memory_order_release);
        futex_wake_all(release_);
        (void)wait_ack_change(landing::parked, std::chrono::milliseconds(60000));
    }

    stop_point where() const {
        const std::uintptr_t pc = pc_.load(std::memory_order_acquire);
        return {op_.load(std::memory_order_acquire), call_.load(std::memory_order_acquire), pc, pc - base_,
                ranges_ > 0 && pc >= lo_[0] && pc < hi_[0]};
    }

private:
    suspender() = default;

    landing wait_ack_change(landing from, std::chrono::milliseconds patience) {
        const auto deadline = std::chrono::steady_clock::now() + patience;
        for (;;) {
            const std::uint32_t a = ack_.load(std::memory_order_acquire);
            if (a != static_cast<std::uint32_t>(from)) return static_cast<landing>(a);
            if (std::chrono::steady_clock::now() >= deadline) return from;
            const timespec slice{0, 1'000'000};  // re-check the clock every millisecond
            futex_call(ack_, FUTEX_WAIT_PRIVATE, a, &slice);
        }
    }

    static int find_text(dl_phdr_info* info, std::size_t, void* self) {
        auto* s = static_cast<suspender*>(self);
        // The first object is the executable itself.
        s->base_ = info->dlpi_addr;
        for (int i = 0; i < info->dlpi_phnum; ++i) {
            const ElfW(Phdr)& ph = info->dlpi_phdr[i];
            if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X) && s->ranges_ < max_ranges) {
                s->lo_[s->ranges_] = info->dlpi_addr + ph.p_vaddr;
                s->hi_[s->ranges_] = s->lo_[s->ranges_] + ph.p_memsz;
                ++s->ranges_;
            }
        }
        return 1;  // stop after the executable
    }

    static std::uintptr_t interrupted_pc(const void* context) {
        const auto* uc = static_cast<const ucontext_t*>(context);
#if defined(__x86_64__)
        return static_cast<std::uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
#elif defined(__aarch64__)
        return static_cast<std::uintptr_t>(uc->uc_mcontext.pc);
#else
#error "progress check: add this architecture's program counter in ucontext_t"
#endif
    }

    bool own_code(std::uintptr_t pc) const {
        for (int i = 0; i < ranges_; ++i)
            if (pc >= lo_[i] && pc < hi_[i]) return true;
        return false;
    }

    void answer(landing l) {
        ack_.store(static_cast<std::uint32_t>(l), std::memory_order_release);
        futex_wake_all(ack_);
    }

    // The handler (async-signal-safe: see the header comment).
    static void on_signal(int, siginfo_t*, void* context) {
        const int saved_errno = errno;
        suspender& s = instance();
        const op_slot* slot = current_slot;
        const int op = slot ? slot->op.load(std::memory_order_relaxed) : 0;
        const std::uintptr_t pc = interrupted_pc(context);
        if (op == 0 || op != s.want_.load(std::memory_order_relaxed)) {
            s.answer(landing::not_in_op);
        } else if (!s.own_code(pc)) {
            s.answer(landing::outside);
        } else {
            const std::uint32_t generation = s.release_.load(std::memory_order_acquire);
            s.op_.store(op, std::memory_order_relaxed);
            s.call_.store(slot->calls.load(std::memory_order_relaxed), std::memory_order_relaxed);
            s.pc_.store(pc, std::memory_order_relaxed);
            s.answer(landing::parked);
            while (s.release_.load(std::memory_order_acquire) == generation)
                futex_call(s.release_, FUTEX_WAIT_PRIVATE, generation, nullptr);
            s.answer(landing::resumed);
        }
        errno = saved_errno;
    }

    std::atomic<int> want_{0};
    std::atomic<std::uint32_t> ack_{0};
    std::atomic<std::uint32_t> release_{0};
    std::atomic<int> op_{0};
    std::atomic<std::uint64_t> call_{0};
    std::atomic<std::uintptr_t> pc_{0};
    static constexpr int max_ranges = 8;
    std::uintptr_t lo_[max_ranges] = {}, hi_[max_ranges] = {};  // code a stop may land in
    int ranges_ = 0;
    std::uintptr_t base_ = 0;
};

}  // namespace gauntlet::progress
