// op_clock: invocation and response timestamps for queue operations, from the
// processor's invariant time-stamp counter, without a shared counter.
//
// The checks that judge real-time order (the linearizability histories,
// stress's spurious-full / spurious-empty and cross-consumer order
// detectors) need stamps such that "a.response < b.invoke" implies that a
// really completed, its stores visible to every core, before b began. A
// shared seq_cst fetch_add counter gives that, but it is a locked RMW on one
// contended cache line around every call: a full fence between operations
// that also serialises the threads on that line, which hides exactly the
// reorderings and near-simultaneous calls the checks look for.
//
// Here each stamp reads the core's own TSC:
//
//   invoke():   RDTSCP; LFENCE
//     RDTSCP waits until every earlier instruction has executed and every
//     earlier load is globally visible (Intel SDM vol. 2B, RDTSCP), so the
//     stamp is not taken early; LFENCE after it keeps later instructions
//     (the operation's first load or store) from starting before the read
//     (the SDM's recommended sequence). The operation therefore starts after
//     its invocation stamp.
//   response(): MFENCE; RDTSCP; LFENCE
//     RDTSCP does not wait for earlier *stores* to become globally visible:
//     a queue's publishing store (a release store is a plain mov on x86) may
//     still sit in the store buffer when the counter is read. MFENCE drains
//     the store buffer first, so every store of the operation is visible to
//     all cores before the response stamp. Without it a pop stamped later
//     could legitimately miss the item and the checks would report a false
//     violation. The MFENCE is local to the calling core (no shared line),
//     and it orders only this thread's operation against its own next one;
//     nothing inside an operation is fenced.
//
// Comparing stamps across cores is sound only if every core's TSC counts the
// same time: an invariant TSC (CPUID 0x80000007 EDX bit 8; /proc/cpuinfo
// flags constant_tsc and nonstop_tsc) that the kernel found synchronised
// across CPUs (it then uses "tsc" as its clocksource). `reliable()` checks
// both; where either fails the clock falls back to the shared seq_cst counter
// (sound, but fencing), and `name()` says which clock a record used.
#pragma once

#include <atomic>
#include <cstdint>
#include <fstream>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <x86intrin.h>
#define GAUNTLET_OP_CLOCK_TSC 1
#endif

namespace gauntlet {

class op_clock {
public:
    // True when TSC stamps are comparable across cores on this machine.
    static bool reliable() {
        static const bool ok = [] {
#if defined(GAUNTLET_OP_CLOCK_TSC)
            unsigned a = 0, b = 0, c = 0, d = 0;
            if (!__get_cpuid(0x80000007u, &a, &b, &c, &d) || !(d & (1u << 8))) return false;  // invariant TSC
            if (!__get_cpuid(0x80000001u, &a, &b, &c, &d) || !(d & (1u << 27))) return false;  // RDTSCP
            std::ifstream f("/sys/devices/system/clocksource/clocksource0/current_clocksource");
            std::string source;
            f >> source;
            return source == "tsc";  // the kernel's check that the TSCs are synchronised
#else
            return false;
#endif
        }();
        return ok;
    }
    static const char* name() { return reliable() ? "rdtscp" : "shared seq_cst counter"; }

    // Taken just before a call.
    static std::uint64_t invoke() { return stamp(false); }
    // Taken just after a return: the mfence first (see above).
    static std::uint64_t response() { return stamp(true); }

private:
    static std::uint64_t stamp([[maybe_unused]] bool after_return) {
#if defined(GAUNTLET_OP_CLOCK_TSC)
        if (reliable()) {
            if (after_return) _mm_mfence();
            unsigned aux;
            const std::uint64_t t = __rdtscp(&aux);
            _mm_lfence();
            return t;
        }
#endif
        return counter().fetch_add(1, std::memory_order_seq_cst);
    }

    static std::atomic<std::uint64_t>& counter() {
        static std::atomic<std::uint64_t> c{1};
        return c;
    }
};

}  // namespace gauntlet
