// hazard_domain: safe memory reclamation with hazard pointers.
//
// M. M. Michael, "Hazard Pointers: Safe Memory Reclamation for Lock-Free
// Objects", IEEE TPDS 15(6), 2004. A thread that is about to dereference a
// shared node publishes its address in a hazard slot and re-reads the source
// to confirm the node is still reachable (`protect`); a thread that unlinks a
// node `retire`s it, and retired nodes are freed by a `scan` only when no
// hazard slot holds them. Every retired node is freed exactly once: by a scan
// that finds it unprotected, or by the domain's destructor.
//
// Records (one per operation in progress, Slots hazard slots each, plus the
// holder's retire list) live on a lock-free list that only grows, as in the
// paper; a thread acquires a free record for the length of one queue
// operation (CAS on `in_use`) instead of keeping one in thread-local storage,
// which keeps the domain independent of how a world runs its threads (Relacy
// runs all simulated threads on one OS thread). The number of records is the
// peak number of concurrent operations.
//
// Ordering argument (labels used below): the publication H1 and the
// validation H2 are seq_cst, the unlinking CAS in the client is seq_cst, and
// the scan's slot loads H4 are seq_cst. In the single total order S either
// H1 precedes H4 (the scan sees the hazard and keeps the node) or H4 precedes
// H1, and then the unlink, which precedes the retire and H4, precedes H2, so
// the validation sees the node unlinked and the reader drops it.
//
// Cost: protect = one seq_cst store (an xchg on x86) + one load; retire =
// a scan, O(H) loads plus O(R x H) compares, every `ScanThreshold` retires
// per record, H the number of hazard slots in the domain, R the record's
// retire list. The default threshold 2 keeps at most H + 2 unreclaimed nodes
// per record and scans often enough that small model scenarios (a handful of
// pops) exercise reclamation; the paper's R = H + Omega(H) amortises better
// for many threads and can be chosen through the parameter.
#pragma once

#include <atomic>
#include <cstddef>
#include <vector>
#include "primitives/world.hpp"

namespace gauntlet {

template <world World, std::size_t Slots, std::size_t ScanThreshold = 2>
class hazard_domain {
    static_assert(Slots >= 1, "hazard_domain: a record needs at least one hazard slot");
    static_assert(ScanThreshold >= 1, "hazard_domain: scan threshold must be at least one retire");

    template <class U>
    using atomic = typename World::template atomic<U>;

    struct retired_node {
        void* p;
        void (*free)(void*);
    };

    struct record {
        atomic<bool> in_use{true};  // a new record starts acquired by its creator
        atomic<void*> slot[Slots];
        atomic<record*> next{nullptr};
        std::vector<retired_node> retired;  // touched only by the record's holder
        std::vector<void*> scratch;         // the holder's scan snapshot, reused
    };

public:
    // The hazard slots of one operation; released by the destructor.
    class holder {
    public:
        explicit holder(hazard_domain& d) : d_(d), r_(d.acquire()) {}
        holder(const holder&) = delete;
        holder& operator=(const holder&) = delete;
        ~holder() {
            for (std::size_t i = 0; i < Slots; ++i) clear(i);
            // Release: the holder's retire list and slot clears are handed to
            // the next holder that acquires the record (R1).
            // sweep: needed for the retire list, a std::vector: plain data
            // the model does not see (only World::var is race-checked), so
            // no model run can show a missing order here.
            r_->in_use.store(false, std::memory_order_release);  // R2
        }

        // Publish and validate: returns a pointer read from `src` that is
        // protected until the slot is overwritten or cleared.
        template <class Node>
        Node* protect(std::size_t i, const atomic<Node*>& src) {
            // sweep: relaxed by argument: p is used only once H2 has read the
            // same value again, and H2 (seq_cst) acquires it. Weakened from
            // acquire with the queue model and the ThreadSanitizer stress
            // passing.
            Node* p = src.load(std::memory_order_relaxed);
            for (;;) {
                // sweep: the store-load pair of hazard pointers (Michael 2004; the header's
                // argument): a reader's H1 then H2 against the unlink then H4 must not both read
                // the old value, which needs the single order S on both sides. The sweep weakens
                // one site at a time, and Relacy's seq_cst operations on the other side order what
                // this one no longer does, so no one-site run shows it.
                r_->slot[i].store(p, std::memory_order_seq_cst);            // H1
                Node* again = src.load(std::memory_order_seq_cst);          // H2
                if (again == p) return p;
                p = again;
            }
        }

        // Publish without validation: the caller validates by its own re-read.
        // sweep: H1's note: the store-load pair of hazard pointers (Michael 2004; the header's
        // argument): a reader's H1 then H2 against the unlink then H4 must not both read the old
        // value, which needs the single order S on both sides. The sweep weakens one site at a
        // time, and Relacy's seq_cst operations on the other side order what this one no longer
        // does, so no one-site run shows it.
        void set(std::size_t i, void* p) { r_->slot[i].store(p, std::memory_order_seq_cst); }  // H1

        void clear(std::size_t i) {
            // Release: this thread's reads of the node happen before a scan
            // that sees the slot empty and frees it (pairs with H4).
            // sweep: needed against the free, which Relacy does not treat as
            // a write racing with earlier reads of the node: beyond what the
            // model can see.
            r_->slot[i].store(nullptr, std::memory_order_release);
        }

        // Hand an unlinked node to the domain; freed once unprotected.
        template <class Node>
        void retire(Node* p) {
            r_->retired.push_back({p, [](void* q) { World::destroy(static_cast<Node*>(q)); }});
            if (r_->retired.size() >= ScanThreshold) d_.scan(*r_);
        }

    private:
        hazard_domain& d_;
        record* r_;
    };

    hazard_domain() = default;
    hazard_domain(const hazard_domain&) = delete;
    hazard_domain& operator=(const hazard_domain&) = delete;

    // Single-threaded by now: free every retired node and every record.
    ~hazard_domain() {
        // sweep: relaxed by argument: the destructor runs once every thread
        // that used the domain has been joined, which orders all their work
        // before it. Weakened from acquire with the queue model and the
        // ThreadSanitizer stress passing.
        record* r = head_.load(std::memory_order_relaxed);
        while (r != nullptr) {
            for (const retired_node& n : r->retired) n.free(n.p);
            record* next = r->next.load(std::memory_order_relaxed);
            World::destroy(r);
            r = next;
        }
    }

private:
    record* acquire() {
        // sweep: the next loads are relaxed by argument: every record is
        // published by a release CAS on head, each such CAS is an RMW that
        // continues the release sequences of the ones before it, and the
        // walk starts with an acquire load of head, so every record in the
        // list is visible from there. Weakened from acquire with the queue
        // model and the ThreadSanitizer stress passing.
        for (record* r = head_.load(std::memory_order_acquire); r != nullptr;
             r = r->next.load(std::memory_order_relaxed)) {
            bool idle = false;
            // R1: acquire pairs with the previous holder's R2.
            // sweep(cas): R2's note: the retire list is plain data the model
            // does not see.
            // sweep(cas_failure): relaxed by argument: a failed claim reads
            // nothing and moves to the next record.
            if (!r->in_use.load(std::memory_order_relaxed) &&
                r->in_use.compare_exchange_strong(idle, true, std::memory_order_acquire, std::memory_order_relaxed))
                return r;
        }
        // All records busy: add one. Release publishes its initialised slots
        // to scanners and acquirers that walk the list.
        record* r = World::template make<record>();
        for (std::size_t i = 0; i < Slots; ++i) r->slot[i].store(nullptr, std::memory_order_relaxed);
        record* old = head_.load(std::memory_order_relaxed);
        do {
            r->next.store(old, std::memory_order_relaxed);
        } while (!head_.compare_exchange_weak(old, r, std::memory_order_release, std::memory_order_relaxed));
        return r;
    }

    void scan(record& mine) {
        // H4: snapshot every hazard slot of every record.
        std::vector<void*>& hazards = mine.scratch;
        hazards.clear();
        // sweep(load): the next loads are relaxed by argument, as in
        // acquire(); H4 is the other half of H1's pair: the store-load pair of hazard pointers
        // (Michael 2004; the header's argument): a reader's H1 then H2 against the unlink then H4
        // must not both read the old value, which needs the single order S on both sides. The sweep
        // weakens one site at a time, and Relacy's seq_cst operations on the other side order what
        // this one no longer does, so no one-site run shows it.
        for (record* r = head_.load(std::memory_order_acquire); r != nullptr;
             r = r->next.load(std::memory_order_relaxed))
            for (std::size_t i = 0; i < Slots; ++i)
                if (void* h = r->slot[i].load(std::memory_order_seq_cst)) hazards.push_back(h);  // H4
        std::size_t kept = 0;
        for (const retired_node& n : mine.retired) {
            bool protected_now = false;
            for (void* h : hazards) protected_now = protected_now || h == n.p;
            if (protected_now)
                mine.retired[kept++] = n;
            else
                n.free(n.p);
        }
        mine.retired.resize(kept);
    }

    atomic<record*> head_{nullptr};
};

}  // namespace gauntlet
